package io.dstk.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.dstk.ratelimit.internal.CoarseTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;

/**
 * {@link Ticker#coarse(Duration)}: GCRA and the greedy token bucket deny from a coarse reading of the clock. In
 * virtual time the coarse reading is refreshed on a grid ({@code refreshEvery}), so it lags the clock by up to
 * that: on time when the grid is at most two resolutions (the slack), late beyond. Every call is checked against
 * a reference GCRA model fed with the coarse limiter's own admissions: an admission must be one the exact rule
 * allows (never over-admit), and a call the exact rule would admit may be denied only when the reading was older
 * than the slack, and only by that excess (a delay, never an over-admission).
 */
class CoarseTickerTest {
    private static final long START = Long.MAX_VALUE - 500_000_000_000L; // traces cross the ticker's wrap point

    /** Burst B, emission interval T, the ticker's resolution, how often the trace refreshes it, the factory. */
    record Config(int burst, long interval, long resolution, long refreshEvery, boolean tokenBucket) {
        Function<Ticker, RateLimiter> factory() {
            Duration period = Duration.ofNanos(burst * interval);
            return t -> tokenBucket ? RateLimiter.tokenBucket(burst, burst, period).ticker(t).build()
                    : RateLimiter.gcra(burst, period).ticker(t).build();
        }

        long slack() {
            return 2 * resolution;
        }
    }

    record Case(Config config, List<Long> gaps) {
    }

    /** A limiter's {@link CoarseTicker} over a manual clock whose coarse reading is refreshed on a grid. */
    static final class CoarseClock {
        final ManualTicker exact = new ManualTicker(START);
        final CoarseTicker ticker;
        final long refreshEvery;
        long now;
        long nextRefresh;

        CoarseClock(Config cfg) {
            this.refreshEvery = cfg.refreshEvery();
            this.ticker = new CoarseTicker(exact, Duration.ofNanos(cfg.resolution()));
            this.nextRefresh = refreshEvery;
        }

        /** Moves to {@code t} (offset from START), refreshing the coarse reading at every grid point passed. */
        void moveTo(long t) {
            while (nextRefresh <= t) {
                exact.advanceNanos(nextRefresh - now);
                now = nextRefresh;
                ticker.refresh();
                nextRefresh += refreshEvery;
            }
            exact.advanceNanos(t - now);
            now = t;
        }
    }

    static QuickTheory qt() {
        return QuickTheory.qt().withFixedSeed(20261130L).withExamples(300);
    }

    /** Resolution 1/20 to 5 intervals; refreshed every 1/10 to 5 resolutions (late beyond 2). */
    static Gen<Case> cases() {
        Gen<Config> configs = integers().between(1, 20).zip(integers().between(1, 5_000_000),
                integers().between(1, 100), integers().between(1, 50), integers().between(0, 1),
                (burst, interval, res, every, tb) -> {
                    long resolution = Math.max(1, (long) interval * res / 20);
                    return new Config(burst, interval, resolution, Math.max(1, resolution * every / 10), tb == 1);
                });
        return configs.flatMap(c -> lists().of(integers().between(0, 1000).map(k -> k <= 950
                ? c.interval() * k / 400 : c.interval() * c.burst() * (k - 950) / 10)).ofSizeBetween(1, 300)
                .map(g -> new Case(c, g)));
    }

    @Test
    void coarseClock_admitsOnlyWhatTheExactRuleAllows_andDeniesAnAdmissibleCallOnlyWhenLateBeyondTheSlack() {
        qt().forAll(cases()).checkAssert(c -> {
            Config cfg = c.config();
            CoarseClock clock = new CoarseClock(cfg);
            RateLimiter limiter = cfg.factory().apply(clock.ticker);
            long tolerance = cfg.burst() * cfg.interval();
            long cost = cfg.interval();
            long tat = 0; // the model's theoretical arrival time, fed with the limiter's own admissions
            long t = 0;
            for (long gap : c.gaps()) {
                t += gap;
                clock.moveTo(t);
                boolean exactAllows = Math.max(tat, t) + cost - t <= tolerance;
                boolean admitted = limiter.tryAcquire();
                if (admitted) {
                    assertThat(exactAllows).as("admitted at %d with tat %d: over the limit", t, tat).isTrue();
                    tat = Math.max(tat, t) + cost;
                } else if (exactAllows) {
                    // the reading was at most refreshEvery old: denied only if that exceeds the slack, by the excess
                    long admissibleSince = tat + cost - tolerance;
                    assertThat(t - admissibleSince).as("denied an admissible call")
                            .isLessThan(cfg.refreshEvery() - cfg.slack());
                }
            }
        });
    }

    @Test
    void coarseClock_refreshedOnTime_admitsExactlyLikeTheExactClock_andLateNeverMoreOrEarlier() {
        qt().forAll(cases()).checkAssert(c -> {
            List<Long> exact = admissions(c.config(), c.gaps(), false);
            List<Long> coarse = admissions(c.config(), c.gaps(), true);
            if (c.config().refreshEvery() <= c.config().slack()) {
                assertThat(coarse).isEqualTo(exact);
            }
            assertThat(coarse.size()).isLessThanOrEqualTo(exact.size());
            for (int k = 0; k < coarse.size(); k++) {
                assertThat(coarse.get(k)).isGreaterThanOrEqualTo(exact.get(k));
            }
        });
    }

