package io.dstk.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The default hash is a wire format: pinned by golden vectors and checked against two reference implementations. */
class HashFunctionTest {
    private static final HashFunction MURMUR3 = HashFunction.murmur3();

    // Golden vectors: Guava 33.8.0 Hashing.murmur3_128().hashBytes(utf8).asLong() (zero-allocation-hashing agrees).
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|0x0000000000000000",
        "a|0x85555565f6597889",
        "abc|0xb4963f3f3fad7867",
        "hello world|0x533f6046eb7f610e",
        "0123456789abcdef|0x4be06d94cf4ad1a7",
        "0123456789abcdefX|0xcdebd2acb570d6f7",
        "The quick brown fox jumps over the lazy dog|0xe34bbc7bbc071b6c",
        "κλειδί-🔑|0x046f1d9d01657fee"})
    void murmur3MatchesGoldenVectors(String text, String expectedHex) {
        long expected = Long.parseUnsignedLong(expectedHex.substring(2), 16);
        assertThat(MURMUR3.hashUtf8(text)).isEqualTo(expected);
        assertThat(MURMUR3.hash(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0,0x28df63b7cc57c3cb", "1,0x004403b7fb05c44a", "-1,0xa0e4b27a1abaed73", "42,0xb6acc39989d27df8",
        "-9223372036854775808,0x01159dfeb4593227"})
    void murmur3OfLongMatchesGoldenVectors(long value, String expectedHex) {
        assertThat(MURMUR3.hashLong(value)).isEqualTo(Long.parseUnsignedLong(expectedHex.substring(2), 16));
    }

    @Test
    void murmur3EqualsGuavaAndZeroAllocationHashingOnRandomBytes() {
        qt().withFixedSeed(1L).withExamples(2000).forAll(longs().all(), integers().between(0, 300))
                .checkAssert((seed, length) -> {
                    byte[] bytes = new byte[length];
                    new SplittableRandom(seed).nextBytes(bytes);
                    long ours = MURMUR3.hash(bytes);
                    assertThat(ours).isEqualTo(Hashing.murmur3_128().hashBytes(bytes).asLong());
                    assertThat(ours).isEqualTo(LongHashFunction.murmur_3().hashBytes(bytes));
                });
    }

    @Test
    void murmur3OfRangeHashesOnlyThatRange() {
        qt().withFixedSeed(2L).withExamples(500).forAll(longs().all(), integers().between(0, 100),
                integers().between(0, 20)).checkAssert((seed, length, offset) -> {
                    byte[] bytes = new byte[offset + length + 7];
                    new SplittableRandom(seed).nextBytes(bytes);
                    byte[] slice = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
                    assertThat(MURMUR3.hash(bytes, offset, length)).isEqualTo(MURMUR3.hash(slice));
                });
    }

    @Test
    void hashUtf8EqualsHashOfStringGetBytesIncludingUnpairedSurrogates() {
        qt().withFixedSeed(3L).withExamples(3000).forAll(strings().allPossible().ofLengthBetween(0, 60))
                .checkAssert(s -> assertThat(MURMUR3.hashUtf8(s))
                        .isEqualTo(MURMUR3.hash(s.getBytes(StandardCharsets.UTF_8))));
        for (String s : new String[] {"\ud800", "a\udc00b", "\ud83d", "\ud83d\ud83d\udd11", "\udd11\ud83d"}) {
            assertThat(MURMUR3.hashUtf8(s)).isEqualTo(MURMUR3.hash(s.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void hashUtf8EqualsHashOfBytesForAsciiAndMixedText() {
        qt().withFixedSeed(5L).withExamples(3000).forAll(strings().basicLatinAlphabet().ofLengthBetween(0, 70),
                strings().allPossible().ofLengthBetween(0, 3), integers().between(0, 70)).checkAssert((ascii, other, at) -> {
                    int cut = Math.min(at, ascii.length());
                    String s = ascii.substring(0, cut) + other + ascii.substring(cut);
                    assertThat(MURMUR3.hashUtf8(ascii)).isEqualTo(MURMUR3.hash(ascii.getBytes(StandardCharsets.UTF_8)));
                    assertThat(MURMUR3.hashUtf8(s)).isEqualTo(MURMUR3.hash(s.getBytes(StandardCharsets.UTF_8)));
                });
    }

    @Test
    void hashUtf8AcceptsAnyCharSequence() {
        assertThat(MURMUR3.hashUtf8(new StringBuilder("user:42"))).isEqualTo(MURMUR3.hashUtf8("user:42"));
    }

    @Test
    void hashLongEqualsHashOfLittleEndianBytesAndGuava() {
        qt().withFixedSeed(4L).withExamples(2000).forAll(longs().all()).checkAssert(v -> {
            byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
            assertThat(MURMUR3.hashLong(v)).isEqualTo(MURMUR3.hash(le));
            assertThat(MURMUR3.hashLong(v)).isEqualTo(Hashing.murmur3_128().hashLong(v).asLong());
        });
    }

    @Test
    void defaultMethodsOfACustomHashFunctionEncodeTheSameBytes() {
        HashFunction custom = (bytes, offset, length) -> MURMUR3.hash(bytes, offset, length);
        assertThat(custom.hashUtf8("ключ")).isEqualTo(MURMUR3.hashUtf8("ключ"));
        assertThat(custom.hashLong(-7)).isEqualTo(MURMUR3.hashLong(-7));
    }
}
