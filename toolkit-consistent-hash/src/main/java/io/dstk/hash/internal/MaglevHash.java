package io.dstk.hash.internal;

import io.dstk.hash.HashFunction;
import java.util.Arrays;

/**
 * Maglev hashing (Eisenbud et al., NSDI 2016, section 3.4).
 *
 * <p>Nodes in node-key order; node {@code i} with {@code h = hashUtf8(key_i)} has {@code offset = h mod M} and
 * {@code skip = fmix64(h) mod (M - 1) + 1} (unsigned), and its permutation is
 * {@code (offset + j * skip) mod M}. The table is filled in rounds; in each round node {@code i} claims its next
 * {@code weight_i} free preferred slots. A key with hash {@code k} reads slot
 * {@code ((k >>> 32) * M) >>> 32}.
 *
 * @param <N> node type
 */
public final class MaglevHash<N> extends AbstractHash<N> {
    private final HashFunction hash;
    private final int tableSize;
    private final int[] table;

    /**
     * @param nodes nodes
     * @param hash hash function
     * @param tableSize a prime table size, larger than the total weight
     */
    public MaglevHash(NodeSet<N> nodes, HashFunction hash, int tableSize) {
        super(nodes);
        this.hash = java.util.Objects.requireNonNull(hash, "hashFunction");
        this.tableSize = tableSize;
        if (nodes.totalWeight() > tableSize) {
            throw new IllegalArgumentException("tableSize (" + tableSize + ") must be at least the total weight of the"
                    + " nodes (" + nodes.totalWeight() + "); use a prime about 100 times larger");
        }
        this.table = nodes.size() == 0 ? new int[0] : populate(nodes, hash, tableSize);
    }

    private static int[] populate(NodeSet<?> nodes, HashFunction hash, int m) {
        int[] byKey = nodes.indexesByKey();
        int n = byKey.length;
        int[] position = new int[n]; // (offset + next * skip) mod m, advanced by skip without dividing
        int[] skip = new int[n];
        for (int r = 0; r < n; r++) {
            long h = hash.hashUtf8(nodes.key(byKey[r]));
            position[r] = (int) Long.remainderUnsigned(h, m);
            skip[r] = (int) (Long.remainderUnsigned(Murmur3.fmix64(h), m - 1) + 1);
        }
        int[] table = new int[m];
        Arrays.fill(table, -1);
        int filled = 0;
        while (true) {
            for (int r = 0; r < n; r++) {
                int w = nodes.weight(byKey[r]);
                for (int t = 0; t < w; t++) {
                    int c = position[r];
                    while (table[c] >= 0) {
                        c = advance(c, skip[r], m);
                    }
                    table[c] = byKey[r];
                    position[r] = advance(c, skip[r], m);
                    if (++filled == m) {
                        return table;
                    }
                }
            }
        }
    }

    private static int advance(int c, int skip, int m) {
        int next = c + skip; // may wrap past 2^31 - 1; subtracting m in two's complement still gives c + skip - m
        return next >= m || next < 0 ? next - m : next;
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

    private int slot(long h) {
        return (int) (((h >>> 32) * tableSize) >>> 32);
    }

    @Override
    protected int indexFor(long h) {
        return table[slot(h)];
    }

    @Override
    protected int[] preference(long h, int count) {
        // The owner, then the owners of the following slots: distinct and deterministic (not stable under changes).
        int[] result = new int[count];
        boolean[] seen = new boolean[nodes.size()];
        int found = 0;
        for (int k = 0, s = slot(h); k < tableSize && found < count; k++, s = (s + 1 == tableSize ? 0 : s + 1)) {
            int owner = table[s];
            if (!seen[owner]) {
                seen[owner] = true;
                result[found++] = owner;
            }
        }
        return result;
    }

    @Override
    protected MaglevHash<N> rebuild(NodeSet<N> newNodes) {
        return new MaglevHash<>(newNodes, hash, tableSize);
    }

    /** @return the table size */
    public int tableSize() {
        return tableSize;
    }

    @Override
    protected String algorithm() {
        return "maglev";
    }
}
