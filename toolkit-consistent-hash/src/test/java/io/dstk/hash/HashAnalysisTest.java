package io.dstk.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class HashAnalysisTest {

    @Test
    void loadCountsEveryKeyOnceAndComputesTheStatistics() {
        ConsistentHash<String> hash = ConsistentHash.rendezvous().build(List.of("a", "b", "c", "d"));
        HashAnalysis.KeySet keys = new HashAnalysis.KeySet(4000, i -> "k" + i);
        LoadStats<String> load = HashAnalysis.load(hash, keys);
        assertThat(load.keysPerNode().keySet()).containsExactly("a", "b", "c", "d");
        assertThat(load.keysPerNode().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(4000);
        long a = 0;
        for (int i = 0; i < 4000; i++) {
            if (hash.nodeFor("k" + i).equals("a")) {
                a++;
            }
        }
        assertThat(load.keysPerNode().get("a")).isEqualTo(a);
        assertThat(load.mean()).isEqualTo(1000.0);
        assertThat(load.max()).isEqualTo(load.keysPerNode().values().stream().mapToLong(Long::longValue).max().orElseThrow());
        assertThat(load.min()).isEqualTo(load.keysPerNode().values().stream().mapToLong(Long::longValue).min().orElseThrow());
        assertThat(load.peakToMean()).isEqualTo(load.max() / 1000.0);
        double variance = load.keysPerNode().values().stream().mapToDouble(c -> (c - 1000.0) * (c - 1000.0)).sum() / 4;
        assertThat(load.standardDeviation()).isCloseTo(Math.sqrt(variance), within(1e-9));
        assertThat(load.toString()).contains("peakToMean=");
    }

    @Test
    void aSingleNodeTakesEverythingAndNodesWithoutKeysAreListedWithZero() {
        LoadStats<String> one = HashAnalysis.load(JumpHash.of(List.of("only")), HashAnalysis.sequentialKeys(10));
        assertThat(one.keysPerNode()).containsEntry("only", 10L);
        assertThat(one.peakToMean()).isEqualTo(1.0);
        assertThat(one.standardDeviation()).isZero();
        LoadStats<String> many = HashAnalysis.load(JumpHash.of(Algorithm.nodes(50)), HashAnalysis.sequentialKeys(3));
        assertThat(many.keysPerNode()).hasSize(50);
        assertThat(many.min()).isZero();
    }

    @Test
    void movementComparesWithTheIdealFraction() {
        ConsistentHash<String> before = ConsistentHash.ring().build(Algorithm.nodes(9));
        Movement same = HashAnalysis.movement(before, before, HashAnalysis.sequentialKeys(1000));
        assertThat(same.moved()).isZero();
        assertThat(same.idealFraction()).isZero();
        assertThat(same.ratioToIdeal()).isNaN();
        Movement add = HashAnalysis.movement(before, before.withNode("new"), HashAnalysis.sequentialKeys(1000));
        assertThat(add.idealFraction()).isEqualTo(0.1);
        long moved = 0;
        for (int i = 0; i < 1000; i++) {
            if (!before.nodeFor("key-" + i).equals(before.withNode("new").nodeFor("key-" + i))) {
                moved++;
            }
        }
        assertThat(add.moved()).isEqualTo(moved);
        assertThat(add.movedFraction()).isEqualTo(moved / 1000.0);
        assertThat(add.ratioToIdeal()).isCloseTo(moved / 100.0, within(1e-9));
    }
}
