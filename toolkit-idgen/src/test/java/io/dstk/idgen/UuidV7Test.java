package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.SplittableRandom;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class UuidV7Test {
    private static final long NOW = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();

    @Test
    void rfc9562AppendixA6ExampleGivesItsStatedTimestamp() {
        // RFC 9562 appendix A.6: 017F22E2-79B0-7CC3-98C4-DC0C0C07398F, unix_ts_ms 0x017F22E279B0,
        // "Tuesday, February 22, 2022 2:22:22.00 PM GMT-05:00".
        UUID example = UUID.fromString("017F22E2-79B0-7CC3-98C4-DC0C0C07398F");

        assertThat(UuidV7.timestampOf(example)).isEqualTo(Instant.parse("2022-02-22T19:22:22Z"));
    }

    @Test
    void timestampOfRejectsOtherVersions() {
        assertThatThrownBy(() -> UuidV7.timestampOf(UUID.randomUUID())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is version 4");
        // RFC 9562 appendix A.5 (v6) example
        assertThatThrownBy(() -> UuidV7.timestampOf(UUID.fromString("1EC9414C-232A-6B00-B3C8-9F6BDECED846")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is version 6");
        // version 7 bits but not the RFC variant
        assertThatThrownBy(() -> UuidV7.timestampOf(UUID.fromString("017F22E2-79B0-7CC3-18C4-DC0C0C07398F")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("variant 0");
    }

    @Test
    void uuidsAreVersion7RfcVariantWithTheClocksTimestamp() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        UuidV7 gen = UuidV7.of(clock, new SplittableRandom(1));

        UUID uuid = gen.next();

        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(UuidV7.timestampOf(uuid)).isEqualTo(Instant.ofEpochMilli(NOW));
    }

    @Test
    void uuidsOfOneMillisecondSortInCreationOrderAndCounterRolloverCarriesTheTimestamp() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        UuidV7 gen = UuidV7.of(clock, new SplittableRandom(2));
        UUID previous = gen.next();

        for (int i = 0; i < 10_000; i++) {
            UUID next = gen.next();
            assertThat(next).isGreaterThan(previous);
            assertThat(next.toString()).isGreaterThan(previous.toString());
            previous = next;
        }
        // At least 2,048 per millisecond before the timestamp runs ahead; 10,001 in a frozen ms run ahead.
        assertThat(UuidV7.timestampOf(previous)).isAfter(Instant.ofEpochMilli(NOW));
        assertThat(UuidV7.timestampOf(previous)).isBefore(Instant.ofEpochMilli(NOW + 10));
    }

    @Test
    void backwardClockKeepsOrder() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        UuidV7 gen = UuidV7.of(clock, new SplittableRandom(3));
        UUID before = gen.next();

        clock.advance(-1_000);

        assertThat(gen.next()).isGreaterThan(before);
    }
}
