package io.dstk.cache;

import io.dstk.membership.Cluster;
import io.dstk.membership.Member;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Which member this member accepts replicated writes from. Until a new orderer reads or installs this member's state,
 * the coordinator of the current view; afterwards only that orderer, so that late writes of a previous orderer can no
 * longer land after its read and leave this member different from the others.
 */
final class OrdererFence {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile Member fence;

  /**
   * Runs {@code apply} if writes from {@code from} are accepted, holding off a concurrent {@link #fenceTo}; returns the
   * ACK status: 0 applied (or older), 1 not applied (key not decodable), 2 refused (not this member's orderer).
   */
  int applyIfAccepted(Member from, Cluster cluster, BooleanSupplier apply) {
    lock.readLock().lock();
    try {
      Member orderer = fence;
      boolean accepted = orderer != null ? orderer.equals(from) : from.equals(cluster.coordinator());
      return !accepted ? 2 : apply.getAsBoolean() ? 0 : 1;
    } finally {
      lock.readLock().unlock();
    }
  }

  boolean isFencedTo(Member orderer) {
    return orderer.equals(fence);
  }

  /** From now on accept replicated writes only from {@code orderer}. */
  void fenceTo(Member orderer) {
    lock.writeLock().lock();
    try {
      fence = orderer;
    } finally {
      lock.writeLock().unlock();
    }
  }
}
