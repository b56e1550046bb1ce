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
     * Builds an index. Points must be given in ascending tie-break order (the sort is stable): at one position, the
     * earlier point comes first; with {@code keepLastOnTie} only the last point of a position is kept
     * (spymemcached's "later server wins"), otherwise all are kept and the first is found first.
     *
     * @param positions unsigned positions
     * @param owners owner index per position
     * @param keepLastOnTie drop all but the last point at each position
     * @return the index
     */
    public static RingIndex build(long[] positions, int[] owners, boolean keepLastOnTie) {
        int n = positions.length;
        long[] keys = positions.clone();
        int[] order = owners.clone();
        radixSort(keys, order);
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (keepLastOnTie && i + 1 < n && keys[i + 1] == keys[i]) {
                continue;
            }
            keys[m] = keys[i] ^ Long.MIN_VALUE;
            order[m] = order[i];
            m++;
        }
        return new RingIndex(m < n ? java.util.Arrays.copyOf(keys, m) : keys,
                m < n ? java.util.Arrays.copyOf(order, m) : order);
    }

    // Stable LSD radix sort of unsigned 64-bit keys, 8 bits per pass, carrying an int payload.
    private static void radixSort(long[] keys, int[] payload) {
        int n = keys.length;
        long[] k2 = new long[n];
        int[] p2 = new int[n];
        int[] count = new int[257];
        for (int shift = 0; shift < 64; shift += 8) {
            java.util.Arrays.fill(count, 0);
            for (long k : keys) {
                count[(int) ((k >>> shift) & 0xff) + 1]++;
            }
            if (count[(int) ((keys.length == 0 ? 0 : keys[0]) >>> shift & 0xff) + 1] == n) {
                continue; // every key has the same byte here
            }
            for (int b = 0; b < 256; b++) {
                count[b + 1] += count[b];
            }
            for (int i = 0; i < n; i++) {
                int b = (int) ((keys[i] >>> shift) & 0xff);
                int to = count[b]++;
                k2[to] = keys[i];
                p2[to] = payload[i];
            }
            System.arraycopy(k2, 0, keys, 0, n);
            System.arraycopy(p2, 0, payload, 0, n);
        }
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
}
