package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.util.Locale;

import org.junit.jupiter.api.Test;

class ShortCodesTest {

    @Test
    void roundTripsEveryLongIncludingNegativeOnes() {
        qt().withFixedSeed(13L).withExamples(20000).forAll(longs().all()).checkAssert(id -> {
            String b62 = ShortCodes.toBase62(id);
            String c32 = ShortCodes.toCrockford32(id);
            assertThat(ShortCodes.fromBase62(b62)).isEqualTo(id);
            assertThat(ShortCodes.fromCrockford32(c32)).isEqualTo(id);
            assertThat(ShortCodes.fromCrockford32(c32.toLowerCase(Locale.ROOT))).isEqualTo(id);
            // Same digits as the unsigned value in radix 32 (Crockford's alphabet is a relabelling)
            assertThat(c32.length()).isEqualTo(new BigInteger(Long.toUnsignedString(id)).toString(32).length());
            assertThat(b62).hasSizeLessThanOrEqualTo(11);
        });
    }

    @Test
    void knownValues() {
        assertThat(ShortCodes.toBase62(0)).isEqualTo("0");
        assertThat(ShortCodes.toBase62(61)).isEqualTo("z");
        assertThat(ShortCodes.toBase62(62)).isEqualTo("10");
        assertThat(ShortCodes.toBase62(-1)).isEqualTo("LygHa16AHYF"); // 2^64 - 1
        assertThat(ShortCodes.toCrockford32(0)).isEqualTo("0");
        assertThat(ShortCodes.toCrockford32(31)).isEqualTo("Z");
        assertThat(ShortCodes.toCrockford32(32)).isEqualTo("10");
        assertThat(ShortCodes.toCrockford32(-1)).isEqualTo("FZZZZZZZZZZZZ");
        // Crockford's aliases: O reads as 0, I and L as 1
        assertThat(ShortCodes.fromCrockford32("1O")).isEqualTo(32);
        assertThat(ShortCodes.fromCrockford32("Il")).isEqualTo(33);
    }

    @Test
    void badTextIsRejectedClearly() {
        assertThatThrownBy(() -> ShortCodes.fromBase62("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> ShortCodes.fromBase62("ab-c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'-' at index 2");
        assertThatThrownBy(() -> ShortCodes.fromBase62("LygHa16AHYG")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("larger than 2^64 - 1");
        assertThatThrownBy(() -> ShortCodes.fromBase62("100000000000")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("larger than 2^64 - 1");
        assertThatThrownBy(() -> ShortCodes.fromCrockford32("G0000000000000"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than 2^64 - 1");
        assertThatThrownBy(() -> ShortCodes.fromCrockford32("G000000000000"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than 2^64 - 1");
        assertThatThrownBy(() -> ShortCodes.fromCrockford32("ABU")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'U' at index 2");
        assertThatThrownBy(() -> ShortCodes.fromCrockford32(null)).isInstanceOf(NullPointerException.class);
    }
}
