package io.dstk.benchmarks.cache;

import io.dstk.benchmarks.Ports;
import io.dstk.cache.CacheConfig;
import io.dstk.cache.ReplicatedCache;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * State transfer to a joiner: two members in one JVM hold {@code entries} entries of 1 KiB; each invocation joins a
 * third member, creates the cache and waits until it is ready (the whole state pulled in chunks of 512 entries or
 * 512 KiB). MB/s = entries × ~1.08 KiB on the wire / score. The scenario is 100 000 entries; the heap
 * needs 2 GiB (three copies of 100 MB plus the serving member's snapshot). An invocation fails if the joiner does not
 * end with every entry (members that formed separate clusters under load would otherwise yield a bogus time).
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms2g -Xmx2g
 * -XX:+AlwaysPreTouch -Djava.net.preferIPv4Stack=true -jar benchmarks/target/benchmarks.jar StateTransferBenchmark -f
 * 1 -wi 1 -i 5 -p entries=100000}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StateTransferBenchmark {

  /** Entries held by the cluster before the join. */
  @Param({"100000"})
  public int entries;

  private final List<Cluster> clusters = new ArrayList<>();
  private final List<ReplicatedCache<String, byte[]>> caches = new ArrayList<>();
  private CacheConfig<String, byte[]> config;
  private String name;
  private int base;
  private Cluster joinerCluster;
  private ReplicatedCache<String, byte[]> joiner;
  private int joins;

  /**
   * Starts two members and fills them.
   *
   * @throws Exception if a member cannot start or a write fails
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    name = "bench-st-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    base = Ports.freeRange(20);
    config = CacheConfig.builder("st", PayloadCodec.utf8(), PayloadCodec.bytes())
        .maximumSize(Math.max(entries * 2L, 1)).writeTimeout(Duration.ofSeconds(60)).build();
    for (String n : List.of("m1", "m2")) {
      Cluster c = Cluster.join(ClusterConfig.localhost(name).ports(base, 20).nodeName(n).build());
      clusters.add(c);
      ReplicatedCache<String, byte[]> cache = ReplicatedCache.create(c, config);
      cache.awaitReady(Duration.ofSeconds(30));
      caches.add(cache);
    }
    awaitMembers(clusters.get(0), 2);
    awaitMembers(clusters.get(1), 2);
    byte[] value = new byte[1024];
    ThreadLocalRandom.current().nextBytes(value);
    List<CompletableFuture<Void>> window = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      window.add(caches.get(0).putAsync("key-" + i, value));
      if (window.size() == 256) {
        CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        window.clear();
      }
    }
    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
  }

  /** Joins the member whose cache the benchmark fills. */
  @Setup(Level.Invocation)
  public void join() {
    joinerCluster = Cluster.join(ClusterConfig.localhost(name).ports(base, 20).nodeName("joiner-" + joins++).build());
    awaitMembers(joinerCluster, 3);
  }

  /** Members started under load can form separate clusters first; measure only once they are one. */
  private static void awaitMembers(Cluster c, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (c.members().size() != n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("expected " + n + " members, view " + c.view());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  /**
   * Creates the joiner's cache and waits until it holds the state.
   *
   * @return the entries received
   * @throws InterruptedException if interrupted
   */
  @Benchmark
  public long transfer() throws InterruptedException {
    joiner = ReplicatedCache.create(joinerCluster, config);
    if (!joiner.awaitReady(Duration.ofMinutes(5))) {
      throw new IllegalStateException("joiner not ready after 5 min");
    }
    long held = joiner.size();
    if (held != entries) {
      throw new IllegalStateException("joiner holds " + held + " entries, expected " + entries + "; view "
          + joinerCluster.view());
    }
    return held;
  }

  /** Lets the joiner leave. */
  @TearDown(Level.Invocation)
  public void leave() {
    if (joiner != null) {
      joiner.close();
    }
    joinerCluster.close();
  }

  /** Stops the members. */
  @TearDown(Level.Trial)
  public void tearDown() {
    caches.forEach(ReplicatedCache::close);
    clusters.forEach(Cluster::close);
  }
}
