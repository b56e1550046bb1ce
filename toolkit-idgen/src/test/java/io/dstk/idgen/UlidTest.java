package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.github.f4b6a3.ulid.UlidCreator;

import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

class UlidTest {
    private static final long NOW = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();

    @Test
    void textAndOrderAgreeWithUlidCreator() {
        qt().withFixedSeed(11L).withExamples(5000).forAll(longs().all(), longs().all(), longs().all(), longs().all())
                .checkAssert((msb1, lsb1, msb2, lsb2) -> {
                    Ulid a = Ulid.of(msb1, lsb1);
                    Ulid b = Ulid.of(msb2, lsb2);
                    com.github.f4b6a3.ulid.Ulid refA = new com.github.f4b6a3.ulid.Ulid(msb1, lsb1);
                    com.github.f4b6a3.ulid.Ulid refB = new com.github.f4b6a3.ulid.Ulid(msb2, lsb2);

                    assertThat(a.toString()).isEqualTo(refA.toString());
                    assertThat(a.timestampMillis()).isEqualTo(refA.getTime());
                    assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Integer.signum(refA.compareTo(refB)));
                    assertThat(Integer.signum(a.compareTo(b)))
                            .isEqualTo(Integer.signum(a.toString().compareTo(b.toString())));
                });
    }

    @Test
    void parsesWhatUlidCreatorMakes() {
        for (int i = 0; i < 1000; i++) {
            com.github.f4b6a3.ulid.Ulid ref = UlidCreator.getMonotonicUlid();
            Ulid parsed = Ulid.parse(ref.toString());
            assertThat(parsed.mostSignificantBits()).isEqualTo(ref.getMostSignificantBits());
            assertThat(parsed.leastSignificantBits()).isEqualTo(ref.getLeastSignificantBits());
            assertThat(Ulid.parse(ref.toString().toLowerCase(Locale.ROOT))).isEqualTo(parsed);
        }
    }

    @Test
    void textRoundTripsInEitherCase() {
        qt().withFixedSeed(12L).withExamples(5000).forAll(longs().all(), longs().all()).checkAssert((msb, lsb) -> {
            Ulid ulid = Ulid.of(msb, lsb);
            String text = ulid.toString();
            assertThat(text).hasSize(26).matches("[0-7][0-9A-HJKMNP-TV-Z]{25}");
            assertThat(Ulid.parse(text)).isEqualTo(ulid);
            assertThat(Ulid.parse(text.toLowerCase(Locale.ROOT))).isEqualTo(ulid);
            assertThat(Ulid.fromUuid(ulid.toUuid())).isEqualTo(ulid);
        });
    }

    @Test
    void specExamplesAndLimits() {
        // ULID spec: the largest valid ULID is 7ZZZZZZZZZZZZZZZZZZZZZZZZZ (timestamp 2^48 - 1)
        Ulid max = Ulid.parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
        assertThat(max.timestampMillis()).isEqualTo(Ulid.MAX_TIMESTAMP).isEqualTo(281474976710655L);
        assertThat(max.leastSignificantBits()).isEqualTo(-1L);
        assertThat(Ulid.parse("00000000000000000000000000")).isEqualTo(Ulid.of(0, 0));
        // ULID spec README example: 01ARZ3NDEKTSV4RRFFQ69G5FAV has timestamp 1469922850259
        assertThat(Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").timestampMillis()).isEqualTo(1469922850259L);
    }

    @Test
    void parseReadsOAsZeroAndIAndLAsOne_likeEveryCrockfordDecoder() {
        Ulid canonical = Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5F10");
        assertThat(Ulid.parse("0IARZ3NDEKTSV4RRFFQ69G5FIO")).isEqualTo(Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5F10"));
        assertThat(Ulid.parse("OlARZ3NDEKTSV4RRFFQ69G5FLo")).isEqualTo(canonical);
        assertThat(canonical.toString()).isEqualTo("01ARZ3NDEKTSV4RRFFQ69G5F10");
    }

    @Test
    void badTextIsRejected() {
        assertThatThrownBy(() -> Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5FA")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("25 characters");
        assertThatThrownBy(() -> Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5FAVV"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("27 characters");
        for (char bad : new char[] {'U', 'u', '-', ' ', 'é', '*'}) {
            String text = "01ARZ3NDEKTSV4RRFFQ69G5FA" + bad;
            assertThatThrownBy(() -> Ulid.parse(text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at index 25");
        }
        assertThatThrownBy(() -> Ulid.parse("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with 0 to 7");
        assertThatThrownBy(() -> Ulid.of(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timestampMillis was -1");
    }

    @Test
    void monotonicGeneratorIncrementsWithinAMillisecondAndKeepsOrderWhenTheClockGoesBack() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        UlidGenerator gen = UlidGenerator.of(clock, new SplittableRandom(5), true);
        Ulid first = gen.next();
        Ulid second = gen.next();

        assertThat(second.timestampMillis()).isEqualTo(NOW);
        assertThat(second.mostSignificantBits()).isEqualTo(first.mostSignificantBits());
        assertThat(second.leastSignificantBits()).isEqualTo(first.leastSignificantBits() + 1);
        clock.advance(-10);
        Ulid third = gen.next();
        assertThat(third).isGreaterThan(second);
        clock.advance(20);
        Ulid fourth = gen.next();
        assertThat(fourth).isGreaterThan(third);
        assertThat(fourth.timestampMillis()).isEqualTo(NOW + 10);
    }

    @Test
    void monotonicOverflowWithinAMillisecondIsAnError() {
        RandomGenerator allOnes = () -> -1L;
        UlidGenerator gen = UlidGenerator.of(new TestClocks.Manual(NOW), allOnes, true);
        Ulid top = gen.next();
        assertThat(top.toString()).endsWith("ZZZZZZZZZZZZZZZZ");

        assertThatThrownBy(gen::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("overflow");
    }

    @Test
    void randomGeneratorUsesTheClock() {
        UlidGenerator gen = UlidGenerator.of(new TestClocks.Manual(NOW), new SplittableRandom(6), false);
        Ulid a = gen.next();
        Ulid b = gen.next();
        assertThat(a.timestamp()).isEqualTo(Instant.ofEpochMilli(NOW));
        assertThat(a).isNotEqualTo(b);
        assertThat(UlidGenerator.random().next().timestamp()).isAfter(Instant.parse("2020-01-01T00:00:00Z"));
    }
}
