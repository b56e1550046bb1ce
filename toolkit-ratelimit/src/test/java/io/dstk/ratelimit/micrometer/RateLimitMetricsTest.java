package io.dstk.ratelimit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.dstk.ratelimit.Budget;
import io.dstk.ratelimit.KeyedRateLimiter;
import io.dstk.ratelimit.RateLimiter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitMetricsTest {

    @Test
    void limiterCountersFollowItsStats() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RateLimiter limiter = RateLimiter.fixedWindow(2, Duration.ofHours(1)).recordStats().build();
        RateLimitMetrics.bind(limiter, "login", registry, Tag.of("app", "demo"));
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire();
        }
        assertThat(registry.get(RateLimitMetrics.REQUESTS).tags("limiter", "login", "result", "allowed", "app", "demo")
                .functionCounter().count()).isEqualTo(2);
        assertThat(registry.get(RateLimitMetrics.REQUESTS).tags("limiter", "login", "result", "denied")
                .functionCounter().count()).isEqualTo(3);
    }

    @Test
    void keyedCountersAreTotalsAndPerKeyOnlyForBoundKeys() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KeyedRateLimiter<String> limiter = KeyedRateLimiter.builder(RateLimiter.gcra(1, Duration.ofHours(1)))
                .recordStatsPerKey().build();
        RateLimitMetrics.bind(limiter, "api", registry);
        RateLimitMetrics.bindKey(limiter, "api", "vip", registry);
        limiter.tryAcquire("vip");
        limiter.tryAcquire("vip");
        limiter.tryAcquire("other");
        assertThat(registry.get(RateLimitMetrics.REQUESTS).tags("limiter", "api", "result", "denied")
                .functionCounters()).hasSize(2);
        assertThat(registry.find(RateLimitMetrics.REQUESTS).tags("key", "vip", "result", "denied").functionCounter()
                .count()).isEqualTo(1);
        assertThat(registry.find(RateLimitMetrics.REQUESTS).tags("key", "other").functionCounter()).isNull();
        assertThat(registry.find(RateLimitMetrics.REQUESTS).tags("result", "allowed").functionCounters()
                .stream().filter(c -> c.getId().getTag("key") == null).findFirst().orElseThrow().count())
                .isEqualTo(2);
    }

    @Test
    void budgetGaugesShowUsageAndTrip() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Budget budget = Budget.builder("spend", 10).build();
        RateLimitMetrics.bind(budget, registry);
        budget.tryAcquire(4);
        assertThat(registry.get(RateLimitMetrics.BUDGET_USED).tag("budget", "spend").gauge().value()).isEqualTo(4);
        assertThat(registry.get(RateLimitMetrics.BUDGET_REMAINING).gauge().value()).isEqualTo(6);
        assertThat(registry.get(RateLimitMetrics.BUDGET_TRIPPED).gauge().value()).isZero();
        budget.tryAcquire(6);
        assertThat(registry.get(RateLimitMetrics.BUDGET_TRIPPED).gauge().value()).isEqualTo(1);
        assertThat(registry.get(RateLimitMetrics.BUDGET_REMAINING).gauge().value()).isZero();
        budget.raise(20);
        assertThat(registry.get(RateLimitMetrics.BUDGET_LIMIT).gauge().value()).isEqualTo(20);
        assertThat(registry.get(RateLimitMetrics.BUDGET_EPOCH).gauge().value()).isEqualTo(1);
    }
}
