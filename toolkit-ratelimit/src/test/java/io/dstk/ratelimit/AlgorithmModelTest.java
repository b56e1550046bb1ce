package io.dstk.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;

/**
 * Model-based property tests: every algorithm replays random traces in virtual time next to a small reference
 * model written from the algorithm's definition, and the admissions must be identical; the window bounds each
 * definition promises are checked on the admissions, and a denied request passes once its retry-after elapsed.
 */
class AlgorithmModelTest {

    /** Limit L, refill R (1..L) and emission interval T; the period is P = R x T so T is a whole number. */
    record Config(int limit, int refill, long interval) {
        long period() {
            return refill * interval;
        }
    }

    record Step(long dt, int permits) {
    }

    record Case(Config config, List<Step> trace) {
    }

    interface Model {
        boolean offer(long elapsed, int permits);
    }

    private static final long START = Long.MAX_VALUE - 500_000_000_000L; // traces cross the ticker's wrap point

    static QuickTheory qt() {
        return QuickTheory.qt().withFixedSeed(20261129L).withExamples(300);
    }

    static Gen<Case> cases() {
        Gen<Config> configs = integers().between(1, 20).flatMap(limit -> integers().between(1, limit)
                .zip(integers().between(1, 50_000_000), (refill, interval) -> new Config(limit, refill, interval)));
        return configs.flatMap(c -> lists().of(steps(c)).ofSizeBetween(1, 150).map(t -> new Case(c, t)));
    }

    static Gen<Step> steps(Config c) {
        Gen<Long> dts = integers().between(0, 1000).map(k -> k <= 980 ? c.period() * k / 2000
                : c.period() * (k - 980) / 4);
        Gen<Integer> permits = integers().between(1, 2 * c.limit()).map(p -> p > c.limit() ? 1 : p);
        return dts.zip(permits, Step::new);
    }

    /** Replays the trace; returns the elapsed time of each admitted permit (one entry per permit). */
    static List<Long> replay(Case k, Function<Ticker, RateLimiterBuilder> builder, Model model) {
        ManualTicker ticker = new ManualTicker(START);
        RateLimiter limiter = builder.apply(ticker).build();
        List<Long> admitted = new ArrayList<>();
        long elapsed = 0;
        for (Step step : k.trace()) {
            ticker.advanceNanos(step.dt());
            elapsed += step.dt();
            boolean expected = model.offer(elapsed, step.permits());
            boolean actual = step.permits() == 1 && elapsed % 2 == 0 ? limiter.tryAcquire()
                    : elapsed % 3 == 0 ? limiter.tryAcquireWithDecision(step.permits()).allowed()
                    : limiter.tryAcquire(step.permits());
            assertThat(actual).as("step at %d ns asking %d of %s", elapsed, step.permits(), k.config()).isEqualTo(expected);
            for (int i = 0; actual && i < step.permits(); i++) {
                admitted.add(elapsed);
            }
        }
        // no starvation: after its retry-after, any request within the limit passes
        for (int permits : new int[] {1, k.config().limit()}) {
            RateLimitDecision d = limiter.tryAcquireWithDecision(permits);
            if (!d.allowed()) {
                ticker.advanceNanos(d.retryAfterNanos());
                assertThat(limiter.tryAcquire(permits)).as("%d permits after retry-after %d", permits,
                        d.retryAfterNanos()).isTrue();
            }
        }
        return admitted;
    }

    /** At most {@code bound(length)} permits in any interval [t_i, t_j] of admissions. */
    static void assertAtMostInAnyInterval(List<Long> admitted, Function<Long, Double> bound, String what) {
        for (int i = 0; i < admitted.size(); i++) {
            for (int j = i; j < admitted.size(); j++) {
                long length = admitted.get(j) - admitted.get(i);
                int count = j - i + 1;
                assertThat((double) count).as("%s: %d permits within %d ns", what, count, length)
                        .isLessThanOrEqualTo(bound.apply(length));
            }
        }
    }

    /** Continuous token bucket in exact integer arithmetic: tokens are kept in units of 1/period. */
    static Model tokenBucketModel(Config c) {
        return new Model() {
            final long scale = c.period();
            long tokens = c.limit() * scale;
            long last;

            @Override
            public boolean offer(long elapsed, int permits) {
                tokens = Math.min(c.limit() * scale, tokens + (elapsed - last) * c.refill());
                last = elapsed;
                if (tokens >= permits * scale) {
                    tokens -= permits * scale;
                    return true;
                }
                return false;
            }
        };
    }

