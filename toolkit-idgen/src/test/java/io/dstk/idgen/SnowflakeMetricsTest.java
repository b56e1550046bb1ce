package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dstk.idgen.micrometer.SnowflakeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class SnowflakeMetricsTest {

    @Test
    void metersReportIssuedIdsClockEventsAndLead() {
        TestClocks.Manual clock = new TestClocks.Manual(Instant.parse("2026-06-01T12:00:00Z").toEpochMilli());
        SnowflakeGenerator gen = IdGenerator.snowflake(SnowflakeLayout.twitter()).nodeId(4).clock(clock)
                .clockSafety(ClockSafety.logicalClock(Duration.ofMillis(50), Duration.ZERO)).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new SnowflakeMetrics(gen, "orders").bindTo(registry);

        for (int i = 0; i < 10; i++) {
            gen.nextId();
        }
        clock.advance(-20);
        gen.nextId();
        clock.advance(-100);
        assertThatThrownBy(gen::nextId).isInstanceOf(ClockMovedBackwardsException.class);
        clock.advance(110);

        assertThat(registry.get(SnowflakeMetrics.IDS_ISSUED).tag("generator", "orders").tag("node", "4")
                .functionCounter().count()).isEqualTo(11);
        // Two backward steps: one absorbed by the logical clock, one beyond it.
        assertThat(registry.get(SnowflakeMetrics.CLOCK_BACKWARDS).functionCounter().count()).isEqualTo(2);
        assertThat(registry.get(SnowflakeMetrics.CLOCK_FAILURES).functionCounter().count()).isEqualTo(1);
        assertThat(registry.get(SnowflakeMetrics.TICKS_WAITED).functionCounter().count()).isZero();
        assertThat(registry.get(SnowflakeMetrics.CLOCK_LEAD).gauge().value()).isEqualTo(10);
    }
}
