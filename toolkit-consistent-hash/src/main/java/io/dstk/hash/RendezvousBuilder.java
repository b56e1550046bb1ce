package io.dstk.hash;

import io.dstk.hash.internal.RendezvousHash;
import io.dstk.hash.internal.NodeSet;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Options of {@linkplain ConsistentHash#rendezvous() rendezvous} instances: hash function and node key. Obtain one from {@link ConsistentHash#rendezvous()}.
 *
 * <p>Each setter validates its argument at once and returns this builder; a builder is not thread-safe and can
 * build any number of instances.
 *
 * <pre>{@code
 * ConsistentHash<String> hash = ConsistentHash.rendezvous().build(List.of("a", "b", "c"));
 * ConsistentHash<Server> byId = ConsistentHash.rendezvous().nodeKey((Server s) -> s.id()).build(servers);
 * }</pre>
 *
 * @param <N> the node type this builder builds for ({@code Object} until {@link #nodeKey(Function)} narrows it)
 */
public final class RendezvousBuilder<N> {
    private Function<Object, String> nodeKey = String::valueOf;
    private HashFunction hashFunction = HashFunction.murmur3();

    RendezvousBuilder() {
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
    public <M extends N> RendezvousBuilder<M> nodeKey(Function<? super M, String> nodeKey) {
        Objects.requireNonNull(nodeKey, "nodeKey");
        this.nodeKey = (Function<Object, String>) nodeKey;
        return (RendezvousBuilder<M>) this;
    }

    /**
     * Sets the hash function for keys and node positions. Default: {@link HashFunction#murmur3()}.
     *
     * @param hashFunction the hash function
     * @return this builder
     * @throws NullPointerException if {@code hashFunction} is null
     */
    public RendezvousBuilder<N> hashFunction(HashFunction hashFunction) {
        this.hashFunction = Objects.requireNonNull(hashFunction, "hashFunction");
        return this;
    }

    /**
     * Builds an instance over {@code nodes}, each of weight 1, in iteration order.
     *
     * @param nodes the nodes (possibly none: lookups then throw {@link IllegalStateException})
     * @param <M> the node type
     * @return the instance
     * @throws NullPointerException if {@code nodes}, a node, or a node's key is null
     * @throws IllegalArgumentException if a node, or a node key, appears twice
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
     * @throws IllegalArgumentException if a weight is below 1, or a node key appears twice
     */
    public <M extends N> ConsistentHash<M> buildWeighted(Map<? extends M, Integer> nodes) {
        return create(NodeSet.ofWeighted(nodeKey, nodes));
    }

    private <M> ConsistentHash<M> create(NodeSet<M> nodes) {
        return new RendezvousHash<>(nodes, hashFunction);
    }

    @Override
    public String toString() {
        return "RendezvousBuilder{" + "hashFunction=" + hashFunction + "}";
    }
}
