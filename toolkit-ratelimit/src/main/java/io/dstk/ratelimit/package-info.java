/**
 * Rate limiters, keyed rate limiters and budgets.
 *
 * <p>Start at {@link io.dstk.ratelimit.RateLimiter} (one limit), {@link io.dstk.ratelimit.KeyedRateLimiter}
 * (one limit per key, bounded memory) or {@link io.dstk.ratelimit.Budget} (a long-window quota with a kill switch).
 */
package io.dstk.ratelimit;
