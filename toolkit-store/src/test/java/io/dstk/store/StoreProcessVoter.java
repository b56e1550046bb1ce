package io.dstk.store;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import java.util.Optional;

/**
 * A store voter in its own process, for the multi-process test: joins with the localhost preset, opens the store and
 * prints {@code LEADER <name>} whenever the leader it knows changes, until it is killed.
 *
 * <p>Arguments: cluster name, cluster base port, raft base port, node name, voters (comma-separated).
 */
public final class StoreProcessVoter {
  private StoreProcessVoter() {}

  /**
   * Runs the voter.
   *
   * @param args see the class comment
   * @throws InterruptedException never in practice: the process is killed
   */
  public static void main(String[] args) throws InterruptedException {
    Cluster cluster = Cluster.join(ClusterConfig.localhost(args[0]).ports(Integer.parseInt(args[1]), 20)
        .nodeName(args[3]).build());
    ClusterStore store = ClusterStore.open(cluster, config(args[4], Integer.parseInt(args[2])));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      store.close();
      cluster.close();
    }));
    System.out.println("OPEN " + args[3]);
    Optional<String> last = Optional.empty();
    while (true) {
      Optional<String> now = store.leader();
      if (!now.equals(last)) {
        System.out.println("LEADER " + now.orElse("-"));
        System.out.flush();
        last = now;
      }
      Thread.sleep(20);
    }
  }

  static StoreConfig config(String voters, int raftBase) {
    return StoreConfig.voters(voters.split(",")).ports(raftBase, 10).build();
  }
}
