package io.dstk.cache;

import static org.awaitility.Awaitility.await;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * N members in one JVM (TestCluster on loopback, expectedMembers = N unless the cluster config is customized) each
 * hosting the same String cache.
 */
final class CacheKit implements AutoCloseable {
  final TestCluster cluster;
  final Map<String, ReplicatedCache<String, String>> caches = new LinkedHashMap<>();
  private final UnaryOperator<CacheConfig.Builder<String, String>> customizer;

  private CacheKit(TestCluster cluster, UnaryOperator<CacheConfig.Builder<String, String>> customizer) {
    this.cluster = cluster;
    this.customizer = customizer;
  }

  static CacheKit start(int n, UnaryOperator<CacheConfig.Builder<String, String>> customizer) {
    return start(n, b -> b.expectedMembers(n), customizer);
  }

  /** Starts {@code n} members with the cluster's config set by {@code clusterCustomizer} instead of the default. */
  static CacheKit start(int n, UnaryOperator<ClusterConfig.Builder> clusterCustomizer,
      UnaryOperator<CacheConfig.Builder<String, String>> customizer) {
    CacheKit kit = new CacheKit(TestCluster.start(n, clusterCustomizer), customizer);
    try {
      for (String name : kit.cluster.names()) {
        kit.open(name);
      }
      kit.awaitAllReady();
      return kit;
    } catch (RuntimeException | Error e) {
      kit.close();
      throw e;
    }
  }

  static CacheKit start(int n) {
    return start(n, UnaryOperator.identity());
  }

  CacheConfig<String, String> config() {
    return customizer.apply(CacheConfig.builder("test", PayloadCodec.utf8(), PayloadCodec.utf8())
        .replicationTimeout(Duration.ofSeconds(3))
        .writeTimeout(Duration.ofSeconds(20))).build();
  }

  ReplicatedCache<String, String> open(String node) {
    Cluster c = cluster.member(node);
    ReplicatedCache<String, String> cache = ReplicatedCache.create(c, config());
    synchronized (caches) {
      caches.put(node, cache);
    }
    return cache;
  }

  ReplicatedCache<String, String> join(String node) {
    cluster.join(node);
    return open(node);
  }

  ReplicatedCache<String, String> cache(String node) {
    synchronized (caches) {
      return caches.get(node);
    }
  }

  List<ReplicatedCache<String, String>> all() {
    synchronized (caches) {
      return new ArrayList<>(caches.values());
    }
  }

  void kill(String node) {
    ReplicatedCache<String, String> c;
    synchronized (caches) {
      c = caches.remove(node);
    }
    cluster.kill(node);
    if (c != null) {
      c.close();
    }
  }

  void awaitAllReady() {
    await().atMost(Duration.ofSeconds(60)).until(() -> all().stream().allMatch(ReplicatedCache::isReady));
  }

  /**
   * Waits until every member's live map equals the first's. A member can turn not ready between the readiness check
   * and its snapshot (a heal replacing its state): that poll counts as not converged.
   */
  void awaitConverged() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .ignoreException(CacheNotReadyException.class).until(() -> {
      List<ReplicatedCache<String, String>> all = all();
      if (!all.stream().allMatch(ReplicatedCache::isReady)) {
        return false;
      }
      Map<String, String> first = all.get(0).snapshot();
      return all.stream().allMatch(c -> c.snapshot().equals(first));
    });
  }

  @Override
  public void close() {
    for (ReplicatedCache<String, String> c : all()) {
      c.close();
    }
    cluster.close();
  }
}
