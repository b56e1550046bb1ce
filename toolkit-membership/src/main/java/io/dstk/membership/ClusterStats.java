package io.dstk.membership;

/**
 * A snapshot of a member's counters since it joined. Immutable.
 *
 * @param viewChanges views installed
 * @param removals members removed without a graceful leave (crash, suspicion or partition)
 * @param merges merge views installed
 * @param messagesSent messages and requests sent (a broadcast counts once)
 * @param bytesSent payload bytes sent
 * @param messagesReceived messages and requests received
 * @param bytesReceived payload bytes received
 * @param messagesDropped incoming messages dropped (malformed, over the size cap, unknown wire version, no handler,
 *     overloaded)
 * @param requestFailures requests that completed exceptionally
 */
public record ClusterStats(
    long viewChanges,
    long removals,
    long merges,
    long messagesSent,
    long bytesSent,
    long messagesReceived,
    long bytesReceived,
    long messagesDropped,
    long requestFailures) {}
