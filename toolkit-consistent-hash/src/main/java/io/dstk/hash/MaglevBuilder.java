package io.dstk.hash;

import io.dstk.hash.internal.MaglevHash;
import io.dstk.hash.internal.NodeSet;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Options of {@linkplain ConsistentHash#maglev() maglev} instances: table size, hash function and node key. Obtain one from {@link ConsistentHash#maglev()}.
 *
 * <p>Each setter validates its argument at once and returns this builder; a builder is not thread-safe and can
 * build any number of instances.
 *
 * <pre>{@code
 * ConsistentHash<String> hash = ConsistentHash.maglev().tableSize(655373).build(List.of("a", "b", "c"));
 * ConsistentHash<Server> byId = ConsistentHash.maglev().nodeKey((Server s) -> s.id()).build(servers);
 * }</pre>
 *
 * @param <N> the node type this builder builds for ({@code Object} until {@link #nodeKey(Function)} narrows it)
 */
public final class MaglevBuilder<N> {
    private Function<Object, String> nodeKey = String::valueOf;
    private HashFunction hashFunction = HashFunction.murmur3();
    private int tableSize = 65537;

    MaglevBuilder() {
    }

    /**
     * Sets the function giving each node's stable string key, which alone decides where the node is placed.
     * Default: {@code toString()}. Never base it on {@code hashCode()} or anything that differs between processes.
     *
     * @param nodeKey the key function; it must not return null
     * @param <M> the node type
     * @return this builder, typed for {@code M}
     * @throws NullPointerException if {@code nodeKey} is null
     */
    @SuppressWarnings("unchecked")
    public <M extends N> MaglevBuilder<M> nodeKey(Function<? super M, String> nodeKey) {
        Objects.requireNonNull(nodeKey, "nodeKey");
        this.nodeKey = (Function<Object, String>) nodeKey;
        return (MaglevBuilder<M>) this;
    }

    /**
     * Sets the hash function for keys and node positions. Default: {@link HashFunction#murmur3()}.
     *
     * @param hashFunction the hash function
     * @return this builder
     * @throws NullPointerException if {@code hashFunction} is null
     */
    public MaglevBuilder<N> hashFunction(HashFunction hashFunction) {
        this.hashFunction = Objects.requireNonNull(hashFunction, "hashFunction");
        return this;
    }

    /**
     * Sets the lookup table size, a prime. The paper recommends at least 100 times the number of nodes: each node's
     * share then deviates from the mean by at most about {@code nodes / tableSize}. Memory: 4 bytes per entry.
     * Default: 65537.
     *
     * @param tableSize a prime from 3 to 2^31 - 1
     * @return this builder
     * @throws IllegalArgumentException if {@code tableSize} is not a prime of at least 3
     */
    public MaglevBuilder<N> tableSize(int tableSize) {
        if (tableSize < 3 || !java.math.BigInteger.valueOf(tableSize).isProbablePrime(50)) {
            throw new IllegalArgumentException("tableSize must be a prime >= 3, was " + tableSize);
        }
        this.tableSize = tableSize;
        return this;
    }

    /**
     * Builds an instance over {@code nodes}, each of weight 1, in iteration order.
     *
     * @param nodes the nodes (possibly none: lookups then throw {@link IllegalStateException})
     * @param <M> the node type
     * @return the instance
     * @throws NullPointerException if {@code nodes}, a node, or a node's key is null
     * @throws IllegalArgumentException if a node, or a node key, appears twice,
     *         or the total weight exceeds the table size
     */
    public <M extends N> ConsistentHash<M> build(Collection<? extends M> nodes) {
        return create(NodeSet.ofNodes(nodeKey, nodes));
    }

    /**
     * Builds an instance over weighted nodes, in the map's iteration order.
     *
     * @param nodes each node with its weight (at least 1)
     * @param <M> the node type
     * @return the instance
     * @throws NullPointerException if {@code nodes}, a node, a weight or a node's key is null
     * @throws IllegalArgumentException if a weight is below 1, or a node key appears twice,
     *         or the total weight exceeds the table size
     */
    public <M extends N> ConsistentHash<M> buildWeighted(Map<? extends M, Integer> nodes) {
        return create(NodeSet.ofWeighted(nodeKey, nodes));
    }

    private <M> ConsistentHash<M> create(NodeSet<M> nodes) {
        return new MaglevHash<>(nodes, hashFunction, tableSize);
    }

    @Override
    public String toString() {
        return "MaglevBuilder{" + "tableSize=" + tableSize + ", hashFunction=" + hashFunction + "}";
    }
}
