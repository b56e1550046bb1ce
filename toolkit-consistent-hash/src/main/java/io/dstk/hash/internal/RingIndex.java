package io.dstk.hash.internal;

/**
 * Sorted ring points with a bucket index on their top bits: a lookup reads one bucket entry and usually one or
 * two points, instead of a binary search's ~log2(points) cache misses.
 *
 * <p>Points are unsigned 64-bit positions; they are stored with the sign bit flipped so that signed comparison
 * gives unsigned order.
 */
public final class RingIndex {
    private static final int MAX_BITS = 22;

    private final long[] points;
    private final int[] owners;
    private final int[] buckets;
    private final int shift;

    private RingIndex(long[] points, int[] owners) {
        this.points = points;
        this.owners = owners;
        int n = points.length;
        int bits = Math.max(1, Math.min(MAX_BITS, 64 - Long.numberOfLeadingZeros(Math.max(1, n - 1))));
        this.shift = 64 - bits;
        this.buckets = new int[(1 << bits) + 1];
        int p = 0;
        for (int b = 0; b < (1 << bits); b++) {
            while (p < n && ((points[p] ^ Long.MIN_VALUE) >>> shift) < b) {
                p++;
            }
            buckets[b] = p;
        }
        buckets[1 << bits] = n;
    }

    /**
     * Builds an index. Ties on a position are ordered by ascending rank; with {@code keepLastOnTie} only the
     * highest-ranked point of a position is kept (spymemcached's "later server wins"), otherwise all are kept and
     * the lowest rank is found first.
     *
     * @param positions unsigned positions
     * @param owners owner index per position
     * @param ranks tie-break rank per position
     * @param keepLastOnTie drop all but the highest rank at each position
     * @return the index
     */
    public static RingIndex build(long[] positions, int[] owners, int[] ranks, boolean keepLastOnTie) {
        int n = positions.length;
        long[] keys = new long[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            keys[i] = positions[i] ^ Long.MIN_VALUE;
            order[i] = i;
        }
        sort(keys, order, ranks, 0, n - 1);
        long[] outPoints = new long[n];
        int[] outOwners = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (keepLastOnTie && i + 1 < n && keys[i + 1] == keys[i]) {
                continue;
            }
            outPoints[m] = keys[i];
            outOwners[m] = owners[order[i]];
            m++;
        }
        if (m < n) {
            outPoints = java.util.Arrays.copyOf(outPoints, m);
            outOwners = java.util.Arrays.copyOf(outOwners, m);
        }
        return new RingIndex(outPoints, outOwners);
    }

    /**
     * @param hash unsigned key position
     * @return index of the first point at or after {@code hash}, wrapping to 0
     */
    public int position(long hash) {
        long key = hash ^ Long.MIN_VALUE;
        int b = (int) (hash >>> shift);
        int i = buckets[b];
        int end = buckets[b + 1];
        long[] p = points;
        while (i < end && p[i] < key) {
            i++;
        }
        return i == p.length ? 0 : i;
    }

    /**
     * @param position a point index
     * @return the owner of that point
     */
    public int owner(int position) {
        return owners[position];
    }

    /** @return number of points */
    public int size() {
        return points.length;
    }

    /**
     * Node indexes in clockwise order from {@code hash}, distinct, {@code count} of them.
     *
     * @param hash key position
     * @param count wanted
     * @param nodeCount number of nodes
     * @return node indexes
     */
    public int[] distinctFrom(long hash, int count, int nodeCount) {
        int[] result = new int[count];
        boolean[] seen = new boolean[nodeCount];
        int found = 0;
        int n = points.length;
        for (int k = 0, i = position(hash); k < n && found < count; k++, i = (i + 1 == n ? 0 : i + 1)) {
            int owner = owners[i];
            if (!seen[owner]) {
                seen[owner] = true;
                result[found++] = owner;
            }
        }
        if (found < count) {
            throw new IllegalStateException("ring has points for only " + found + " nodes, " + count + " wanted");
        }
        return result;
    }

    /** @return approximate bytes of memory held */
    public long memoryBytes() {
        return 8L * points.length + 4L * owners.length + 4L * buckets.length;
    }

    // Quicksort of (keys, ranks[order]) with insertion sort for short ranges; order is permuted along.
    private static void sort(long[] keys, int[] order, int[] ranks, int lo, int hi) {
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            long pk = keys[mid];
            int pr = ranks[order[mid]];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (less(keys[i], ranks[order[i]], pk, pr)) {
                    i++;
                }
                while (less(pk, pr, keys[j], ranks[order[j]])) {
                    j--;
                }
                if (i <= j) {
                    swap(keys, order, i++, j--);
                }
            }
            if (j - lo < hi - i) {
                sort(keys, order, ranks, lo, j);
                lo = i;
            } else {
                sort(keys, order, ranks, i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            for (int j = i; j > lo && less(keys[j], ranks[order[j]], keys[j - 1], ranks[order[j - 1]]); j--) {
                swap(keys, order, j, j - 1);
            }
        }
    }

    private static boolean less(long k1, int r1, long k2, int r2) {
        return k1 < k2 || (k1 == k2 && r1 < r2);
    }

    private static void swap(long[] keys, int[] order, int a, int b) {
        long k = keys[a];
        keys[a] = keys[b];
        keys[b] = k;
        int o = order[a];
        order[a] = order[b];
        order[b] = o;
    }
}
