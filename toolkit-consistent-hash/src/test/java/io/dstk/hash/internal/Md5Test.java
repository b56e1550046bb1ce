package io.dstk.hash.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Our allocation-free MD5 against the JDK's, over every padding boundary. */
class Md5Test {

    private static long reference(byte[] bytes) throws Exception {
        byte[] d = MessageDigest.getInstance("MD5").digest(bytes);
        return (d[3] & 0xffL) << 24 | (d[2] & 0xffL) << 16 | (d[1] & 0xffL) << 8 | (d[0] & 0xffL);
    }

    @Test
    void first32EqualsJdkMessageDigestForEveryLengthUpTo300() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        for (int length = 0; length <= 300; length++) {
            byte[] bytes = new byte[length + 3];
            random.nextBytes(bytes);
            byte[] slice = java.util.Arrays.copyOfRange(bytes, 2, 2 + length);
            assertThat(Md5.first32(bytes, 2, length)).as("length %d", length).isEqualTo(reference(slice));
        }
    }

    @Test
    void first32EqualsJdkMessageDigestOnRandomInputs() {
        qt().withFixedSeed(6L).withExamples(1000).forAll(longs().all(), integers().between(0, 1000))
                .checkAssert((seed, length) -> {
                    byte[] bytes = new byte[length];
                    new SplittableRandom(seed).nextBytes(bytes);
                    try {
                        assertThat(Md5.first32(bytes, 0, length)).isEqualTo(reference(bytes));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }

    @Test
    void md5OfTextEqualsMd5OfItsUtf8Bytes() {
        qt().withFixedSeed(7L).withExamples(1000).forAll(strings().allPossible().ofLengthBetween(0, 80))
                .checkAssert(s -> {
                    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                    assertThat(Utf8.md5First32(s)).isEqualTo(Md5.first32(utf8, 0, utf8.length));
                });
        String longText = "x".repeat(30_000) + "é";
        byte[] utf8 = longText.getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.md5First32(longText)).isEqualTo(Md5.first32(utf8, 0, utf8.length));
    }

    @Test
    void md5GoldenVectorFromRfc1321() {
        // RFC 1321 appendix A.5: MD5("abc") = 900150983cd24fb0d6963f7d28e17f72; first 4 bytes little-endian.
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        assertThat(Md5.first32(abc, 0, 3)).isEqualTo(0x98500190L);
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e
        assertThat(Md5.first32(new byte[0], 0, 0)).isEqualTo(0xd98c1dd4L);
    }
}
