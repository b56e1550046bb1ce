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
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * SYNC put throughput, 3 members in one JVM on loopback TCP, 1 KiB values, 10 000 keys chosen uniformly, issued on
 * one member ({@code origin}: 0 = the coordinator / oldest member, 1 = another member): dstk's {@code
 * ReplicatedCache.put} in {@code WriteMode.SYNC} next to Infinispan 16.1.4's {@code REPL_SYNC} cache (its own default
 * TCP stack, bound to 127.0.0.1). Run with {@code -t 1} and {@code -t 2} for 1 and 2 writer threads.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch -Djava.net.preferIPv4Stack=true -jar benchmarks/target/benchmarks.jar CachePutBenchmark -f 1
 * -wi 3 -w 1s -i 5 -r 1s -t 1 -prof gc} (and again with {@code -t 2}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CachePutBenchmark {
  private static final int KEYS = 10_000;

  /** Which replicated cache. */
  @Param({"dstk", "infinispan"})
  public String impl;

  /** Which member issues the writes: 0 = the coordinator (oldest), 1 = another member. */
  @Param({"1"})
  public int origin;

  private final String[] keys = new String[KEYS];
  private final byte[] value = new byte[1024];
  private final List<Cluster> clusters = new ArrayList<>();
  private final List<ReplicatedCache<String, byte[]>> caches = new ArrayList<>();
  private final List<Object> managers = new ArrayList<>();
  private BiConsumer<String, byte[]> writer;

  /**
   * Starts three members.
   *
   * @throws Exception if a member cannot start
   */
  @Setup
  public void setUp() throws Exception {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
    }
    ThreadLocalRandom.current().nextBytes(value);
    String name = "bench-put-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    if (impl.equals("dstk")) {
      int base = Ports.freeRange(20);
      CacheConfig<String, byte[]> config = CacheConfig.builder("put", PayloadCodec.utf8(), PayloadCodec.bytes())
          .maximumSize(100_000).build();
      for (String n : List.of("m1", "m2", "m3")) {
        Cluster c = Cluster.join(ClusterConfig.localhost(name).ports(base, 20).nodeName(n).expectedMembers(3)
            .build());
        clusters.add(c);
        caches.add(ReplicatedCache.create(c, config));
      }
      for (ReplicatedCache<String, byte[]> cache : caches) {
        cache.awaitReady(Duration.ofSeconds(30)); // ready once a quorum of the 3 expected members is in the view
      }
      ReplicatedCache<String, byte[]> w = caches.get(origin);
      writer = w::put;
    } else {
      System.setProperty("jgroups.bind.address", "127.0.0.1");
      for (String n : List.of("m1", "m2", "m3")) {
        managers.add(Infinispan.start(name, n));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (Infinispan.members(managers.get(0)) < 3) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Infinispan members did not form one cluster");
        }
        Thread.sleep(50);
      }
      Map<String, byte[]> c = Infinispan.cache(managers.get(origin));
      writer = c::put;
    }
  }

  /** Stops the members. */
  @TearDown
  public void tearDown() {
    caches.forEach(ReplicatedCache::close);
    clusters.forEach(Cluster::close);
    managers.forEach(Infinispan::stop);
  }

  /** One SYNC put of a 1 KiB value to a uniformly chosen key. */
  @Benchmark
  public void put() {
    writer.accept(keys[ThreadLocalRandom.current().nextInt(KEYS)], value);
  }
}
