package io.dstk.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Properties every placement must have, checked over all algorithms with fixed seeds. */
class PlacementPropertiesTest {
    private static final int KEYS = 2000;

    private static List<String> keys(long seed, int count) {
        Random random = new Random(seed);
        return IntStream.range(0, count).mapToObj(i -> "k" + random.nextLong()).toList();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void lookupIsDeterministicAcrossInstancesAndKeyTypes(Algorithm algorithm) {
        qt().withFixedSeed(11L).withExamples(30).forAll(integers().between(1, 40), longs().all())
                .checkAssert((n, seed) -> {
                    ConsistentHash<String> a = algorithm.of(Algorithm.nodes(n));
                    ConsistentHash<String> b = algorithm.of(new ArrayList<>(Algorithm.nodes(n)));
                    for (String key : keys(seed, 200)) {
                        String owner = a.nodeFor(key);
                        assertThat(b.nodeFor(key)).isEqualTo(owner);
                        assertThat(a.nodeFor(key.getBytes(StandardCharsets.UTF_8))).isEqualTo(owner);
                        assertThat(a.nodeFor(new StringBuilder(key))).isEqualTo(owner);
                    }
                    assertThat(a.nodeFor(seed)).isEqualTo(b.nodeFor(seed));
                });
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"RING", "RENDEZVOUS", "MAGLEV"})
    void placementDoesNotDependOnInsertionOrderWhereDocumented(Algorithm algorithm) {
        qt().withFixedSeed(12L).withExamples(20).forAll(integers().between(1, 30), longs().all())
                .checkAssert((n, seed) -> {
                    List<String> shuffled = new ArrayList<>(Algorithm.nodes(n));
                    Collections.shuffle(shuffled, new Random(seed));
                    ConsistentHash<String> a = algorithm.of(Algorithm.nodes(n));
                    ConsistentHash<String> b = algorithm.of(shuffled);
                    for (String key : keys(seed, 300)) {
                        assertThat(b.nodeFor(key)).isEqualTo(a.nodeFor(key));
                        assertThat(b.nodesFor(key, Math.min(3, n))).isEqualTo(a.nodesFor(key, Math.min(3, n)));
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"RING", "KETAMA", "RENDEZVOUS", "JUMP"})
    void addingANodeMovesKeysOnlyToIt(Algorithm algorithm) {
        qt().withFixedSeed(13L).withExamples(25).forAll(integers().between(1, 50), longs().all())
                .checkAssert((n, seed) -> {
                    ConsistentHash<String> before = algorithm.of(Algorithm.nodes(n));
                    String added = "added-" + seed;
                    ConsistentHash<String> after = before.withNode(added);
                    for (String key : keys(seed, KEYS)) {
                        String was = before.nodeFor(key);
                        String now = after.nodeFor(key);
                        assertThat(now).as("key %s", key).isIn(was, added);
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"RING", "KETAMA", "RENDEZVOUS", "JUMP"})
    void removingANodeMovesOnlyItsKeys(Algorithm algorithm) {
        qt().withFixedSeed(14L).withExamples(25).forAll(integers().between(2, 50), longs().all())
                .checkAssert((n, seed) -> {
                    ConsistentHash<String> before = algorithm.of(Algorithm.nodes(n));
                    String removed = algorithm.removesAnyNode
                            ? "node-" + Math.floorMod(seed, n) : "node-" + (n - 1);
                    ConsistentHash<String> after = before.withoutNode(removed);
                    assertThat(after.nodes()).doesNotContain(removed).hasSize(n - 1);
                    for (String key : keys(seed, KEYS)) {
                        String was = before.nodeFor(key);
                        if (!was.equals(removed)) {
                            assertThat(after.nodeFor(key)).as("key %s", key).isEqualTo(was);
                        }
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void withNodeAndWithoutNodeNeverChangeTheOriginal(Algorithm algorithm) {
        ConsistentHash<String> original = algorithm.of(Algorithm.nodes(5));
        List<String> keys = keys(15, 500);
        List<String> owners = keys.stream().map(original::nodeFor).toList();
        ConsistentHash<String> added = original.withNode("x");
        ConsistentHash<String> removed = original.withoutNode("node-4");
        assertThat(original.nodes()).containsExactlyElementsOf(Algorithm.nodes(5));
        assertThat(added.nodes()).hasSize(6).contains("x");
        assertThat(removed.nodes()).hasSize(4);
        assertThat(keys.stream().map(original::nodeFor).toList()).isEqualTo(owners);
        assertThat(added.withoutNode("x").nodes()).containsExactlyElementsOf(original.nodes());
        assertThat(keys.stream().map(added.withoutNode("x")::nodeFor).toList()).isEqualTo(owners);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void preferenceListsAreDistinctStableAndStartWithTheOwner(Algorithm algorithm) {
        qt().withFixedSeed(16L).withExamples(30).forAll(integers().between(1, 20), longs().all())
                .checkAssert((n, seed) -> {
                    ConsistentHash<String> hash = algorithm.of(Algorithm.nodes(n));
                    ConsistentHash<String> again = algorithm.of(Algorithm.nodes(n));
                    for (String key : keys(seed, 100)) {
                        int count = 1 + (int) Math.floorMod(seed + key.length(), (long) n);
                        List<String> list = hash.nodesFor(key, count);
                        assertThat(list).hasSize(count).doesNotHaveDuplicates();
                        assertThat(list.get(0)).isEqualTo(hash.nodeFor(key));
                        assertThat(again.nodesFor(key, count)).isEqualTo(list);
                        assertThat(hash.nodesFor(key, n)).startsWith(list.toArray(String[]::new));
                        assertThat(hash.nodesFor(key.getBytes(StandardCharsets.UTF_8), count)).isEqualTo(list);
                    }
                    assertThat(hash.nodesFor(seed, n)).containsExactlyInAnyOrderElementsOf(hash.nodes());
                });
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"RING", "KETAMA", "RENDEZVOUS"})
    void preferenceListsLoseOnlyTheRemovedNode(Algorithm algorithm) {
        // Dynamo-style replicas: removing a node shifts later replicas up, without reordering the others.
        ConsistentHash<String> hash = algorithm.of(Algorithm.nodes(12));
        ConsistentHash<String> without = hash.withoutNode("node-3");
        for (String key : keys(17, 500)) {
            List<String> expected = new ArrayList<>(hash.nodesFor(key, 4));
            expected.remove("node-3");
            assertThat(without.nodesFor(key, 4)).startsWith(expected.toArray(String[]::new));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"RING", "KETAMA", "RENDEZVOUS", "MAGLEV"})
    void weightsAreRespected(Algorithm algorithm) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            weights.put("node-" + i, 1);
        }
        weights.put("heavy", 4);
        ConsistentHash<String> hash = algorithm.weighted.apply(weights);
        LoadStats<String> load = HashAnalysis.load(hash, HashAnalysis.sequentialKeys(100_000));
        double unit = 100_000 / 14.0;
        // 4 of 14 units of weight: the heavy node gets about 4 times a light node's share.
        assertThat(load.keysPerNode().get("heavy") / unit).isBetween(3.4, 4.6);
        assertThat(hash.weightOf("heavy")).isEqualTo(4);
        assertThat(hash.weightOf("node-0")).isEqualTo(1);
        ConsistentHash<String> viaWithNode = algorithm.of(Algorithm.nodes(10)).withNode("heavy", 4);
        for (String key : keys(18, 300)) {
            assertThat(viaWithNode.nodeFor(key)).isEqualTo(hash.nodeFor(key));
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void balanceIsWithinTheDocumentedBound(Algorithm algorithm) {
        // 100 nodes, 200k keys (2000 per node: sampling noise alone gives a peak of about 1.07).
        ConsistentHash<String> hash = algorithm.of(Algorithm.nodes(100));
        LoadStats<String> load = HashAnalysis.load(hash, HashAnalysis.sequentialKeys(200_000));
        double bound = switch (algorithm) {
            case RING, KETAMA -> 1.40;  // 160 points per node: relative std dev about 8%
            case RENDEZVOUS, JUMP, MAGLEV -> 1.12;
        };
        assertThat(load.peakToMean()).as(load.toString()).isLessThanOrEqualTo(bound);
        assertThat(load.min()).isPositive();
        assertThat(load.keys()).isEqualTo(200_000);
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"RING", "RENDEZVOUS", "JUMP"})
    void meanMovementOnAddAndRemoveIsNearTheIdeal(Algorithm algorithm) {
        ConsistentHash<String> hash = algorithm.of(Algorithm.nodes(20));
        HashAnalysis.KeySet keys = HashAnalysis.sequentialKeys(20_000);
        double sum = 0;
        int trials = 20;
        Random random = new Random(19);
        for (int t = 0; t < trials; t++) {
            ConsistentHash<String> grown = hash.withNode("joiner-" + random.nextLong());
            Movement add = HashAnalysis.movement(hash, grown, keys);
            assertThat(add.idealFraction()).isEqualTo(1.0 / 21);
            String leaving = algorithm == Algorithm.JUMP ? "node-19" : "node-" + random.nextInt(20);
            Movement remove = HashAnalysis.movement(hash, hash.withoutNode(leaving), keys);
            assertThat(remove.idealFraction()).isEqualTo(1.0 / 20);
            sum += add.ratioToIdeal() + remove.ratioToIdeal();
        }
        assertThat(sum / (2 * trials)).isBetween(0.7, 1.3);
    }
}
