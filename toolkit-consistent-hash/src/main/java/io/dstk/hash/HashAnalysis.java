package io.dstk.hash;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Measurements that help choose an algorithm and its options: balance of a key set over the nodes, and movement
 * of keys between two instances. Stateless and thread-safe; the cost is one lookup per key (and per instance).
 *
 * <pre>{@code
 * LoadStats<String> load = HashAnalysis.load(hash, HashAnalysis.sequentialKeys(1_000_000));
 * Movement moved = HashAnalysis.movement(hash, hash.withNode("node-new"), HashAnalysis.sequentialKeys(1_000_000));
 * }</pre>
 */
public final class HashAnalysis {
    private HashAnalysis() {
    }

    /**
     * Keys {@code "key-0"}, {@code "key-1"}, ... as a {@link KeySet}.
     *
     * @param count number of keys, at least 1
     * @return the key set
     * @throws IllegalArgumentException if {@code count} is below 1
     */
    public static KeySet sequentialKeys(long count) {
        return new KeySet(count, i -> "key-" + i);
    }

    /**
     * A set of {@code count} text keys, key {@code i} being {@code key.apply(i)}; nothing is stored.
     *
     * @param count number of keys, at least 1
     * @param key the key for each index
     */
    public record KeySet(long count, LongFunction<? extends CharSequence> key) {
        /**
         * Validates the arguments.
         *
         * @throws IllegalArgumentException if {@code count} is below 1
         * @throws NullPointerException if {@code key} is null
         */
        public KeySet {
            if (count < 1) {
                throw new IllegalArgumentException("count must be >= 1, was " + count);
            }
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Counts how many of {@code keys} each node of {@code hash} owns.
     *
     * @param hash the instance, with at least one node
     * @param keys the keys
     * @param <N> the node type
     * @return the statistics
     * @throws NullPointerException if an argument or a key is null
     * @throws IllegalStateException if {@code hash} has no nodes
     */
    public static <N> LoadStats<N> load(ConsistentHash<N> hash, KeySet keys) {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(keys, "keys");
        if (hash.nodes().isEmpty()) {
            throw new IllegalStateException("no nodes: cannot measure load on an empty instance");
        }
        Map<N, long[]> counts = new LinkedHashMap<>();
        for (N node : hash.nodes()) {
            counts.put(node, new long[1]);
        }
        for (long i = 0; i < keys.count(); i++) {
            counts.get(hash.nodeFor(keys.key().apply(i)))[0]++;
        }
        Map<N, Long> perNode = new LinkedHashMap<>();
        long min = Long.MAX_VALUE;
        long max = 0;
        for (Map.Entry<N, long[]> e : counts.entrySet()) {
            long c = e.getValue()[0];
            perNode.put(e.getKey(), c);
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        int n = perNode.size();
        double mean = (double) keys.count() / n;
        double sumSq = 0;
        for (long c : perNode.values()) {
            sumSq += (c - mean) * (c - mean);
        }
        return new LoadStats<>(perNode, keys.count(), mean, Math.sqrt(sumSq / n), min, max, max / mean);
    }

    /**
     * Counts the keys whose owner differs between {@code before} and {@code after}, and compares the fraction with
     * the least that any placement has to move for that change of nodes (equal weights assumed).
     *
     * @param before the instance before a change, with at least one node
     * @param after the instance after it, with at least one node
     * @param keys the keys
     * @param <N> the node type
     * @return the movement
     * @throws NullPointerException if an argument or a key is null
     * @throws IllegalStateException if an instance has no nodes
     */
    public static <N> Movement movement(ConsistentHash<N> before, ConsistentHash<N> after, KeySet keys) {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(keys, "keys");
        long moved = 0;
        for (long i = 0; i < keys.count(); i++) {
            CharSequence key = keys.key().apply(i);
            if (!before.nodeFor(key).equals(after.nodeFor(key))) {
                moved++;
            }
        }
        Set<N> common = new HashSet<>(before.nodes());
        common.retainAll(after.nodes());
        int max = Math.max(before.nodes().size(), after.nodes().size());
        double ideal = (double) (max - common.size()) / max;
        double fraction = (double) moved / keys.count();
        return new Movement(keys.count(), moved, fraction, ideal, ideal == 0 ? Double.NaN : fraction / ideal);
    }
}
