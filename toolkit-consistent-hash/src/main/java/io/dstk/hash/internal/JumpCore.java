package io.dstk.hash.internal;

import io.dstk.hash.HashFunction;

/**
 * The implementation behind {@code JumpHash}.
 *
 * @param <N> node type
 */
public final class JumpCore<N> extends AbstractHash<N> {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;
    private final HashFunction hash;

    /**
     * @param nodes buckets in order
     * @param hash hash for non-long keys
     */
    public JumpCore(NodeSet<N> nodes, HashFunction hash) {
        super(nodes);
        this.hash = hash;
    }

    /**
     * Guava's {@code Hashing.consistentHash(long, int)}, bit for bit (Lamping and Veach, figure 1).
     *
     * @param state the key
     * @param buckets at least 1
     * @return the bucket
     */
    public static int jump(long state, int buckets) {
        return buckets <= FAST_LIMIT ? jumpFast(state, buckets) : jumpReference(state, buckets);
    }

    /*
     * Guava computes next = (int) ((candidate + 1) / (r / 2^31)) with r = (int) (state >>> 33) + 1: two divisions on
     * the loop's critical path. For buckets <= 2^22 Guava's result is floor(Q), Q = (candidate + 1) * 2^31 / r,
     * whenever Q < 2^22 (Q's distance to the next integer, >= 1/r >= 2^-31, exceeds half an ulp), and both loops end
     * when Q >= buckets. Here floor(Q) is computed in integers: m ~ 2^62 / r depends only on the generator, so its
     * division runs off the critical path; the path itself is one 64x64 high multiply. With n = (candidate + 1) * 2^31
     * < 2^53 and e = Q * 2^-53 (the double division's rounding; < 2^-31 <= 1/r while Q < 2^22), n * m / 2^62 lies in
     * (Q - 2^-9 - e, Q + e]: Q is at least 1/r from the next integer, so the product's floor is floor(Q) or one less,
     * and one remainder check fixes it. When Q is larger the error stays below 2 and the loop ends either way.
     * Larger bucket counts use Guava's loop as is.
     */
    private static final int FAST_LIMIT = 1 << 22;

    static int jumpFast(long state, int buckets) {
        int candidate = 0;
        while (true) {
            state = 2862933555777941757L * state + 1;
            int r = (int) (state >>> 33) + 1;
            if (r < 0) {
                return candidate; // r overflowed to -2^31: Guava's quotient is negative, which ends its loop
            }
            long m = (long) (0x1.0p62 / r);
            long n = (long) (candidate + 1) << 31;
            long next = Math.multiplyHigh(n << 2, m);
            if (n - next * r >= r) {
                next++;
            }
            if (next >= buckets) {
                return candidate;
            }
            candidate = (int) next;
        }
    }

    static int jumpReference(long state, int buckets) {
        int candidate = 0;
        while (true) {
            state = 2862933555777941757L * state + 1;
            double d = ((double) ((int) (state >>> 33) + 1)) / 0x1.0p31;
            int next = (int) ((candidate + 1) / d);
            if (next >= 0 && next < buckets) {
                candidate = next;
            } else {
                return candidate;
            }
        }
    }

    @Override
    protected long hashKey(byte[] key) {
        return hash.hash(key, 0, key.length);
    }

    @Override
    protected long hashKey(CharSequence key) {
        return hash.hashUtf8(key);
    }

    @Override
    protected long hashKey(long key) {
        return key;
    }

    @Override
    protected int indexFor(long h) {
        return jump(h, nodes.size());
    }

    @Override
    protected int[] preference(long h, int count) {
        // The owner, then jump buckets of re-mixed keys, skipping repeats: deterministic and distinct.
        int n = nodes.size();
        int[] result = new int[count];
        boolean[] seen = new boolean[n];
        int found = 0;
        for (long k = 0; found < count; k++) {
            int b = jump(k == 0 ? h : Murmur3.fmix64(h + k * GOLDEN), n);
            if (!seen[b]) {
                seen[b] = true;
                result[found++] = b;
            }
        }
        return result;
    }

    @Override
    public JumpCore<N> rebuild(NodeSet<N> newNodes) {
        return new JumpCore<>(newNodes, hash);
    }

    @Override
    protected String algorithm() {
        return "jump";
    }
}
