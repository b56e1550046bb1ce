package io.dstk.hash.internal;

import io.dstk.hash.HashFunction;

/**
 * Weighted rendezvous (highest random weight) hashing.
 *
 * <p>Score of node {@code i} for key hash {@code h}: {@code s = fmix64(h ^ hashUtf8(key_i))}; with equal weights
 * the node with the highest unsigned {@code s} wins; otherwise the highest {@code w_i / -ln(u)} with
 * {@code u = ((s >>> 11) + 0.5) / 2^53}. Ties go to the smaller node key.
 *
 * @param <N> node type
 */
public final class RendezvousHash<N> extends AbstractHash<N> {
    private final HashFunction hash;
    private final long[] seeds;      // in node-key order
    private final double[] weights;  // in node-key order
    private final int[] indexOf;     // node-key order -> node index
    private final boolean uniform;

    /**
     * @param nodes nodes
     * @param hash hash function
     */
    public RendezvousHash(NodeSet<N> nodes, HashFunction hash) {
        super(nodes);
        this.hash = java.util.Objects.requireNonNull(hash, "hashFunction");
        this.indexOf = nodes.indexesByKey();
        int n = indexOf.length;
        this.seeds = new long[n];
        this.weights = new double[n];
        for (int r = 0; r < n; r++) {
            seeds[r] = hash.hashUtf8(nodes.key(indexOf[r]));
            weights[r] = nodes.weight(indexOf[r]);
        }
        this.uniform = nodes.uniformWeights();
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
        return hash.hashLong(key);
    }

    @Override
    protected int indexFor(long h) {
        long[] s = seeds;
        int best = 0;
        if (uniform) {
            long bestScore = Murmur3.fmix64(h ^ s[0]) ^ Long.MIN_VALUE;
            for (int r = 1; r < s.length; r++) {
                long score = Murmur3.fmix64(h ^ s[r]) ^ Long.MIN_VALUE;
                if (score > bestScore) {
                    bestScore = score;
                    best = r;
                }
            }
        } else {
            double bestScore = weightedScore(h, 0);
            for (int r = 1; r < s.length; r++) {
                double score = weightedScore(h, r);
                if (score > bestScore) {
                    bestScore = score;
                    best = r;
                }
            }
        }
        return indexOf[best];
    }

    private double weightedScore(long h, int r) {
        long s = Murmur3.fmix64(h ^ seeds[r]);
        double u = ((s >>> 11) + 0.5) * 0x1.0p-53;
        return weights[r] / -Math.log(u);
    }

    @Override
    protected int[] preference(long h, int count) {
        int n = seeds.length;
        double[] scores = new double[n];
        long[] raw = new long[n];
        for (int r = 0; r < n; r++) {
            raw[r] = Murmur3.fmix64(h ^ seeds[r]) ^ Long.MIN_VALUE;
            scores[r] = uniform ? 0 : weightedScore(h, r);
        }
        boolean[] taken = new boolean[n];
        int[] result = new int[count];
        for (int c = 0; c < count; c++) {
            int best = -1;
            for (int r = 0; r < n; r++) {
                if (taken[r]) {
                    continue;
                }
                if (best < 0 || (uniform ? raw[r] > raw[best] : scores[r] > scores[best])) {
                    best = r;
                }
            }
            taken[best] = true;
            result[c] = indexOf[best];
        }
        return result;
    }

    @Override
    protected RendezvousHash<N> rebuild(NodeSet<N> newNodes) {
        return new RendezvousHash<>(newNodes, hash);
    }

    @Override
    protected String algorithm() {
        return "rendezvous";
    }
}
