package io.dstk.samples;

import io.dstk.cache.CacheConfig;
import io.dstk.cache.CacheEvent;
import io.dstk.cache.ReplicatedCache;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A replicated cache on three members in one JVM: a SYNC put on one member is readable on every member when it
 * returns, conditional writes are atomic cluster-wide, and a member that leaves takes nothing with it.
 *
 * <p>Run it: {@code mvn -B -q -pl samples -am package -DskipTests -Pdemo
 * -Ddstk.demo.mainClass=io.dstk.samples.CacheQuickstart}.
 */
public final class CacheQuickstart {
  private CacheQuickstart() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   * @throws Exception if the cluster cannot start
   */
  public static void main(String[] args) throws Exception {
    CacheConfig<String, String> config = CacheConfig.builder("sessions", PayloadCodec.utf8(), PayloadCodec.utf8())
        .maximumSize(100_000)
        .expireAfterWrite(Duration.ofMinutes(30))
        .build();

    String clusterName = "cache-quickstart-" + ProcessHandle.current().pid(); // two runs at once do not meet
    List<Cluster> clusters = new ArrayList<>();
    List<ReplicatedCache<String, String>> caches = new ArrayList<>();
    try {
      for (String name : List.of("alpha", "beta", "gamma")) {
        Cluster cluster = Cluster.join(ClusterConfig.localhost(clusterName).nodeName(name)
            .expectedMembers(3).build());
        clusters.add(cluster);
        caches.add(ReplicatedCache.create(cluster, config));
      }
      for (ReplicatedCache<String, String> cache : caches) {
        // ready once a majority of the expected members is in and this member holds the cluster's state
        if (!cache.awaitReady(Duration.ofSeconds(30))) {
          throw new IllegalStateException(cache + " did not receive the cluster's state within 30 s");
        }
      }
      System.out.println("all 3 members ready");
      ReplicatedCache<String, String> alpha = caches.get(0);
      ReplicatedCache<String, String> beta = caches.get(1);
      ReplicatedCache<String, String> gamma = caches.get(2);

      gamma.addListener(event -> {
        if (event instanceof CacheEvent.Written<String, String> w && !w.local()) {
          System.out.println("gamma saw a remote write: " + w.key() + " = " + w.value() + " @ " + w.version());
        }
      });

      alpha.put("user:42", "Ada");
      System.out.println("beta reads user:42 = " + beta.get("user:42"));
      System.out.println("gamma reads user:42 = " + gamma.get("user:42"));

      System.out.println("putIfAbsent from beta: " + beta.putIfAbsent("user:42", "Bob"));
      System.out.println("replace Ada -> Grace from gamma: " + gamma.replace("user:42", "Ada", "Grace"));
      System.out.println("visits after 3 computes: " + countVisits(List.of(alpha, beta, gamma)));

      caches.remove(2).close();
      clusters.remove(2).close(); // gamma leaves; alpha and beta keep every entry
      System.out.println("after gamma left, beta reads user:42 = " + beta.get("user:42"));
      System.out.println("entries on alpha: " + alpha.size());
      System.out.println("done");
    } finally {
      caches.forEach(ReplicatedCache::close);
      clusters.forEach(Cluster::close);
    }
  }

  private static String countVisits(List<ReplicatedCache<String, String>> caches) {
    String last = null;
    for (ReplicatedCache<String, String> c : caches) {
      last = c.compute("visits", (k, v) -> v == null ? "1" : String.valueOf(Integer.parseInt(v) + 1));
    }
    return last;
  }
}
