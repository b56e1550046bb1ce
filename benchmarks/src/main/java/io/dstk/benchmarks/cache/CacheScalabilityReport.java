package io.dstk.benchmarks.cache;

import io.dstk.benchmarks.Ports;
import io.dstk.cache.CacheConfig;
import io.dstk.cache.ReplicatedCache;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.ClusterStats;
import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.MsgStats;
import org.jgroups.protocols.TP;

/**
 * Messages and bytes per SYNC {@code put} for N = 1, 2, 4, 8, 16 members hosting one cache in one JVM (TCP on
 * loopback, 1 KiB values, 10 000 keys, writes one at a time), issued on the coordinator and on the youngest member.
 * Counts are summed over all members for 500 puts after 100 warm-up puts, and divided by 500. Two counts:
 * <ul>
 *   <li><b>cluster</b>: {@link ClusterStats#messagesSent()} and {@link ClusterStats#bytesSent()} — the messages and
 *       requests the cache hands to toolkit-membership and their payload bytes (responses to requests are not
 *       counted there);</li>
 *   <li><b>transport</b>: JGroups' TP statistics — every message the channels send, responses, protocol
 *       acknowledgements and background traffic (heartbeats) included; the byte count is the messages' payloads
 *       (JGroups' {@code num_bytes_sent}), without headers or TCP framing.</li>
 * </ul>
 * Counts do not depend on timing, so one run is enough; background traffic makes the transport column vary by a few
 * hundredths of a message.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms1g -Xmx1g
 * -Djava.net.preferIPv4Stack=true -cp benchmarks/target/benchmarks.jar
 * io.dstk.benchmarks.cache.CacheScalabilityReport}
 */
public final class CacheScalabilityReport {
  private static final int[] SIZES = {1, 2, 4, 8, 16};
  private static final int WARMUP = 100;
  private static final int PUTS = 500;
  private static final int KEYS = 10_000;

  private CacheScalabilityReport() {}

  /**
   * Prints one Markdown table row per cluster size and origin.
   *
   * @param args ignored
   * @throws Exception if a member cannot start or a write fails
   */
  public static void main(String[] args) throws Exception {
    System.out.println("| N | put issued on | cluster msgs/put | cluster bytes/put | transport msgs/put "
        + "| transport bytes/put |");
    System.out.println("|---|---|---|---|---|---|");
    for (int n : SIZES) {
      run(n);
    }
  }

  private static void run(int n) throws Exception {
    int base = Ports.freeRange(20);
    String name = "bench-cache-scale-" + ProcessHandle.current().pid() + "-" + n;
    List<Cluster> clusters = new ArrayList<>();
    List<ReplicatedCache<String, byte[]>> caches = new ArrayList<>();
    CacheConfig<String, byte[]> config = CacheConfig.builder("scale", PayloadCodec.utf8(), PayloadCodec.bytes())
        .maximumSize(KEYS * 2L).writeTimeout(Duration.ofSeconds(60)).build();
    try {
      List<CompletableFuture<Cluster>> joins = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        joins.add(Cluster.joinAsync(ClusterConfig.localhost(name).ports(base, 20).nodeName("m" + i)
            .expectedMembers(n).build()));
      }
      for (CompletableFuture<Cluster> j : joins) {
        Cluster c = j.get(60, TimeUnit.SECONDS);
        clusters.add(c);
        TP tp = c.channel().getProtocolStack().getTransport();
        tp.enableStats(true);
        tp.getMessageStats().enable(true);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (clusters.stream().anyMatch(c -> c.members().size() != n)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("members did not converge: " + clusters.get(0).view());
        }
        Thread.sleep(50); // start-up poll, outside the measurement
      }
      for (Cluster c : clusters) {
        caches.add(ReplicatedCache.create(c, config));
      }
      for (ReplicatedCache<String, byte[]> c : caches) {
        if (!c.awaitReady(Duration.ofSeconds(60))) {
          throw new IllegalStateException("cache not ready: " + c);
        }
      }
      String coordinator = clusters.get(0).coordinator().name();
      ReplicatedCache<String, byte[]> onCoordinator = null;
      ReplicatedCache<String, byte[]> onOther = null;
      for (int i = 0; i < n; i++) {
        if (clusters.get(i).self().name().equals(coordinator)) {
          onCoordinator = caches.get(i);
        } else {
          onOther = caches.get(i); // the last non-coordinator: the youngest member
        }
      }
      measure(n, "coordinator", onCoordinator, clusters);
      if (onOther != null) {
        measure(n, "another member", onOther, clusters);
      }
    } finally {
      caches.forEach(ReplicatedCache::close);
      clusters.forEach(Cluster::close);
    }
  }

  private static void measure(int n, String origin, ReplicatedCache<String, byte[]> cache, List<Cluster> clusters) {
    byte[] value = new byte[1024];
    int k = 0;
    for (int i = 0; i < WARMUP; i++) {
      cache.put("key-" + (k++ % KEYS), value);
    }
    long[] before = totals(clusters);
    for (int i = 0; i < PUTS; i++) {
      cache.put("key-" + (k++ % KEYS), value);
    }
    long[] after = totals(clusters);
    System.out.printf("| %d | %s | %.2f | %.0f | %.2f | %.0f |%n", n, origin, (after[0] - before[0]) / (double) PUTS,
        (after[1] - before[1]) / (double) PUTS, (after[2] - before[2]) / (double) PUTS,
        (after[3] - before[3]) / (double) PUTS);
  }

  private static long[] totals(List<Cluster> clusters) {
    long[] t = new long[4];
    for (Cluster c : clusters) {
      ClusterStats s = c.stats();
      t[0] += s.messagesSent();
      t[1] += s.bytesSent();
      MsgStats m = c.channel().getProtocolStack().getTransport().getMessageStats();
      t[2] += m.getNumMsgsSent();
      t[3] += m.getNumBytesSent();
    }
    return t;
  }
}
