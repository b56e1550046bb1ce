package io.dstk.hash;

import io.dstk.hash.internal.JumpCore;
import io.dstk.hash.internal.NodeSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Jump consistent hashing (Lamping and Veach, 2014) over numbered buckets: no memory per node, perfect balance
 * in expectation, and minimal disruption when buckets are <em>appended</em>.
 *
 * <p><b>Placement.</b> {@link #nodeFor(long)} uses the key as is and returns bucket
 * {@code Hashing.consistentHash(key, size)} of Guava, exactly (tested); byte and text keys are first hashed with
 * the hash function ({@link HashFunction#murmur3()} by default), so {@code nodeFor(bytes)} equals Guava's
 * {@code consistentHash(murmur3_128().hashBytes(bytes), size)}. A node's place is its position in the list: its
 * key is not used, and nodes are never hashed.
 *
 * <p><b>Changes.</b> {@link #withNode(Object)} appends a bucket (keys move only to it); {@link #withoutNode(Object)}
 * removes only the last bucket (keys move only from it). There are no weights. To remove a node in the middle,
 * keep it and redirect its keys, or use {@link ConsistentHash#rendezvous()} or {@link ConsistentHash#ring()}.
 *
 * <p>Immutable and thread-safe; lookups allocate nothing and cost O(log n).
 *
 * @param <N> the node type
 */
public final class JumpHash<N> implements ConsistentHash<N> {
    private final JumpCore<N> core;

    private JumpHash(JumpCore<N> core) {
        this.core = core;
    }

    /**
     * Jump hashing over {@code buckets}, bucket {@code i} being {@code buckets.get(i)}, with the default hash for
     * non-{@code long} keys.
     *
     * @param buckets distinct nodes (possibly none) with distinct {@code toString()}
     * @param <N> the node type
     * @return the instance
     * @throws NullPointerException if {@code buckets} or one of them is null
     * @throws IllegalArgumentException if a node (or its {@code toString()}) appears twice
     */
    public static <N> JumpHash<N> of(List<? extends N> buckets) {
        return of(buckets, HashFunction.murmur3());
    }

    /**
     * As {@link #of(List)}, hashing byte and text keys with {@code hashFunction}.
     *
     * @param buckets distinct nodes (possibly none) with distinct {@code toString()}
     * @param hashFunction hash for keys that are not {@code long}s
     * @param <N> the node type
     * @return the instance
     * @throws NullPointerException if an argument or a bucket is null
     * @throws IllegalArgumentException if a node (or its {@code toString()}) appears twice
     */
    public static <N> JumpHash<N> of(List<? extends N> buckets, HashFunction hashFunction) {
        Objects.requireNonNull(hashFunction, "hashFunction");
        return new JumpHash<>(new JumpCore<>(NodeSet.ofNodes(String::valueOf, buckets), hashFunction));
    }

    /**
     * The jump consistent hash function: the bucket in {@code [0, buckets)} of {@code key}; equal to Guava's
     * {@code Hashing.consistentHash(key, buckets)}.
     *
     * @param key the key, used as is
     * @param buckets the number of buckets, at least 1
     * @return the bucket
     * @throws IllegalArgumentException if {@code buckets} is below 1
     */
    public static int bucket(long key, int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets must be >= 1, was " + buckets);
        }
        return JumpCore.jump(key, buckets);
    }

    @Override
    public N nodeFor(byte[] key) {
        return core.nodeFor(key);
    }

    @Override
    public N nodeFor(CharSequence key) {
        return core.nodeFor(key);
    }

    @Override
    public N nodeFor(long key) {
        return core.nodeFor(key);
    }

    @Override
    public List<N> nodesFor(byte[] key, int count) {
        return core.nodesFor(key, count);
    }

    @Override
    public List<N> nodesFor(CharSequence key, int count) {
        return core.nodesFor(key, count);
    }

    @Override
    public List<N> nodesFor(long key, int count) {
        return core.nodesFor(key, count);
    }

    @Override
    public Set<N> nodes() {
        return core.nodes();
    }

    /**
     * Returns 1 for every node: jump hashing has no weights.
     *
     * @param node a node of this instance
     * @return 1
     * @throws NullPointerException if {@code node} is null
     * @throws IllegalArgumentException if {@code node} is not in this instance
     */
    @Override
    public int weightOf(N node) {
        return core.weightOf(node);
    }

    /**
     * Returns a new instance with {@code node} appended as the last bucket.
     *
     * @param node the node to append
     * @return the new instance
     * @throws NullPointerException if {@code node} is null
     * @throws IllegalArgumentException if the node (or its {@code toString()}) is already present
     */
    @Override
    public JumpHash<N> withNode(N node) {
        return withNode(node, 1);
    }

    /**
     * Returns a new instance with {@code node} appended as the last bucket.
     *
     * @param node the node to append
     * @param weight must be 1: jump hashing has no weights
     * @return the new instance
     * @throws NullPointerException if {@code node} is null
     * @throws IllegalArgumentException if {@code weight} is not 1 or the node is already present
     */
    @Override
    public JumpHash<N> withNode(N node, int weight) {
        if (weight != 1) {
            throw new IllegalArgumentException("jump hashing has no weights: weight must be 1, was " + weight);
        }
        return new JumpHash<>(core.rebuild(core.nodeSet().with(node, 1)));
    }

    /**
     * Returns a new instance without the last bucket.
     *
     * @param node the last bucket
     * @return the new instance
     * @throws NullPointerException if {@code node} is null
     * @throws IllegalArgumentException if {@code node} is not present or is not the last bucket
     */
    @Override
    public JumpHash<N> withoutNode(N node) {
        NodeSet<N> nodes = core.nodeSet();
        int i = nodes.indexOfOrThrow(node);
        if (i != nodes.size() - 1) {
            throw new IllegalArgumentException("jump hashing can only remove the last bucket (" + nodes.node(
                    nodes.size() - 1) + "), not bucket " + i + " (" + node + ")");
        }
        return new JumpHash<>(core.rebuild(nodes.without(node)));
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