    @Test
    void greedyTokenBucketAndGcraMatchTheContinuousTokenBucket() {
        qt().forAll(cases()).checkAssert(k -> {
            Config c = k.config();
            List<Long> bucket = replay(k, t -> RateLimiter.tokenBucket(c.limit(), c.refill(),
                    Duration.ofNanos(c.period())).ticker(t), tokenBucketModel(c));
            List<Long> gcra = replay(k, t -> RateLimiter.gcra(c.refill(), Duration.ofNanos(c.period()))
                    .burst(c.limit()).ticker(t), tokenBucketModel(c));
            assertThat(gcra).as("GCRA is the token bucket's admission function").isEqualTo(bucket);
            assertAtMostInAnyInterval(bucket, len -> c.limit() + (double) len * c.refill() / c.period(),
                    "capacity + rate x time");
        });
    }

    @Test
    void intervalTokenBucketMatchesRefillAtPeriodBoundaries() {
        qt().forAll(cases()).checkAssert(k -> {
            Config c = k.config();
            Model model = new Model() {
                long tokens = c.limit();
                long lastPeriod;

                @Override
                public boolean offer(long elapsed, int permits) {
                    long p = elapsed / c.period();
                    tokens = Math.min(c.limit(), tokens + (p - lastPeriod) * c.refill());
                    lastPeriod = p;
                    if (tokens >= permits) {
                        tokens -= permits;
                        return true;
                    }
                    return false;
                }
            };
            List<Long> admitted = replay(k, t -> RateLimiter.tokenBucket(c.limit(), c.refill(),
                    Duration.ofNanos(c.period())).refillIntervally().ticker(t), model);
            assertAtMostInAnyInterval(admitted,
                    len -> c.limit() + (double) (len / c.period() + 1) * c.refill(), "capacity + refills");
        });
    }

    @Test
    void fixedWindowMatchesACounterPerWindow() {
        qt().forAll(cases()).checkAssert(k -> {
            Config c = k.config();
            Map<Long, Integer> counts = new HashMap<>();
            Model model = (elapsed, permits) -> {
                long w = elapsed / c.period();
                int used = counts.getOrDefault(w, 0);
                if (used + permits > c.limit()) {
                    return false;
                }
                counts.put(w, used + permits);
                return true;
            };
            List<Long> admitted = replay(k, t -> RateLimiter.fixedWindow(c.limit(), Duration.ofNanos(c.period()))
                    .ticker(t), model);
            assertAtMostInAnyInterval(admitted, len -> len < c.period() ? 2.0 * c.limit() : Double.MAX_VALUE,
                    "twice the limit across a boundary");
        });
    }

    @Test
    void slidingWindowLogMatchesTheDefinitionAndNeverExceedsTheLimitInAnyWindow() {
        qt().forAll(cases()).checkAssert(k -> {
            Config c = k.config();
            List<Long> log = new ArrayList<>();
            Model model = (elapsed, permits) -> {
                long inWindow = log.stream().filter(t -> elapsed - t < c.period()).count();
                if (inWindow + permits > c.limit()) {
                    return false;
                }
                for (int i = 0; i < permits; i++) {
                    log.add(elapsed);
                }
                return true;
            };
            List<Long> admitted = replay(k, t -> RateLimiter.slidingWindowLog(c.limit(),
                    Duration.ofNanos(c.period())).ticker(t), model);
            assertAtMostInAnyInterval(admitted, len -> len < c.period() ? c.limit() : Double.MAX_VALUE,
                    "limit in any window");
        });
    }

    @Test
    void slidingWindowCounterMatchesTheWeightedEstimate() {
        qt().forAll(cases()).checkAssert(k -> {
            Config c = k.config();
            Map<Long, Long> counts = new HashMap<>();
            Model model = (elapsed, permits) -> {
                long w = elapsed / c.period();
                long into = elapsed % c.period();
                double estimate = counts.getOrDefault(w - 1, 0L) * ((double) (c.period() - into) / c.period())
                        + counts.getOrDefault(w, 0L);
                if (estimate + permits > c.limit()) {
                    return false;
                }
                counts.merge(w, (long) permits, Long::sum);
                return true;
            };
            List<Long> admitted = replay(k, t -> RateLimiter.slidingWindowCounter(c.limit(),
                    Duration.ofNanos(c.period())).ticker(t), model);
            Map<Long, Integer> perWindow = new HashMap<>();
            admitted.forEach(t -> perWindow.merge(t / c.period(), 1, Integer::sum));
            assertThat(perWindow.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(c.limit()));
        });
    }

    @Test
    void leakyBucketQueueAdmitsOnePermitPerIntervalWithoutWaiters() {
        qt().forAll(cases()).checkAssert(k -> {
            Config c = k.config();
            Model model = new Model() {
                long nextFree;

                @Override
                public boolean offer(long elapsed, int permits) {
                    if (elapsed < nextFree) {
                        return false;
                    }
                    nextFree = elapsed + permits * c.interval();
                    return true;
                }
            };
            List<Long> admitted = replay(k, t -> RateLimiter.leakyBucketQueue(c.refill(),
                    Duration.ofNanos(c.period())).queueCapacity(c.limit()).ticker(t), model);
            assertAtMostInAnyInterval(admitted, len -> c.limit() + (double) len / c.interval(), "paced output");
        });
    }
}
