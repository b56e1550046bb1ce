package io.dstk.store.internal;

/**
 * Implemented by the raft protocol of a voter's stack ({@link ObservedRaft}): reports every leader update and role
 * change. The store sees the protocol only through this interface and {@code RAFT}.
 */
public interface LeaderUpdates {

  /**
   * Sets the callback run after every leader update and role change, on a jgroups-raft thread that may hold raft
   * locks: it must only hand work to another thread.
   *
   * @param callback a non-blocking callback
   */
  void onLeaderUpdate(Runnable callback);
}
