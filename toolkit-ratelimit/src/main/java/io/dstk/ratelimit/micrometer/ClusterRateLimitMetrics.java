package io.dstk.ratelimit.micrometer;

import io.dstk.ratelimit.cluster.ClusterRateLimiter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Binds a {@link ClusterRateLimiter} to a Micrometer {@link MeterRegistry}; a class of its own so that
 * {@link RateLimitMetrics} never loads cluster classes.
 *
 * <table>
 * <caption>Meters (all tagged {@code limiter})</caption>
 * <tr><th>name</th><th>type</th><th>tags</th></tr>
 * <tr><td>{@value RateLimitMetrics#REQUESTS}</td><td>function counter</td><td>{@code result=allowed|denied}</td></tr>
 * <tr><td>{@value #LEASE_REQUESTS}</td><td>function counter</td><td>{@code result=completed|failed}
 *     (completed counts every answered or failed request; failed: owner unreachable)</td></tr>
 * <tr><td>{@value #LEASE_LATENCY}</td><td>function timer (count, total time)</td><td></td></tr>
 * <tr><td>{@value #FALLBACK_DECISIONS}</td><td>function counter</td><td></td></tr>
 * </table>
 *
 * <p>Pull-based, holding the limiter weakly; the counters are always kept (no {@code recordStats()} needed).
 * Lease latency is measured with the limiter's ticker. Thread safe.
 */
public final class ClusterRateLimitMetrics {
    /** Lease requests sent by this member (local ones included), by result. */
    public static final String LEASE_REQUESTS = "dstk.ratelimit.lease.requests";
    /** Time from sending a lease request to its answer or failure. */
    public static final String LEASE_LATENCY = "dstk.ratelimit.lease.latency";
    /** Decisions taken by the owner-unreachable policy. */
    public static final String FALLBACK_DECISIONS = "dstk.ratelimit.fallback.decisions";

    private ClusterRateLimitMetrics() {
    }

    /**
     * Registers the meters of one cluster limiter.
     *
     * @param limiter  the limiter
     * @param name     the {@code limiter} tag
     * @param registry the registry
     * @param tags     extra tags
     * @throws NullPointerException if an argument is null
     */
    public static void bind(ClusterRateLimiter limiter, String name, MeterRegistry registry, Tag... tags) {
        Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(registry, "registry");
        Tags t = Tags.of(tags).and("limiter", Objects.requireNonNull(name, "name"));
        FunctionCounter.builder(RateLimitMetrics.REQUESTS, limiter, l -> l.stats().allowed()).tags(t)
                .tag("result", "allowed").description("rate limiter decisions").register(registry);
        FunctionCounter.builder(RateLimitMetrics.REQUESTS, limiter, l -> l.stats().denied()).tags(t)
                .tag("result", "denied").description("rate limiter decisions").register(registry);
        FunctionCounter.builder(LEASE_REQUESTS, limiter, l -> l.stats().leaseRequests()).tags(t)
                .tag("result", "completed").description("lease requests").register(registry);
        FunctionCounter.builder(LEASE_REQUESTS, limiter, l -> l.stats().leaseFailures()).tags(t)
                .tag("result", "failed").description("lease requests").register(registry);
        FunctionTimer.builder(LEASE_LATENCY, limiter, l -> l.stats().leaseRequests(),
                l -> l.stats().leaseLatencyTotalNanos(), TimeUnit.NANOSECONDS).tags(t)
                .description("lease request latency").register(registry);
        FunctionCounter.builder(FALLBACK_DECISIONS, limiter, l -> l.stats().fallbackDecisions()).tags(t)
                .description("decisions taken while the owner was unreachable").register(registry);
    }
}
