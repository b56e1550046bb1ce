package io.dstk.benchmarks.cache;

import io.dstk.benchmarks.Ports;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dstk.cache.CacheConfig;
import io.dstk.cache.ReplicatedCache;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * A local read hit: {@code ReplicatedCache.get} (readiness check, Caffeine lookup, hit counter, decoded-value cache)
 * next to a raw Caffeine {@code getIfPresent} with the same bound ({@code maximumSize(100_000)}), over 16 384 String
 * keys already present. The target: dstk within 1.2x of raw Caffeine.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch -Djava.net.preferIPv4Stack=true -jar benchmarks/target/benchmarks.jar CacheGetBenchmark -f 1
 * -wi 3 -w 1s -i 5 -r 1s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacheGetBenchmark {
  private static final int KEYS = 16_384;

  /**
   * Which cache answers: dstk, raw Caffeine as built by default (maintenance on the common pool), raw Caffeine with
   * maintenance on the reading thread ({@code executor(Runnable::run)}), which shows what the executor costs, or raw
   * Caffeine in a JVM that also runs a cluster member with a filled dstk cache ({@code caffeineBesideDstk}), which
   * separates what the surroundings cost from what dstk's read path costs.
   */
  @Param({"dstk", "caffeine", "caffeineSameThread", "caffeineBesideDstk"})
  public String impl;

  private final String[] keys = new String[KEYS];
  private Function<String, String> reader;
  private Cluster cluster;
  private ReplicatedCache<String, String> cache;

  /** Per-thread key cursor. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  /**
   * Fills the cache under test.
   *
   * @throws Exception if the cluster cannot start
   */
  @Setup
  public void setUp() throws Exception {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
    }
    if (impl.equals("dstk") || impl.equals("caffeineBesideDstk")) {
      cluster = Cluster.join(ClusterConfig.localhost("bench-get-" + ProcessHandle.current().pid())
          .ports(Ports.freeRange(20), 20).nodeName("solo").build());
      cache = ReplicatedCache.create(cluster, CacheConfig.builder("get", PayloadCodec.utf8(), PayloadCodec.utf8())
          .maximumSize(100_000).build());
      cache.awaitReady(Duration.ofSeconds(30));
      for (String k : keys) {
        cache.put(k, "value-of-" + k);
      }
      ReplicatedCache<String, String> c = cache;
      reader = c::get;
    }
    if (!impl.equals("dstk")) {
      Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(100_000);
      if (impl.equals("caffeineSameThread")) {
        builder.executor(Runnable::run);
      }
      Cache<String, String> caffeine = builder.build();
      for (String k : keys) {
        caffeine.put(k, "value-of-" + k);
      }
      reader = caffeine::getIfPresent;
    }
  }

  /** Closes the cluster. */
  @TearDown
  public void tearDown() {
    if (cache != null) {
      cache.close();
      cluster.close();
    }
  }

  /**
   * One read hit.
   *
   * @param cursor the thread's cursor
   * @return the value
   */
  @Benchmark
  public String get(Cursor cursor) {
    int i = cursor.next++;
    return reader.apply(keys[(i * 7919) & (KEYS - 1)]);
  }
}