    /** The times (offsets) at which the limiter admitted, on the exact clock or the coarse one. */
    static List<Long> admissions(Config cfg, List<Long> gaps, boolean coarse) {
        CoarseClock clock = new CoarseClock(cfg);
        RateLimiter limiter = cfg.factory().apply(coarse ? clock.ticker : clock.exact);
        List<Long> admitted = new ArrayList<>();
        long t = 0;
        for (long gap : gaps) {
            t += gap;
            clock.moveTo(t);
            if (limiter.tryAcquire()) {
                admitted.add(t);
            }
        }
        return admitted;
    }

    /*
     * The accuracy cost on random traces (the figures in docs/ratelimit.md): limit 1000/s (T = 1 ms), resolution
     * 1 ms, 10 s of Poisson arrivals at 0.5x to 10x the limit, bursts of 1000 and 1; the refresher on time (every
     * 1 ms) and late (a reading up to 5 ms old, 3 ms beyond the slack). Prints the admissions lost against the
     * exact clock and the largest delay of the k-th admission.
     */
    @Test
    void accuracyCost_onPoissonTraces_isMeasured_noneWhenTheRefresherIsOnTime() {
        long interval = 1_000_000;
        long resolution = 1_000_000;
        for (long refreshEvery : new long[] {resolution, 5 * resolution}) {
            for (int burst : new int[] {1000, 1}) {
                Config cfg = new Config(burst, interval, resolution, refreshEvery, false);
                for (double load : new double[] {0.5, 1, 2, 10}) {
                    SplittableRandom random = new SplittableRandom(42);
                    List<Long> gaps = new ArrayList<>();
                    double meanGap = interval / load;
                    for (long t = 0; t < 10_000_000_000L; ) {
                        long gap = (long) (-meanGap * Math.log(1 - random.nextDouble()));
                        gaps.add(gap);
                        t += gap;
                    }
                    List<Long> exact = admissions(cfg, gaps, false);
                    List<Long> coarse = admissions(cfg, gaps, true);
                    long maxDelay = 0;
                    for (int k = 0; k < coarse.size(); k++) {
                        maxDelay = Math.max(maxDelay, coarse.get(k) - exact.get(k));
                    }
                    System.out.printf("coarse 1 ms refreshed every %d ms, limit 1000/s, burst %d, load %.1fx: "
                            + "exact %d, coarse %d admitted (%.3f %% lost), max delay of the k-th admission "
                            + "%.3f ms%n", refreshEvery / 1_000_000, burst, load, exact.size(), coarse.size(),
                            100.0 * (exact.size() - coarse.size()) / exact.size(), maxDelay / 1e6);
                    assertThat(coarse.size()).isLessThanOrEqualTo(exact.size());
                    if (refreshEvery <= cfg.slack()) {
                        assertThat(coarse).isEqualTo(exact);
                    }
                }
            }
        }
    }

    @Test
    void newLimiter_admitsItsFirstCall_evenWhenTheCoarseReadingIsFarBehind() {
        for (boolean tokenBucket : new boolean[] {false, true}) {
            ManualTicker exact = new ManualTicker(START);
            CoarseTicker ticker = new CoarseTicker(exact, Duration.ofMillis(1));
            exact.advanceNanos(Duration.ofSeconds(5).toNanos()); // the refresher has not run for 5 s
            RateLimiter limiter = new Config(1, Duration.ofHours(1).toNanos(), 1_000_000, 1_000_000, tokenBucket)
                    .factory().apply(ticker);
            assertThat(limiter.tryAcquire()).as("first call, token bucket %s", tokenBucket).isTrue();
            assertThat(limiter.tryAcquire()).as("second call, token bucket %s", tokenBucket).isFalse();
        }
    }

    @Test
    void sharedTicker_refreshesInTheBackground_andIsNeverAheadOfTheClock() {
        Ticker ticker = Ticker.coarse(Duration.ofMillis(1));
        assertThat(ticker).isSameAs(Ticker.coarse(Duration.ofMillis(1)));
        CoarseTicker coarse = (CoarseTicker) ticker;
        long first = coarse.readCoarse();
        assertThat(first - ticker.read()).isLessThanOrEqualTo(0);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> coarse.readCoarse() - first > 0);
        assertThat(coarse.readCoarse() - ticker.read()).isLessThanOrEqualTo(0);
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(
                t -> t.getName().equals("dstk-ratelimit-coarse-ticker-1000000") && t.isDaemon());

        RateLimiter limiter = RateLimiter.gcra(1, Duration.ofHours(1)).ticker(ticker).build();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(limiter.tryAcquireWithDecision(1).retryAfterNanos()).isPositive();

        // keyed limiters share the per-key configuration, coarse ticker included
        KeyedRateLimiter<String> keyed = KeyedRateLimiter.builder(RateLimiter.tokenBucket(1, 1, Duration.ofHours(1))
                .ticker(ticker)).build();
        assertThat(keyed.tryAcquire("a")).isTrue();
        assertThat(keyed.tryAcquire("a")).isFalse();
        assertThat(keyed.tryAcquire("b")).isTrue();
    }

    @Test
    void coarseResolution_outOfRange_isRejectedWithTheValueNamed() {
        assertThatThrownBy(() -> Ticker.coarse(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("resolution");
        assertThatThrownBy(() -> Ticker.coarse(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resolution").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Ticker.coarse(Duration.ofSeconds(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT2S");
    }
}
