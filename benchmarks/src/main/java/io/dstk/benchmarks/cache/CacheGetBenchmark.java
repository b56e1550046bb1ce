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
import java.util.function.BiConsumer;
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
 * next to a raw Caffeine {@code getIfPresent} with the same bound ({@code maximumSize(100_000)}), over 512 or 16 384
 * String keys already present. Every cache is filled the same way (each key built just before its put) and collected once
 * before the reads, as the entries of a long-running application have been. The target: dstk within 1.2x of
 * raw Caffeine.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch -Djava.net.preferIPv4Stack=true -jar benchmarks/target/benchmarks.jar CacheGetBenchmark
 * -p impl=dstk,caffeine,caffeineBesideDstk -f 3 -wi 5 -w 1s -i 5 -r 1s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacheGetBenchmark {
  /**
   * Which cache answers: dstk, raw Caffeine as built by default (maintenance on the common pool), raw Caffeine with
   * maintenance on the reading thread ({@code executor(Runnable::run)}), which shows what the executor costs, or raw
   * Caffeine in a JVM that also runs a cluster member with a filled dstk cache ({@code caffeineBesideDstk}), which
   * separates what the surroundings cost from what dstk's read path costs.
   */
  @Param({"dstk", "caffeine", "caffeineSameThread", "caffeineBesideDstk"})
  public String impl;

  /**
   * Which key objects the reads pass: the very instances the cache was filled with, or equal copies (distinct
   * objects, as an application that builds its keys per request passes).
   */
  @Param({"equalCopies", "sameInstances"})
  public String lookup;

  /**
   * How many keys are present and read (a power of two): 512 entries stay in the core's caches, so a read measures
   * the code path; 16,384 entries (several MB with their keys and nodes) do not, so a read also waits on memory
   * for every object it opens.
   */
  @Param({"512", "16384"})
  public int keys;

  private String[] storedKeys;
  private String[] lookupKeys;
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
    if (Integer.bitCount(keys) != 1) {
      throw new IllegalArgumentException("keys must be a power of two: " + keys);
    }
    storedKeys = new String[keys];
    lookupKeys = new String[keys];
    if (impl.equals("dstk") || impl.equals("caffeineBesideDstk")) {
      cluster = Cluster.join(ClusterConfig.localhost("bench-get-" + ProcessHandle.current().pid())
          .ports(Ports.freeRange(20), 20).nodeName("solo").build());
      cache = ReplicatedCache.create(cluster, CacheConfig.builder("get", PayloadCodec.utf8(), PayloadCodec.utf8())
          .maximumSize(100_000).build());
      cache.awaitReady(Duration.ofSeconds(30));
      fill(cache::put);
      ReplicatedCache<String, String> c = cache;
      reader = c::get;
    }
    if (!impl.equals("dstk")) {
      Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(100_000);
      if (impl.equals("caffeineSameThread")) {
        builder.executor(Runnable::run);
      }
      Cache<String, String> caffeine = builder.build();
      fill(caffeine::put);
      reader = caffeine::getIfPresent;
    }
    for (int i = 0; i < keys; i++) {
      lookupKeys[i] = lookup.equals("sameInstances") ? storedKeys[i] : new String(storedKeys[i]);
    }
    // entries read by a long-running application have been through collections, which pack them together; without
    // this, where the fill's garbage (a replicated put allocates several KB) happens to lie decides the result
    System.gc();
  }

  /** Puts every key, each built just before its put, as an application builds the keys it stores. */
  private void fill(BiConsumer<String, String> put) {
    for (int i = 0; i < keys; i++) {
      String k = "key-" + i;
      put.accept(k, "value-of-" + k);
      storedKeys[i] = k;
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
    return reader.apply(lookupKeys[(i * 7919) & (lookupKeys.length - 1)]);
  }
}
