package io.dstk.hash;

import io.dstk.hash.internal.AbstractHash;
import io.dstk.hash.internal.RingHash;
import io.dstk.hash.internal.RingIndex;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, SODA 2018) over a
 * {@linkplain ConsistentHash#ring() ring} or {@linkplain ConsistentHash#ketama() ketama} instance.
 *
 * <p>With {@code m} keys currently assigned to {@code n} nodes and load factor {@code c > 1}, a new assignment goes
 * to the first node clockwise from the key whose load after the assignment is at most
 * {@code ceil(c * (m + 1) / n)}; so no node ever holds more than about {@code c} times the mean, and a key goes to
 * its ring owner whenever that owner has room. Each assignment returns an {@link Assignment} that releases its
 * load once ({@link Assignment#release()} is idempotent).
 *
 * <p><b>Thread safety.</b> Thread-safe: assignments and releases are serialized on an internal lock (a few tens of
 * nanoseconds each when not contended). The node set is fixed: to change it, create a new balancer over the new
 * ring and move assignments as they are released.
 *
 * <p>Placement depends on the current loads, so it is not a pure function of the key: use it to spread work
 * (requests, connections, sessions), not to locate data.
 *
 * @param <N> the node type
 */
public final class BoundedLoadBalancer<N> {
    private final AbstractHash<N> ring;
    private final RingIndex index;
    private final double loadFactor;
    private final int[] loads;
    private final Object lock = new Object();
    private long total;

    private BoundedLoadBalancer(AbstractHash<N> ring, RingIndex index, double loadFactor) {
        this.ring = ring;
        this.index = index;
        this.loadFactor = loadFactor;
        this.loads = new int[ring.nodes().size()];
    }

    /**
     * Creates a balancer over {@code ring} with all loads at zero.
     *
     * @param ring a non-empty instance built by {@link ConsistentHash#ring()} or {@link ConsistentHash#ketama()}
     * @param loadFactor {@code c}, greater than 1 (e.g. 1.25: no node above 125% of the mean, rounded up)
     * @param <N> the node type
     * @return the balancer
     * @throws NullPointerException if {@code ring} is null
     * @throws IllegalArgumentException if {@code loadFactor} is not a finite number greater than 1, or {@code ring}
     *         is not a ring or ketama instance
     * @throws IllegalStateException if {@code ring} has no nodes
     */
    public static <N> BoundedLoadBalancer<N> create(ConsistentHash<N> ring, double loadFactor) {
        Objects.requireNonNull(ring, "ring");
        if (!(loadFactor > 1) || Double.isInfinite(loadFactor)) {
            throw new IllegalArgumentException("loadFactor must be a finite number > 1, was " + loadFactor);
        }
        if (!(ring instanceof RingHash)) {
            throw new IllegalArgumentException("bounded loads need a ring or ketama instance (clockwise order), was "
                    + ring.getClass().getSimpleName());
        }
        if (ring.nodes().isEmpty()) {
            throw new IllegalStateException("no nodes: cannot balance load over an empty ring");
        }
        RingHash<N> r = (RingHash<N>) ring;
        return new BoundedLoadBalancer<>(r, r.index(), loadFactor);
    }

    /**
     * A key's load on a node, held until released.
     *
     * @param <N> the node type
     */
    public interface Assignment<N> extends AutoCloseable {
        /** @return the node that carries this load */
        N node();

        /** Releases the load; later calls do nothing. */
        void release();

        /** Same as {@link #release()}. */
        @Override
        default void close() {
            release();
        }
    }

    private final class Handle implements Assignment<N> {
        private final int owner;
        private final AtomicBoolean released = new AtomicBoolean();

        Handle(int owner) {
            this.owner = owner;
        }

        @Override
        public N node() {
            return ring.nodeSet().node(owner);
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                synchronized (lock) {
                    loads[owner]--;
                    total--;
                }
            }
        }

        @Override
        public String toString() {
            return "Assignment{" + node() + (released.get() ? ", released}" : "}");
        }
    }

    /**
     * Assigns one unit of load for {@code key}.
     *
     * @param key the key's bytes (hashed as by the ring)
     * @return the assignment; release it when the work is done
     * @throws NullPointerException if {@code key} is null
     */
    public Assignment<N> assign(byte[] key) {
        return assignAt(index.position(ring.positionOf(key)));
    }

    /**
     * Assigns one unit of load for {@code key}, hashed as its UTF-8 bytes.
     *
     * @param key the key
     * @return the assignment; release it when the work is done
     * @throws NullPointerException if {@code key} is null
     */
    public Assignment<N> assign(CharSequence key) {
        return assignAt(index.position(ring.positionOf(key)));
    }

    /**
     * Assigns one unit of load for {@code key}, hashed as its 8 little-endian bytes.
     *
     * @param key the key
     * @return the assignment; release it when the work is done
     */
    public Assignment<N> assign(long key) {
        return assignAt(index.position(ring.positionOf(key)));
    }

    private Assignment<N> assignAt(int start) {
        int n = loads.length;
        int points = index.size();
        synchronized (lock) {
            long capacity = capacity(total + 1, n);
            for (int k = 0, i = start; k < points; k++, i = (i + 1 == points ? 0 : i + 1)) {
                int owner = index.owner(i);
                if (loads[owner] + 1L <= capacity) {
                    loads[owner]++;
                    total++;
                    return new Handle(owner);
                }
            }
        }
        // Unreachable: n * ceil(c(m+1)/n) > m, so some node has room, and every node has a point.
        throw new IllegalStateException("no node below capacity; this is a bug");
    }

    private long capacity(long m, int n) {
        // ceil(c * m / n), with a relative epsilon so that an exact integer product is not rounded up.
        double exact = loadFactor * m / n;
        return (long) Math.ceil(exact - Math.ulp(exact) * 4);
    }

    /**
     * Returns the current load of {@code node}.
     *
     * @param node a node of the ring
     * @return its number of unreleased assignments
     * @throws NullPointerException if {@code node} is null
     * @throws IllegalArgumentException if {@code node} is not in the ring
     */
    public int load(N node) {
        int i = ring.nodeSet().indexOfOrThrow(node);
        synchronized (lock) {
            return loads[i];
        }
    }

    /** @return the number of unreleased assignments on all nodes */
    public long totalLoad() {
        synchronized (lock) {
            return total;
        }
    }

    /** @return the current capacity per node for the next assignment, {@code ceil(c * (m + 1) / n)} */
    public long capacity() {
        synchronized (lock) {
            return capacity(total + 1, loads.length);
        }
    }

    /** @return the load factor {@code c} */
    public double loadFactor() {
        return loadFactor;
    }

    /** @return the ring this balancer assigns over */
    public ConsistentHash<N> ring() {
        return ring;
    }

    @Override
    public String toString() {
        return "BoundedLoadBalancer{loadFactor=" + loadFactor + ", nodes=" + loads.length + ", load=" + totalLoad() + "}";
    }
}
