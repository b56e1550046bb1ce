package io.dstk.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Bad input fails fast with a message naming the problem, and never changes an instance. */
class BadInputTest {

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void nullNodesAndNullKeysAreRejected(Algorithm algorithm) {
        assertThatThrownBy(() -> algorithm.of(Arrays.asList("a", null))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("nodes must not contain null");
        ConsistentHash<String> hash = algorithm.of(List.of("a", "b"));
        assertThatThrownBy(() -> hash.nodeFor((byte[]) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("key must not be null");
        assertThatThrownBy(() -> hash.nodeFor((CharSequence) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("key must not be null");
        assertThatThrownBy(() -> hash.nodesFor((String) null, 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("key must not be null");
        assertThatThrownBy(() -> hash.withNode(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("node must not be null");
        assertThatThrownBy(() -> hash.withoutNode(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("node must not be null");
        assertThat(hash.nodes()).containsExactly("a", "b");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void duplicateNodesAreRejected(Algorithm algorithm) {
        assertThatThrownBy(() -> algorithm.of(List.of("a", "b", "a"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate node: a");
        ConsistentHash<String> hash = algorithm.of(List.of("a", "b"));
        assertThatThrownBy(() -> hash.withNode("b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate node: b");
        assertThat(hash.nodes()).containsExactly("a", "b");
    }

    @Test
    void distinctNodesWithTheSameKeyAreRejected() {
        record Server(String id, int generation) {
        }
        assertThatThrownBy(() -> ConsistentHash.ring().nodeKey(Server::id)
                .build(List.of(new Server("s1", 1), new Server("s1", 2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate node key \"s1\": nodes Server[id=s1, generation=1] and Server[id=s1, generation=2]");
        assertThatThrownBy(() -> ConsistentHash.ring().nodeKey((Server s) -> null).build(List.of(new Server("x", 1))))
                .isInstanceOf(NullPointerException.class).hasMessage("nodeKey returned null for node Server[id=x, generation=1]");
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"RING", "KETAMA", "RENDEZVOUS", "MAGLEV"})
    void weightsBelowOneAreRejected(Algorithm algorithm) {
        ConsistentHash<String> hash = algorithm.of(List.of("a"));
        assertThatThrownBy(() -> hash.withNode("b", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weight must be >= 1, was 0 for node b");
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put("a", 1);
        weights.put("b", -3);
        assertThatThrownBy(() -> algorithm.weighted.apply(weights)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weight must be >= 1, was -3 for node b");
        weights.put("b", null);
        assertThatThrownBy(() -> algorithm.weighted.apply(weights)).isInstanceOf(NullPointerException.class)
                .hasMessage("weight must not be null for node b");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void countOutsideOneToTheNumberOfNodesIsRejected(Algorithm algorithm) {
        ConsistentHash<String> hash = algorithm.of(List.of("a", "b", "c"));
        assertThatThrownBy(() -> hash.nodesFor("k", 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must be between 1 and the number of nodes (3), was 4");
        assertThatThrownBy(() -> hash.nodesFor(1L, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must be between 1 and the number of nodes (3), was 0");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void lookupsOnAnEmptyInstanceFailClearly(Algorithm algorithm) {
        ConsistentHash<String> empty = algorithm.of(List.of("a")).withoutNode("a");
        assertThat(empty.nodes()).isEmpty();
        assertThatThrownBy(() -> empty.nodeFor("k")).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("no nodes: cannot look up a key in an empty");
        assertThatThrownBy(() -> empty.nodeFor(1L)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> empty.nodesFor(new byte[0], 1)).isInstanceOf(IllegalStateException.class);
        assertThat(empty.withNode("b").nodeFor("k")).isEqualTo("b");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void removingAnAbsentNodeIsRejected(Algorithm algorithm) {
        ConsistentHash<String> hash = algorithm.of(List.of("a", "b"));
        assertThatThrownBy(() -> hash.withoutNode("zz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node is not present: zz");
        assertThatThrownBy(() -> hash.weightOf("zz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node is not present: zz");
    }

    @Test
    void builderOptionsAreValidatedWhenSet() {
        assertThatThrownBy(() -> ConsistentHash.ring().virtualNodes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtualNodes must be between 1 and 65536, was 0");
        assertThatThrownBy(() -> ConsistentHash.maglev().tableSize(65536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tableSize must be a prime >= 3, was 65536");
        assertThatThrownBy(() -> ConsistentHash.maglev().tableSize(7).build(Algorithm.nodes(8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tableSize (7) must be at least the total weight of the nodes (8)");
        assertThatThrownBy(() -> ConsistentHash.ring().hashFunction(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("hashFunction");
        assertThatThrownBy(() -> ConsistentHash.rendezvous().nodeKey(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("nodeKey");
        assertThatThrownBy(() -> ConsistentHash.ketama((List<String>) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("nodes");
        assertThatThrownBy(() -> JumpHash.of(List.of("a"), null)).isInstanceOf(NullPointerException.class)
                .hasMessage("hashFunction");
    }

    @Test
    void analysisRejectsEmptyInstancesAndEmptyKeySets() {
        assertThatThrownBy(() -> HashAnalysis.sequentialKeys(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must be >= 1, was 0");
        assertThatThrownBy(() -> HashAnalysis.load(JumpHash.of(List.of()), HashAnalysis.sequentialKeys(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty");
    }
}
