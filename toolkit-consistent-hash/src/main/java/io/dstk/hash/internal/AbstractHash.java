package io.dstk.hash.internal;

import io.dstk.hash.ConsistentHash;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Shared argument checks and key dispatch: subclasses map a 64-bit key hash to node indexes.
 *
 * @param <N> node type
 */
public abstract class AbstractHash<N> implements ConsistentHash<N> {
    /** The nodes. */
    protected final NodeSet<N> nodes;

    /**
     * @param nodes the nodes
     */
    protected AbstractHash(NodeSet<N> nodes) {
        this.nodes = nodes;
    }

    /**
     * @param key key bytes
     * @return the key's position hash
     */
    protected abstract long hashKey(byte[] key);

    /**
     * @param key key text
     * @return the key's position hash
     */
    protected abstract long hashKey(CharSequence key);

    /**
     * @param key key
     * @return the key's position hash
     */
    protected abstract long hashKey(long key);

    /**
     * @param hash a key hash
     * @return index of the owning node
     */
    protected abstract int indexFor(long hash);

    /**
     * @param hash a key hash
     * @param count number of distinct nodes wanted, within bounds
     * @return node indexes in preference order
     */
    protected abstract int[] preference(long hash, int count);

    /** @return the algorithm's name, for messages */
    protected abstract String algorithm();

    /**
     * @param nodes new nodes
     * @return an instance of the same algorithm and options over {@code nodes}
     */
    protected abstract AbstractHash<N> rebuild(NodeSet<N> nodes);

    /**
     * @param key key bytes
     * @return the hash that positions the key
     */
    public final long positionOf(byte[] key) {
        return hashKey(Objects.requireNonNull(key, "key must not be null"));
    }

    /**
     * @param key key text
     * @return the hash that positions the key
     */
    public final long positionOf(CharSequence key) {
        return hashKey(Objects.requireNonNull(key, "key must not be null"));
    }

    /**
     * @param key key
     * @return the hash that positions the key
     */
    public final long positionOf(long key) {
        return hashKey(key);
    }

    /** @return the node set */
    public final NodeSet<N> nodeSet() {
        return nodes;
    }

    /**
     * Index of the owner of a key hash, checking for emptiness.
     *
     * @param hash the key hash
     * @return node index
     */
    public final int ownerIndex(long hash) {
        checkNotEmpty();
        return indexFor(hash);
    }

    @Override
    public final N nodeFor(byte[] key) {
        Objects.requireNonNull(key, "key must not be null");
        checkNotEmpty();
        return nodes.node(indexFor(hashKey(key)));
    }

    @Override
    public final N nodeFor(CharSequence key) {
        Objects.requireNonNull(key, "key must not be null");
        checkNotEmpty();
        return nodes.node(indexFor(hashKey(key)));
    }

    @Override
    public final N nodeFor(long key) {
        checkNotEmpty();
        return nodes.node(indexFor(hashKey(key)));
    }

    @Override
    public final List<N> nodesFor(byte[] key, int count) {
        Objects.requireNonNull(key, "key must not be null");
        checkCount(count);
        return toList(preference(hashKey(key), count));
    }

    @Override
    public final List<N> nodesFor(CharSequence key, int count) {
        Objects.requireNonNull(key, "key must not be null");
        checkCount(count);
        return toList(preference(hashKey(key), count));
    }

    @Override
    public final List<N> nodesFor(long key, int count) {
        checkCount(count);
        return toList(preference(hashKey(key), count));
    }

    @Override
    public final Set<N> nodes() {
        return nodes.view();
    }

    @Override
    public final int weightOf(N node) {
        return nodes.weight(nodes.indexOfOrThrow(node));
    }

    @Override
    public ConsistentHash<N> withNode(N node, int weight) {
        return rebuild(nodes.with(node, weight));
    }

    @Override
    public ConsistentHash<N> withoutNode(N node) {
        return rebuild(nodes.without(node));
    }

    private List<N> toList(int[] indexes) {
        List<N> list = new ArrayList<>(indexes.length);
        for (int i : indexes) {
            list.add(nodes.node(i));
        }
        return Collections.unmodifiableList(list);
    }

    /** Throws if there are no nodes. */
    protected final void checkNotEmpty() {
        if (nodes.size() == 0) {
            throw new IllegalStateException("no nodes: cannot look up a key in an empty " + algorithm() + " instance");
        }
    }

    private void checkCount(int count) {
        checkNotEmpty();
        if (count < 1 || count > nodes.size()) {
            throw new IllegalArgumentException("count must be between 1 and the number of nodes (" + nodes.size()
                    + "), was " + count);
        }
    }

    @Override
    public String toString() {
        return algorithm() + nodes.view();
    }
}
