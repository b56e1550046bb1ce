package io.dstk.ratelimit.cluster;

/**
 * Counters of one {@link ClusterRateLimiter} on this member. Immutable.
 *
 * @param allowed                calls admitted
 * @param denied                 calls denied
 * @param leaseRequests          lease requests completed (granted, refused or failed), local ones included
 * @param leaseFailures          lease requests that failed (owner unreachable)
 * @param leaseLatencyTotalNanos total time of the completed lease requests, by the limiter's ticker
 * @param leaseLatencyMaxNanos   the longest lease request
 * @param fallbackDecisions      decisions taken by the {@link ClusterRateLimiter.OwnerUnreachable} policy
 */
public record ClusterRateLimiterStats(long allowed, long denied, long leaseRequests, long leaseFailures,
                                      long leaseLatencyTotalNanos, long leaseLatencyMaxNanos,
                                      long fallbackDecisions) {
}
