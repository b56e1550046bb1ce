package io.dstk.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** A keyed limiter decides exactly like one limiter per key built from the same builder, on random traces. */
class KeyedModelTest {

    record Call(long dt, int key, int permits) {
    }

    @Test
    void eachKeyBehavesLikeItsOwnLimiter() {
        Gen<Call> calls = integers().between(0, 300).zip(integers().between(0, 7), integers().between(1, 5),
                (dt, key, permits) -> new Call(dt * 1_000_000L, key, permits));
        Gen<List<Call>> traces = lists().of(calls).ofSizeBetween(1, 200);
        AlgorithmModelTest.qt().forAll(traces, integers().between(0, 5)).checkAssert((trace, algorithm) -> {
            ManualTicker ticker = new ManualTicker(0);
            RateLimiterBuilder builder = builder(algorithm, ticker);
            KeyedRateLimiter<Integer> keyed = KeyedRateLimiter.builder(builder).build();
            Map<Integer, RateLimiter> separate = new HashMap<>();
            for (Call call : trace) {
                ticker.advanceNanos(call.dt());
                // limiters built from one builder count their windows and refill intervals from one origin
                RateLimiter own = separate.computeIfAbsent(call.key(), k -> builder.build());
                assertThat(keyed.tryAcquire(call.key(), call.permits()))
                        .as("key %d asking %d", call.key(), call.permits())
                        .isEqualTo(own.tryAcquire(call.permits()));
            }
        });
    }

    private static RateLimiterBuilder builder(int algorithm, Ticker ticker) {
        Duration second = Duration.ofSeconds(1);
        switch (algorithm) {
            case 0:
                return RateLimiter.tokenBucket(5, 3, second).ticker(ticker);
            case 1:
                return RateLimiter.tokenBucket(5, 3, second).refillIntervally().ticker(ticker);
            case 2:
                return RateLimiter.gcra(5, second).ticker(ticker);
            case 3:
                return RateLimiter.fixedWindow(5, second).ticker(ticker);
            case 4:
                return RateLimiter.slidingWindowLog(5, second).ticker(ticker);
            default:
                return RateLimiter.slidingWindowCounter(5, second).ticker(ticker);
        }
    }
}
