/**
 * Cluster-wide rate limits and budgets: {@link io.dstk.ratelimit.cluster.ClusterRateLimiter} over
 * toolkit-membership and {@link io.dstk.ratelimit.cluster.ClusterBudget} over toolkit-store.
 *
 * <p>Only this package loads membership (JGroups) and store classes; both are optional dependencies of
 * toolkit-ratelimit, so add {@code io.dstk:toolkit-membership} (and {@code io.dstk:toolkit-store} for budgets)
 * to use it.
 */
package io.dstk.ratelimit.cluster;
