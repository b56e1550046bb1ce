package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.math.BigInteger;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Random text, mostly close to valid: every decoder accepts exactly the texts its specification allows (checked
 * against a model built with {@link BigInteger}) and rejects everything else with {@link IllegalArgumentException}.
 */
class BadTextPropertyTest {
    private static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** Characters that no decoder here accepts, ASCII and not. */
    private static final String FOREIGN = "-_ .*/+=\u0000\u007f\u00e9\u00ff\u0130\u212a\uff10";
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    /** Text of {@code min..max} characters: mostly from {@code common}, sometimes from {@code FOREIGN}. */
    private static Gen<String> text(String common, int min, int max) {
        String pool = common + FOREIGN;
        Gen<Integer> index = integers().between(0, 99).zip(integers().between(0, pool.length() - 1),
                (p, i) -> p < 97 ? i % common.length() : common.length() + i % FOREIGN.length());
        return lists().of(index).ofSizeBetween(min, max).map(is -> {
            StringBuilder sb = new StringBuilder();
            for (int i : is) {
                sb.append(pool.charAt(i));
            }
            return sb.toString();
        });
    }

    /** Crockford value of a character as the spec reads it (O as 0, I and L as 1), or -1. */
    private static int crockford(char c) {
        char u = c < 128 ? Character.toUpperCase(c) : c;
        if (u == 'O') {
            return 0;
        }
        if (u == 'I' || u == 'L') {
            return 1;
        }
        return CROCKFORD.indexOf(u);
    }

    private static BigInteger value(String text, int radix, boolean crockford) {
        BigInteger v = BigInteger.ZERO;
        for (char c : text.toCharArray()) {
            int d = crockford ? crockford(c) : BASE62.indexOf(c);
            if (d < 0) {
                return null;
            }
            v = v.multiply(BigInteger.valueOf(radix)).add(BigInteger.valueOf(d));
        }
        return v;
    }

    @Test
    void ulidParseAcceptsExactly26CrockfordCharactersUpTo128Bits() {
        String pool = CROCKFORD + CROCKFORD.toLowerCase(Locale.ROOT) + "IiLlOoUu";
        qt().withFixedSeed(21L).withExamples(5000).forAll(text(pool, 20, 30)).checkAssert(text -> {
            BigInteger model = value(text, 32, true);
            boolean valid = text.length() == 26 && model != null && model.bitLength() <= 128;
            if (valid) {
                Ulid ulid = Ulid.parse(text);
                assertThat(new BigInteger(1, toBytes(ulid))).isEqualTo(model);
                assertThat(Ulid.parse(ulid.toString())).isEqualTo(ulid);
            } else {
                assertThatThrownBy(() -> Ulid.parse(text)).as("'%s'", text)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ULID '");
            }
        });
    }

    @Test
    void crockfordDecodeAcceptsExactlyCrockfordTextBelow2To64() {
        String pool = CROCKFORD + CROCKFORD.toLowerCase(Locale.ROOT) + "IiLlOoUu";
        qt().withFixedSeed(22L).withExamples(5000).forAll(text(pool, 0, 15)).checkAssert(text -> {
            BigInteger model = value(text, 32, true);
            if (!text.isEmpty() && model != null && model.compareTo(TWO_TO_64) < 0) {
                assertThat(ShortCodes.fromCrockford32(text)).isEqualTo(model.longValue());
            } else {
                assertThatThrownBy(() -> ShortCodes.fromCrockford32(text)).as("'%s'", text)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Crockford base32 text");
            }
        });
    }

    @Test
    void base62DecodeAcceptsExactlyBase62TextBelow2To64() {
        qt().withFixedSeed(23L).withExamples(5000).forAll(text(BASE62, 0, 13)).checkAssert(text -> {
            BigInteger model = value(text, 62, false);
            if (!text.isEmpty() && model != null && model.compareTo(TWO_TO_64) < 0) {
                assertThat(ShortCodes.fromBase62(text)).isEqualTo(model.longValue());
            } else {
                assertThatThrownBy(() -> ShortCodes.fromBase62(text)).as("'%s'", text)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Base62 text");
            }
        });
    }

    private static byte[] toBytes(Ulid ulid) {
        byte[] b = new byte[16];
        long hi = ulid.mostSignificantBits();
        long lo = ulid.leastSignificantBits();
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }
}
