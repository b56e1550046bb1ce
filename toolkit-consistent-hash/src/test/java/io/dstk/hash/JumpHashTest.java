package io.dstk.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Jump hashing equals Guava's consistentHash exactly, and only appends and removals of the last bucket move keys. */
class JumpHashTest {

    @Test
    void bucketEqualsGuavaConsistentHashForAnyKeyAndBucketCount() {
        qt().withFixedSeed(31L).withExamples(20_000).forAll(longs().all(), integers().between(1, 100_000))
                .checkAssert((key, buckets) -> assertThat(JumpHash.bucket(key, buckets))
                        .isEqualTo(Hashing.consistentHash(key, buckets)));
    }

    @Test
    void bucketEqualsGuavaForHugeBucketCounts() {
        SplittableRandom random = new SplittableRandom(32);
        for (int buckets : new int[] {1 << 20, 1 << 24, Integer.MAX_VALUE - 1, Integer.MAX_VALUE}) {
            for (int i = 0; i < 2000; i++) {
                long key = random.nextLong();
                assertThat(JumpHash.bucket(key, buckets)).isEqualTo(Hashing.consistentHash(key, buckets));
            }
        }
    }

    @Test
    void nodeForLongIsTheGuavaBucketAndNodeForBytesHashesWithMurmur3First() {
        List<String> buckets = Algorithm.nodes(37);
        JumpHash<String> jump = JumpHash.of(buckets);
        qt().withFixedSeed(33L).withExamples(2000).forAll(longs().all()).checkAssert(key -> {
            assertThat(jump.nodeFor(key)).isEqualTo(buckets.get(Hashing.consistentHash(key, 37)));
            byte[] bytes = Long.toString(key).getBytes(StandardCharsets.UTF_8);
            int guava = Hashing.consistentHash(Hashing.murmur3_128().hashBytes(bytes), 37);
            assertThat(jump.nodeFor(bytes)).isEqualTo(buckets.get(guava));
            assertThat(jump.nodeFor(Long.toString(key))).isEqualTo(buckets.get(guava));
        });
    }

    @Test
    void appendingABucketMovesKeysOnlyToItForEveryBucketCountUpTo2000() {
        // Guava's HashingTest checks the same monotonicity.
        SplittableRandom random = new SplittableRandom(34);
        long[] keys = random.longs(200).toArray();
        int[] previous = new int[keys.length];
        for (int n = 1; n <= 2000; n++) {
            for (int i = 0; i < keys.length; i++) {
                int b = JumpHash.bucket(keys[i], n);
                assertThat(b).isBetween(0, n - 1);
                if (n > 1) {
                    assertThat(b).isIn(previous[i], n - 1);
                }
                previous[i] = b;
            }
        }
    }

    @Test
    void onlyTheLastBucketCanBeRemovedAndThereAreNoWeights() {
        JumpHash<String> jump = JumpHash.of(List.of("a", "b", "c"));
        assertThat(jump.withoutNode("c").nodes()).containsExactly("a", "b");
        assertThatThrownBy(() -> jump.withoutNode("a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only remove the last bucket (c)");
        assertThatThrownBy(() -> jump.withNode("d", 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no weights");
        assertThat(jump.withNode("d").nodes()).containsExactly("a", "b", "c", "d");
        assertThat(jump.weightOf("b")).isEqualTo(1);
        assertThatThrownBy(() -> JumpHash.bucket(1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("buckets must be >= 1, was 0");
    }
}
