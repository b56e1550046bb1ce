package io.dstk.store.internal;

import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.Role;

/**
 * jgroups-raft's {@code RAFT} that also reports when this node learns a leader. {@code RAFT}'s role listeners fire
 * only when the role changes (a follower that learns the new leader stays a follower); every leader update goes
 * through {@link #changeRole}, so this hook sees them all. It shares {@code RAFT}'s protocol id, so its headers are
 * those of {@code RAFT} on the wire.
 *
 * <p>The callback runs on a jgroups-raft thread that may hold raft locks: it must only hand work to another thread.
 *
 * <p>Only {@link RaftStack} names this class, as a string: the store's javadoc runs on the module path, where a
 * subclass of {@code RAFT} in the store's sources cannot be resolved.
 */
public class ObservedRaft extends RAFT implements LeaderUpdates {
  private volatile Runnable onLeaderUpdate = () -> {};

  /** Creates the protocol with {@code RAFT}'s id. */
  public ObservedRaft() {
    setId(ClassConfigurator.getProtocolId(RAFT.class));
  }

  @Override
  public void onLeaderUpdate(Runnable callback) {
    this.onLeaderUpdate = callback;
  }

  @Override
  protected RAFT changeRole(Role role) {
    RAFT r = super.changeRole(role);
    onLeaderUpdate.run();
    return r;
  }
}
