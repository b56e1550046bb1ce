package io.dstk.samples;

import io.dstk.idgen.IdGenerator;
import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.SnowflakeLayout;
import io.dstk.idgen.cluster.ClusterWorkerIdSource;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Worker ids leased from the cluster: three members in one JVM (store voters a, b and c) each lease a distinct worker
 * id for a Snowflake generator; when a gives its id back, the next member to take it waits out the quarantine first.
 * Run it with {@code mvn -B -q -Pdemo -pl samples -am -DskipTests package
 * -Ddstk.demo.mainClass=io.dstk.samples.ClusterIdgenQuickstart}.
 */
public final class ClusterIdgenQuickstart {
  private ClusterIdgenQuickstart() {}

  /**
   * Runs the quickstart.
   *
   * @param args unused
   */
  public static void main(String[] args) {
    String clusterName = "idgen-quickstart-" + ProcessHandle.current().pid();
    StoreConfig storeConfig = StoreConfig.voters("a", "b", "c").build();
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterStore> stores = new ArrayList<>();
    List<ClusterWorkerIdSource> sources = new ArrayList<>();
    try {
      for (String name : List.of("a", "b", "c")) {
        Cluster cluster = Cluster.join(ClusterConfig.localhost(clusterName).nodeName(name).build());
        clusters.add(cluster);
        stores.add(ClusterStore.open(cluster, storeConfig));
      }
      if (!stores.get(0).awaitQuorum(Duration.ofSeconds(30))) {
        throw new IllegalStateException("no raft leader within 30 s");
      }
      for (ClusterStore store : stores) {
        sources.add(ClusterWorkerIdSource.builder(store).group("orders")
            .leaseTtl(Duration.ofSeconds(10))           // renewed every third of it
            .maxClockDrift(Duration.ofMillis(200))      // wall-clock offset between members
            .maxLogicalClockLead(Duration.ofSeconds(1)) // >= the generators' ClockSafety.maxLead()
            .maxWorkerIds(3)
            .build());
      }
      List<SnowflakeGenerator> generators = new ArrayList<>();
      for (ClusterWorkerIdSource workerIds : sources) {
        SnowflakeGenerator ids = IdGenerator.snowflake(SnowflakeLayout.twitter()).workerIds(workerIds).build();
        generators.add(ids);
        System.out.println("worker id " + ids.nodeId() + " issues " + ids.layout().decode(ids.nextId()));
      }
      SnowflakeGenerator first = generators.remove(0);
      long freed = first.nodeId();
      first.close(); // gives worker id back
      long start = System.nanoTime();
      try (SnowflakeGenerator again = IdGenerator.snowflake(SnowflakeLayout.twitter())
          .workerIds(sources.get(0)).build()) {
        System.out.println("worker id " + again.nodeId() + " taken again after a quarantine of "
            + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms (freed: " + freed + ")");
      }
      generators.forEach(SnowflakeGenerator::close);
      System.out.println("leases granted by a's source: " + sources.get(0).stats().grants());
    } finally {
      sources.forEach(ClusterWorkerIdSource::close);
      stores.forEach(ClusterStore::close);
      clusters.forEach(Cluster::close);
    }
  }
}
