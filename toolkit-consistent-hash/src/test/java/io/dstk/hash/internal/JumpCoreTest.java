package io.dstk.hash.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.common.hash.Hashing;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reciprocal fast path of jump hashing is exactly Guava's loop, including its edge cases. */
class JumpCoreTest {
    private static final long A = 2862933555777941757L;

    private static long inverse(long a) {
        long x = a; // Newton's iteration for the inverse of an odd number modulo 2^64
        for (int i = 0; i < 6; i++) {
            x *= 2 - a * x;
        }
        return x;
    }

    @Test
    void fastPathEqualsGuavaForAllBucketCountsUpToTheLimit() {
        qt().withFixedSeed(51L).withExamples(50_000).forAll(longs().all(), integers().between(1, 1 << 22))
                .checkAssert((key, buckets) -> assertThat(JumpCore.jumpFast(key, buckets))
                        .isEqualTo(Hashing.consistentHash(key, buckets)));
        SplittableRandom random = new SplittableRandom(52);
        for (int buckets = 1; buckets <= 2048; buckets++) {
            for (int i = 0; i < 40; i++) {
                long key = random.nextLong();
                assertThat(JumpCore.jumpFast(key, buckets)).isEqualTo(Hashing.consistentHash(key, buckets));
            }
        }
    }

    @Test
    void generatorValuesThatOverflowOrDivideExactlyAreHandledAsGuavaDoes() {
        long inverse = inverse(A);
        assertThat(A * inverse).isEqualTo(1);
        // Keys whose first generator output makes r overflow (2^31 - 1 + 1), or makes r a power of two, which gives
        // an exact integer quotient: the cases where rounding matters.
        long[] firstStates = {
            0x7fffffffL << 33, (0x7fffffffL << 33) | 12345, (1L << 30) - 1 << 33, (1L << 20) - 1 << 33,
            0L, 1L << 33, 3L << 33, (0x3fffffffL << 33) | 0x1ffffffffL};
        for (long first : firstStates) {
            long key = (first - 1) * inverse;
            for (int buckets : new int[] {1, 2, 3, 7, 100, 1000, 65_537, 1 << 22}) {
                assertThat(JumpCore.jumpFast(key, buckets)).as("state %x buckets %d", first, buckets)
                        .isEqualTo(Hashing.consistentHash(key, buckets))
                        .isEqualTo(JumpCore.jumpReference(key, buckets));
            }
        }
    }

    @Test
    void referencePathEqualsGuavaAboveTheLimit() {
        qt().withFixedSeed(53L).withExamples(3000).forAll(longs().all(), integers().between(1 << 22, Integer.MAX_VALUE))
                .checkAssert((key, buckets) -> assertThat(JumpCore.jump(key, buckets))
                        .isEqualTo(Hashing.consistentHash(key, buckets)));
    }
}
