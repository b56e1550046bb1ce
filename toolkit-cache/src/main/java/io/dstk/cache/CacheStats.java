package io.dstk.cache;

/**
 * An immutable snapshot of one member's counters for one cache, since it was created.
 *
 * @param hits reads that found a value (counted without atomic instructions to keep reads cheap: under heavy
 *     concurrent reads it may undercount slightly, never overcount)
 * @param misses reads that found none (counted like hits)
 * @param puts values stored by writes issued on this member and acknowledged
 * @param removals removals issued on this member and acknowledged
 * @param evictions entries evicted or expired locally
 * @param rejections writes refused (no quorum, full, too large, codec failure, writer failure)
 * @param indeterminateWrites writes that ended with {@link IndeterminateWriteException}
 * @param replicationCount writes this member ordered and replicated
 * @param replicationNanos total time from ordering to the last acknowledgement of those writes
 * @param stateTransferBytes bytes of state received (joins, reconciliation)
 * @param stateTransferNanos time spent receiving state
 * @param entries live entries held now
 * @param weight estimated total weight now (the entry count without a weigher)
 * @param tombstones tombstones held now
 * @param droppedEvents listener events dropped because the queue was full
 */
public record CacheStats(
    long hits,
    long misses,
    long puts,
    long removals,
    long evictions,
    long rejections,
    long indeterminateWrites,
    long replicationCount,
    long replicationNanos,
    long stateTransferBytes,
    long stateTransferNanos,
    long entries,
    long weight,
    long tombstones,
    long droppedEvents) {

  /**
   * Returns hits / (hits + misses).
   *
   * @return the hit rate, 1.0 when there were no reads
   */
  public double hitRate() {
    long total = hits + misses;
    return total == 0 ? 1.0 : (double) hits / total;
  }
}
