/**
 * Micrometer meters for rate limiters and budgets ({@link io.dstk.ratelimit.micrometer.RateLimitMetrics}); the
 * only package that needs {@code io.micrometer:micrometer-core}, an optional dependency.
 */
package io.dstk.ratelimit.micrometer;
