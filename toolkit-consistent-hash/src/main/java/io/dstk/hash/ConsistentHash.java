package io.dstk.hash;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * An immutable snapshot of nodes that maps each key to a node, so that changing the nodes moves few keys.
 *
 * <p>Instances come from the algorithm-named factories: {@link #ring()}, {@link #ketama()},
 * {@link #rendezvous()}, {@link #maglev()}, and {@link JumpHash#of(List)}. See {@code docs/consistent-hash.md}
 * for how to choose.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Thread safety.</b> Instances are immutable and safe to share between threads without
 *       synchronization; {@link #withNode(Object)} and {@link #withoutNode(Object)} return new instances.</li>
 *   <li><b>Determinism.</b> Placement depends only on the nodes' string keys (a {@code Function<? super N, String>},
 *       {@code toString()} by default; never {@code hashCode()}), their weights, the algorithm and its options,
 *       and the key's bytes: it is identical across instances, processes and releases (golden-tested).
 *       Except for ketama and jump, the order in which nodes were added does not matter.</li>
 *   <li><b>Keys.</b> A {@code CharSequence} key is hashed as its UTF-8 bytes, so {@code nodeFor("k")} equals
 *       {@code nodeFor("k".getBytes(UTF_8))}; a {@code long} key is hashed as its 8 little-endian bytes
 *       (jump uses it directly, as Guava does).</li>
 *   <li><b>Cost.</b> Lookups ({@code nodeFor}) allocate nothing; {@code nodesFor} allocates its result.</li>
 *   <li><b>Failure.</b> Bad arguments throw before anything is computed; an instance is never changed by a
 *       failed call.</li>
 * </ul>
 *
 * @param <N> the node type
 */
public interface ConsistentHash<N> {

    /**
     * Returns the node that owns {@code key}.
     *
     * @param key the key's bytes
     * @return the owner, never null
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if this instance has no nodes
     */
    N nodeFor(byte[] key);

    /**
     * Returns the node that owns {@code key}, hashed as its UTF-8 bytes without encoding it into an array.
     *
     * @param key the key
     * @return the owner, never null
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if this instance has no nodes
     */
    N nodeFor(CharSequence key);

    /**
     * Returns the node that owns {@code key}, hashed as its 8 little-endian bytes (jump: used as is).
     *
     * @param key the key
     * @return the owner, never null
     * @throws IllegalStateException if this instance has no nodes
     */
    N nodeFor(long key);

    /**
     * Returns {@code count} distinct nodes for {@code key} in preference order, the first being
     * {@link #nodeFor(byte[])}: replica placement. The list is the same for every call and instance with the
     * same nodes.
     *
     * @param key the key's bytes
     * @param count how many nodes, from 1 to {@code nodes().size()}
     * @return an unmodifiable list of {@code count} distinct nodes
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalArgumentException if {@code count} is below 1 or above the number of nodes
     * @throws IllegalStateException if this instance has no nodes
     */
    List<N> nodesFor(byte[] key, int count);

    /**
     * As {@link #nodesFor(byte[], int)}, for a key hashed as its UTF-8 bytes.
     *
     * @param key the key
     * @param count how many nodes, from 1 to {@code nodes().size()}
     * @return an unmodifiable list of {@code count} distinct nodes
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalArgumentException if {@code count} is below 1 or above the number of nodes
     * @throws IllegalStateException if this instance has no nodes
     */
    List<N> nodesFor(CharSequence key, int count);

    /**
     * As {@link #nodesFor(byte[], int)}, for a {@code long} key.
     *
     * @param key the key
     * @param count how many nodes, from 1 to {@code nodes().size()}
     * @return an unmodifiable list of {@code count} distinct nodes
     * @throws IllegalArgumentException if {@code count} is below 1 or above the number of nodes
     * @throws IllegalStateException if this instance has no nodes
     */
    List<N> nodesFor(long key, int count);

    /**
     * Returns the nodes, in the order they were added.
     *
     * @return an unmodifiable set
     */
    Set<N> nodes();

    /**
     * Returns the weight of {@code node} (1 unless given).
     *
     * @param node a node of this instance
     * @return its weight, at least 1
     * @throws NullPointerException if {@code node} is null
     * @throws IllegalArgumentException if {@code node} is not in this instance
     */
    int weightOf(N node);

    /**
     * Returns a new instance with {@code node} added with weight 1; this instance is unchanged.
     *
     * @param node the node to add
     * @return the new instance
     * @throws NullPointerException if {@code node} is null or its key is null
     * @throws IllegalArgumentException if the node, or another node with the same key, is already present
     */
    default ConsistentHash<N> withNode(N node) {
        return withNode(node, 1);
    }

    /**
     * Returns a new instance with {@code node} added with {@code weight}; this instance is unchanged. A node of
     * weight 2 receives about twice the keys of a node of weight 1 (ring and ketama: that many times the points).
     *
     * @param node the node to add
     * @param weight its weight, at least 1
     * @return the new instance
     * @throws NullPointerException if {@code node} is null or its key is null
     * @throws IllegalArgumentException if {@code weight} is below 1, or the node (or another node with the same
     *         key) is already present, or the algorithm has no weights (jump) and {@code weight} is not 1
     */
    ConsistentHash<N> withNode(N node, int weight);

    /**
     * Returns a new instance without {@code node}; this instance is unchanged.
     *
     * @param node the node to remove
     * @return the new instance, possibly empty
     * @throws NullPointerException if {@code node} is null
     * @throws IllegalArgumentException if {@code node} is not present (or, for jump, is not the last bucket)
     */
    ConsistentHash<N> withoutNode(N node);

    /**
     * A ring of virtual nodes (Karger et al.): each node of weight {@code w} gets {@code virtualNodes × w} points
     * at {@code hash(UTF-8(key + "-" + i))}; a key belongs to the first point clockwise (unsigned order, wrapping)
     * from its hash. Minimal disruption: adding a node moves keys only to it, removing one moves only its keys.
     * Defaults: 160 virtual nodes, {@link HashFunction#murmur3()}, node key {@code toString()}.
     *
     * @return a new builder
     */
    static RingBuilder<Object> ring() {
        return new RingBuilder<>();
    }

    /**
     * libketama's ring, as spymemcached's {@code KetamaNodeLocator} builds it by default: each server of weight
     * {@code w} gets {@code 160 × w} points, 4 from each MD5 digest of {@code "<server>-<n>"}; a key's hash is the
     * first 4 bytes (little-endian) of its MD5. On a point collision the server later in insertion order wins.
     *
     * @return a new builder
     */
    static KetamaBuilder<Object> ketama() {
        return new KetamaBuilder<>();
    }

    /**
     * A ketama ring over {@code "host:port"} servers, in that order: with IP-literal addresses it places every
     * key exactly where spymemcached's {@code KetamaNodeLocator} does.
     *
     * @param servers the servers, e.g. {@code "10.0.0.1:11211"}
     * @return the instance
     * @throws NullPointerException if {@code servers} or one of them is null
     * @throws IllegalArgumentException if a server appears twice
     */
    static ConsistentHash<String> ketama(Collection<String> servers) {
        return ketama().build(servers);
    }

    /**
     * Rendezvous (highest random weight) hashing: a key goes to the node with the highest score
     * {@code w / -ln(u)}, where {@code u} in (0, 1) is derived from the key's and the node's hashes. Minimal
     * disruption and exact weights; lookups cost O(number of nodes).
     *
     * @return a new builder
     */
    static RendezvousBuilder<Object> rendezvous() {
        return new RendezvousBuilder<>();
    }

    /**
     * Maglev hashing (Eisenbud et al., NSDI 2016): a prime-sized lookup table (default 65537 entries) filled
     * from per-node permutations; O(1) lookups and near-perfect balance. <b>Not minimally disruptive:</b> a
     * change of nodes also moves a small fraction of keys between unchanged nodes.
     *
     * @return a new builder
     */
    static MaglevBuilder<Object> maglev() {
        return new MaglevBuilder<>();
    }
}
