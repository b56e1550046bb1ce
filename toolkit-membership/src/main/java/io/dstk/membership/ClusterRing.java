package io.dstk.membership;

import io.dstk.hash.ConsistentHash;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A consistent-hash ring of the cluster's members that follows every view: after each view change it is rebuilt
 * from the new member list, with the node name as the hash key, so a member that restarts under the same name gets
 * the same place on the ring.
 *
 * <pre>{@code
 * ClusterRing ring = ClusterRing.create(cluster);
 * Member owner = ring.current().nodeFor("order-42");
 * ring.addListener(change -> rebalance(change.previous(), change.current()));
 * }</pre>
 *
 * <p><b>Consistency.</b> {@link #current()} is an immutable {@link ConsistentHash}; every member of a partition builds
 * the same ring from the same view, so they agree on owners once they have installed the same view. Between views
 * they may briefly disagree: route requests with {@link RequestPolicy#withViewCheck(boolean)} and retry on
 * {@link StaleViewException}.
 *
 * <p><b>Threading.</b> Thread-safe. Ring listeners run on the cluster's event thread for this ring, one change at a
 * time, in view order; a listener that throws is logged and keeps receiving.
 *
 * <p><b>Lifecycle.</b> {@link #close()} stops following the cluster; idempotent.
 */
public final class ClusterRing implements AutoCloseable {

  /**
   * One ring change.
   *
   * @param view the view the new ring was built from
   * @param previous the ring before
   * @param current the ring after
   */
  public record RingChange(ClusterView view, ConsistentHash<Member> previous, ConsistentHash<Member> current) {}

  /** Receives ring changes. */
  @FunctionalInterface
  public interface RingListener {
    /**
     * Handles one change.
     *
     * @param change the change
     */
    void onRingChanged(RingChange change);
  }

  private final Function<Collection<Member>, ConsistentHash<Member>> factory;
  private final CopyOnWriteArrayList<RingListener> listeners = new CopyOnWriteArrayList<>();
  private final Registration registration;
  private volatile ClusterView view;
  private volatile ConsistentHash<Member> ring;

  private ClusterRing(Cluster cluster, Function<Collection<Member>, ConsistentHash<Member>> factory) {
    this.factory = factory;
    synchronized (this) {
      this.registration = cluster.addListener(this::onEvent);
      update(cluster.view());
    }
  }

  /**
   * Follows a cluster with the default ring: {@code ConsistentHash.ring()} (160 virtual nodes, murmur3) keyed by
   * node name.
   *
   * @param cluster the cluster
   * @return the ring, already built from the current view
   */
  public static ClusterRing create(Cluster cluster) {
    return create(cluster, members -> ConsistentHash.ring().nodeKey(Member::name).build(members));
  }

  /**
   * Follows a cluster with your own ring algorithm, e.g.
   * {@code members -> ConsistentHash.maglev().nodeKey(Member::name).build(members)}. Key nodes by
   * {@link Member#name()} so placement survives restarts.
   *
   * @param cluster the cluster
   * @param factory builds a ring from the members of a view, in view order
   * @return the ring, already built from the current view
   */
  public static ClusterRing create(Cluster cluster, Function<Collection<Member>, ConsistentHash<Member>> factory) {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(factory, "factory");
    return new ClusterRing(cluster, factory);
  }

  /**
   * Returns the ring of the latest view.
   *
   * @return an immutable ring
   */
  public ConsistentHash<Member> current() {
    return ring;
  }

  /**
   * Returns the view {@link #current()} was built from.
   *
   * @return the view
   */
  public ClusterView view() {
    return view;
  }

  /**
   * Registers a listener for later changes.
   *
   * @param listener the listener
   * @return a handle that removes it
   */
  public Registration addListener(RingListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void onEvent(MembershipEvent event) {
    RingChange change;
    synchronized (this) {
      ClusterView next = event.newView();
      if (view != null && next.id() <= view.id()) {
        return;
      }
      ConsistentHash<Member> previous = ring;
      update(next);
      change = new RingChange(next, previous, ring);
    }
    for (RingListener l : listeners) {
      try {
        l.onRingChanged(change);
      } catch (RuntimeException e) {
        DefaultCluster.LOG.error("ring listener {} failed on view {}", l, change.view().id(), e);
      }
    }
  }

  private void update(ClusterView next) {
    ring = factory.apply(next.members());
    view = next;
  }

  /** Stops following the cluster; idempotent. */
  @Override
  public void close() {
    registration.close();
    listeners.clear();
  }
}
