package io.dstk.samples;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.ratelimit.Budget;
import io.dstk.ratelimit.cluster.ClusterBudget;
import io.dstk.ratelimit.cluster.ClusterRateLimiter;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One rate limit and one budget shared by three members in one JVM: each member calls {@code tryAcquire} for the
 * same key 1000 times over about a second, and together they get about the cluster-wide limit of 100 per second;
 * then a budget of 3 units trips once for the whole cluster. Run it with {@code mvn -B -q -Pdemo -pl samples -am
 * -DskipTests package -Ddstk.demo.mainClass=io.dstk.samples.ClusterRatelimitQuickstart}.
 */
public final class ClusterRatelimitQuickstart {
  private ClusterRatelimitQuickstart() {}

  /**
   * Runs the quickstart.
   *
   * @param args unused
   * @throws InterruptedException if interrupted while pacing the calls
   */
  public static void main(String[] args) throws InterruptedException {
    String clusterName = "ratelimit-quickstart-" + ProcessHandle.current().pid();
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterRateLimiter> limiters = new ArrayList<>();
    List<ClusterStore> stores = new ArrayList<>();
    try {
      for (String name : List.of("a", "b", "c")) {
        Cluster cluster = Cluster.join(ClusterConfig.localhost(clusterName).nodeName(name).build());
        clusters.add(cluster);
        limiters.add(ClusterRateLimiter.builder(cluster, "api", 100, Duration.ofSeconds(1))
            .expectedMembers(3)
            .build());
      }

      long admitted = 0;
      long start = System.nanoTime();
      for (int round = 0; round < 100; round++) {
        for (ClusterRateLimiter limiter : limiters) {
          for (int call = 0; call < 10; call++) {
            admitted += limiter.tryAcquire("tenant-42") ? 1 : 0;
          }
        }
        Thread.sleep(10);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      long bound = limiters.get(0).overAdmissionBound(3, elapsed);
      System.out.println("admitted " + admitted + " of 3000 calls in " + elapsed.toMillis()
          + " ms; cluster-wide limit 100/s");
      System.out.println("within the bound of " + bound + ": " + (admitted <= bound));

      StoreConfig storeConfig = StoreConfig.voters("a", "b", "c").build();
      for (Cluster cluster : clusters) {
        stores.add(ClusterStore.open(cluster, storeConfig));
      }
      if (!stores.get(0).awaitQuorum(Duration.ofSeconds(30))) {
        throw new IllegalStateException("no store leader within 30 s");
      }
      List<Budget> budgets = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String member = clusters.get(i).self().name();
        budgets.add(ClusterBudget.builder(stores.get(i), "llm-spend", 3)
            .onTrip(event -> System.out.println("kill switch tripped on " + member + ", key "
                + event.idempotencyKey()))
            .build());
      }
      System.out.println("a spends 2: " + budgets.get(0).tryAcquire(2));
      System.out.println("b spends 1: " + budgets.get(1).tryAcquire(1));
      System.out.println("c spends 1: " + budgets.get(2).tryAcquire(1));
    } finally {
      limiters.forEach(ClusterRateLimiter::close);
      stores.forEach(ClusterStore::close);
      clusters.forEach(Cluster::close);
    }
  }
}
