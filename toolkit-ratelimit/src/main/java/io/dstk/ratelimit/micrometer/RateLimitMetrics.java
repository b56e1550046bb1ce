package io.dstk.ratelimit.micrometer;

import io.dstk.ratelimit.Budget;
import io.dstk.ratelimit.KeyedRateLimiter;
import io.dstk.ratelimit.RateLimiter;
import io.dstk.ratelimit.RateLimiterStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Binds rate limiters and budgets to a Micrometer {@link MeterRegistry}.
 *
 * <p>All meters are pull-based: the registry reads the limiter's counters (or the budget's state) when it
 * publishes, so the hot path pays only what {@code recordStats()} costs, and nothing if the registry is never
 * scraped. Meters hold the limiter or budget weakly: binding never keeps one alive.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th></tr>
 * <tr><td>{@value #REQUESTS}</td><td>function counter</td>
 *     <td>{@code limiter}, {@code result=allowed|denied} (and {@code key} from {@link #bindKey})</td></tr>
 * <tr><td>{@value #BUDGET_USED}, {@value #BUDGET_REMAINING}, {@value #BUDGET_LIMIT}</td><td>gauge (units)</td>
 *     <td>{@code budget}</td></tr>
 * <tr><td>{@value #BUDGET_TRIPPED}</td><td>gauge, 1 when tripped</td><td>{@code budget}</td></tr>
 * <tr><td>{@value #BUDGET_EPOCH}</td><td>gauge</td><td>{@code budget}</td></tr>
 * </table>
 *
 * <p>Counters stay at zero unless the limiter was built with {@code recordStats()} (per key:
 * {@code recordStatsPerKey()}). Per-key meters exist only for keys bound explicitly, to bound cardinality.
 * Thread safe; binding the same name twice returns the meters already registered.
 */
public final class RateLimitMetrics {
    /** Decisions taken, by result. */
    public static final String REQUESTS = "dstk.ratelimit.requests";
    /** Units used in the budget's current epoch. */
    public static final String BUDGET_USED = "dstk.ratelimit.budget.used";
    /** Units left in the budget's current epoch (0 once tripped). */
    public static final String BUDGET_REMAINING = "dstk.ratelimit.budget.remaining";
    /** The budget's limit in the current epoch. */
    public static final String BUDGET_LIMIT = "dstk.ratelimit.budget.limit";
    /** 1 while the budget's kill switch is tripped, else 0. */
    public static final String BUDGET_TRIPPED = "dstk.ratelimit.budget.tripped";
    /** The budget's current epoch. */
    public static final String BUDGET_EPOCH = "dstk.ratelimit.budget.epoch";

    private RateLimitMetrics() {
    }

    /**
     * Registers the allowed and denied counters of one limiter.
     *
     * @param limiter  the limiter (built with {@code recordStats()} for non-zero counts)
     * @param name     the {@code limiter} tag
     * @param registry the registry
     * @param tags     extra tags
     * @throws NullPointerException if an argument is null
     */
    public static void bind(RateLimiter limiter, String name, MeterRegistry registry, Tag... tags) {
        Objects.requireNonNull(limiter, "limiter");
        counters(limiter, RateLimiter::stats, Tags.of(tags).and("limiter", Objects.requireNonNull(name, "name")),
                registry);
    }

    /**
     * Registers the allowed and denied counters of a keyed limiter, summed over all keys.
     *
     * @param limiter  the keyed limiter (built with {@code recordStats()} for non-zero counts)
     * @param name     the {@code limiter} tag
     * @param registry the registry
     * @param tags     extra tags
     * @throws NullPointerException if an argument is null
     */
    public static void bind(KeyedRateLimiter<?> limiter, String name, MeterRegistry registry, Tag... tags) {
        Objects.requireNonNull(limiter, "limiter");
        counters(limiter, KeyedRateLimiter::stats, Tags.of(tags).and("limiter", Objects.requireNonNull(name, "name")),
                registry);
    }

    /**
     * Registers the counters of one key of a keyed limiter, tagged {@code key=String.valueOf(key)}. Only for a
     * few keys chosen on purpose: each adds two time series.
     *
     * @param limiter  the keyed limiter (built with {@code recordStatsPerKey()} for non-zero counts)
     * @param name     the {@code limiter} tag
     * @param key      the key
     * @param registry the registry
     * @param <K>      the key type
     * @throws NullPointerException if an argument is null
     */
    public static <K> void bindKey(KeyedRateLimiter<K> limiter, String name, K key, MeterRegistry registry) {
        Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(key, "key");
        counters(limiter, l -> l.stats(key),
                Tags.of("limiter", Objects.requireNonNull(name, "name"), "key", String.valueOf(key)), registry);
    }

    private static <T> void counters(T source, Function<T, RateLimiterStats> stats, Tags tags,
                                     MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        FunctionCounter.builder(REQUESTS, source, s -> stats.apply(s).allowed())
                .tags(tags).tag("result", "allowed").description("rate limiter decisions").register(registry);
        FunctionCounter.builder(REQUESTS, source, s -> stats.apply(s).denied())
                .tags(tags).tag("result", "denied").description("rate limiter decisions").register(registry);
    }

    /**
     * Registers the gauges of a budget: used, remaining, limit, tripped and epoch.
     *
     * @param budget   the budget
     * @param registry the registry
     * @param tags     extra tags
     * @throws NullPointerException if an argument is null
     */
    public static void bind(Budget budget, MeterRegistry registry, Tag... tags) {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(registry, "registry");
        Tags all = Tags.of(tags).and("budget", budget.state().name());
        gauge(BUDGET_USED, budget, b -> b.state().used(), "units used in the current epoch", all, registry);
        gauge(BUDGET_REMAINING, budget, b -> b.state().remaining(), "units left in the current epoch", all, registry);
        gauge(BUDGET_LIMIT, budget, b -> b.state().limit(), "limit of the current epoch", all, registry);
        gauge(BUDGET_TRIPPED, budget, b -> b.state().tripped() ? 1 : 0, "1 while the kill switch is tripped", all,
                registry);
        gauge(BUDGET_EPOCH, budget, b -> b.state().epoch(), "current epoch", all, registry);
    }

    private static void gauge(String name, Budget budget, ToDoubleFunction<Budget> value, String description,
                              Tags tags, MeterRegistry registry) {
        Gauge.builder(name, budget, value).tags(tags).description(description).register(registry);
    }
}
