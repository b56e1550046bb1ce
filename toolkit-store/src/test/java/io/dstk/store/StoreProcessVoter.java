package io.dstk.store;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jgroups.View;

/**
 * A store voter in its own process, for the multi-process tests: joins with the localhost preset, opens the store and
 * prints {@code LEADER <name>} whenever the leader it knows changes (woken by the store's change notifications),
 * until it is killed.
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
    DefaultClusterStore d = (DefaultClusterStore) store;
    cluster.addListener(e -> System.out.println("AT " + System.currentTimeMillis() + " cluster " + e));
    d.trace(line -> System.out.println("AT " + System.currentTimeMillis() + " " + line));
    Optional<String> last = Optional.empty();
    View lastView = null;
    while (true) {
      long seen = d.changeCount();
      Optional<String> now = store.leader();
      View view = d.raftChannel().getView();
      if (view != null && !view.equals(lastView)) {
        System.out.println("AT " + System.currentTimeMillis() + " raft view " + view);
        lastView = view;
      }
      if (!now.equals(last)) {
        System.out.println("AT " + System.currentTimeMillis() + " leader " + now.orElse("-"));
        System.out.println("LEADER " + now.orElse("-"));
        last = now;
      }
      System.out.flush();
      d.awaitChange(seen, TimeUnit.SECONDS.toNanos(1));
    }
  }

  static StoreConfig config(String voters, int raftBase) {
    return StoreConfig.voters(voters.split(",")).ports(raftBase, 10).build();
  }
}
