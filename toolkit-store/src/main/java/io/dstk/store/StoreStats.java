package io.dstk.store;

/**
 * Counters and raft state of one store instance at one moment. Immutable.
 *
 * @param operations operations completed (successfully or not) since open
 * @param failures operations that failed, any reason
 * @param noQuorum failures with {@link NoQuorumException}
 * @param timeouts failures with {@link StoreTimeoutException}
 * @param totalLatencyNanos sum of the latencies of all completed operations
 * @param leader whether this instance is the raft leader
 * @param term the current raft term (0 on a non-voter)
 * @param commitIndex the raft commit index (0 on a non-voter)
 * @param logSize the number of entries in the local raft log (0 on a non-voter)
 * @param hasQuorum whether {@link ClusterStore#hasQuorum()} is true
 * @param duplicates retried writes this voter's state machine answered from its table of recent requests instead of
 *     applying them again (0 on a non-voter)
 */
public record StoreStats(
    long operations,
    long failures,
    long noQuorum,
    long timeouts,
    long totalLatencyNanos,
    boolean leader,
    long term,
    long commitIndex,
    long logSize,
    boolean hasQuorum,
    long duplicates) {}
