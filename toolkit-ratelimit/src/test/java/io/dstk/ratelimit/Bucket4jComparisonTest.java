package io.dstk.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;

import io.dstk.ratelimit.AlgorithmModelTest.Case;
import io.dstk.ratelimit.AlgorithmModelTest.Config;
import io.dstk.ratelimit.AlgorithmModelTest.Step;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Replays the same random traces on our token buckets and on Bucket4j's (a peer, test scope), both reading
 * one virtual clock.
 */
class Bucket4jComparisonTest {
    private static final long START = 1_000_000_000_000_000L;

    private static Bucket bucket4j(ManualTicker ticker, Config c, long period, boolean greedy) {
        TimeMeter meter = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return ticker.read();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        return Bucket.builder()
                .addLimit(l -> greedy
                        ? l.capacity(c.limit()).refillGreedy(c.refill(), Duration.ofNanos(period))
                        : l.capacity(c.limit()).refillIntervally(c.refill(), Duration.ofNanos(period)))
                .withCustomTimePrecision(meter).build();
    }

    /** Replays on both; returns the largest difference in permits admitted so far, minus the periods elapsed. */
    private static long replay(Case k, long period, boolean greedy, boolean exact) {
        Config c = k.config();
        ManualTicker ticker = new ManualTicker(START);
        RateLimiterBuilder builder = RateLimiter.tokenBucket(c.limit(), c.refill(), Duration.ofNanos(period))
                .ticker(ticker);
        RateLimiter ours = (greedy ? builder : builder.refillIntervally()).build();
        Bucket theirs = bucket4j(ticker, c, period, greedy);
        long oursTotal = 0;
        long theirsTotal = 0;
        long elapsed = 0;
        long worst = Long.MIN_VALUE;
        for (Step step : k.trace()) {
            ticker.advanceNanos(step.dt());
            elapsed += step.dt();
            boolean a = ours.tryAcquire(step.permits());
            boolean b = theirs.tryConsume(step.permits());
            if (exact) {
                assertThat(a).as("step at %d ns asking %d of %s", elapsed, step.permits(), c).isEqualTo(b);
            }
            oursTotal += a ? step.permits() : 0;
            theirsTotal += b ? step.permits() : 0;
            worst = Math.max(worst, Math.abs(oursTotal - theirsTotal) - (elapsed / period + 1));
        }
        return worst;
    }

    @Test
    void identicalAdmissionsWhenThePeriodDividesEvenly() {
        AlgorithmModelTest.qt().forAll(AlgorithmModelTest.cases()).checkAssert(k -> {
            replay(k, k.config().period(), true, true);
            replay(k, k.config().period(), false, true);
        });
    }

    @Test
    void withinOnePermitPerPeriodOtherwise() {
        AlgorithmModelTest.qt().forAll(AlgorithmModelTest.cases(), integers().between(1, 999_999)).checkAssert((k, extra) -> {
            long period = k.config().period() + extra; // no longer a multiple of the refill
            assertThat(replay(k, period, true, false)).isLessThanOrEqualTo(0);
            assertThat(replay(k, period, false, false)).isLessThanOrEqualTo(0);
        });
    }
}
