package io.dstk.samples;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.store.ClusterStore;
import io.dstk.store.Lease;
import io.dstk.store.StoreConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A lease in the cluster store: three members in one JVM (voters a, b and c) elect a raft leader; member a takes the
 * lease "scheduler", b is refused while a holds it, a releases it and b gets it with a larger epoch (the fencing
 * token). Run it with {@code mvn -B -q -Pdemo -pl samples -am -DskipTests package
 * -Ddstk.demo.mainClass=io.dstk.samples.StoreQuickstart}.
 */
public final class StoreQuickstart {
  private StoreQuickstart() {}

  /**
   * Runs the quickstart.
   *
   * @param args unused
   */
  public static void main(String[] args) {
    String clusterName = "store-quickstart-" + ProcessHandle.current().pid();
    StoreConfig storeConfig = StoreConfig.voters("a", "b", "c").build();
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterStore> stores = new ArrayList<>();
    try {
      for (String name : List.of("a", "b", "c")) {
        Cluster cluster = Cluster.join(ClusterConfig.localhost(clusterName).nodeName(name).build());
        clusters.add(cluster);
        stores.add(ClusterStore.open(cluster, storeConfig));
      }
      ClusterStore a = stores.get(0);
      ClusterStore b = stores.get(1);
      if (!a.awaitQuorum(Duration.ofSeconds(30))) {
        throw new IllegalStateException("no raft leader within 30 s");
      }
      System.out.println("store ready, leader is " + a.leader().orElse("?"));

      Lease lease = a.tryAcquire("scheduler", Duration.ofSeconds(10)).orElseThrow();
      System.out.println("a holds 'scheduler' with epoch " + lease.epoch());
      System.out.println("b gets it while a holds it: " + b.tryAcquire("scheduler", Duration.ofSeconds(10))
          .isPresent());

      lease.checkValid(); // right before acting: throws LeaseLostException once the lease is lost
      long jobs = a.counter("jobs").addAndGet(1);
      System.out.println("a runs job " + jobs + " with fencing token " + lease.epoch());

      lease.release();
      Lease next = b.tryAcquire("scheduler", Duration.ofSeconds(10)).orElseThrow();
      System.out.println("after release b holds 'scheduler' with epoch " + next.epoch());
      next.release();
    } finally {
      stores.forEach(ClusterStore::close);
      clusters.forEach(Cluster::close);
    }
  }
}
