package io.dstk.hash.internal;

import io.dstk.hash.HashFunction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A ring of points (the {@code ring} and {@code ketama} placements).
 *
 * @param <N> node type
 */
public final class RingHash<N> extends AbstractHash<N> {
    private final HashFunction hash; // null for ketama
    private final int virtualNodes;
    private final RingIndex index;

    private RingHash(NodeSet<N> nodes, HashFunction hash, int virtualNodes) {
        super(nodes);
        this.hash = hash;
        this.virtualNodes = virtualNodes;
        this.index = hash == null ? buildKetama(nodes) : buildRing(nodes, hash, virtualNodes);
    }

    /**
     * A virtual-node ring.
     *
     * @param nodes nodes
     * @param hash hash function
     * @param virtualNodes points per unit of weight
     * @param <N> node type
     * @return the ring
     */
    public static <N> RingHash<N> ring(NodeSet<N> nodes, HashFunction hash, int virtualNodes) {
        return new RingHash<>(nodes, java.util.Objects.requireNonNull(hash, "hashFunction"), virtualNodes);
    }

    /**
     * A ketama ring.
     *
     * @param nodes nodes
     * @param <N> node type
     * @return the ring
     */
    public static <N> RingHash<N> ketama(NodeSet<N> nodes) {
        return new RingHash<>(nodes, null, 160);
    }

    private static RingIndex buildRing(NodeSet<?> nodes, HashFunction hash, int virtualNodes) {
        int[] byKey = nodes.indexesByKey(); // generated in node-key order: ties go to the smaller key
        int total = Math.toIntExact(nodes.totalWeight() * virtualNodes);
        long[] positions = new long[total];
        int[] owners = new int[total];
        int p = 0;
        for (int i : byKey) {
            // UTF-8 of key + "-" + v, with v's decimal digits rewritten in place.
            byte[] key = nodes.key(i).getBytes(StandardCharsets.UTF_8);
            byte[] buffer = Arrays.copyOf(key, key.length + 12);
            buffer[key.length] = '-';
            int points = nodes.weight(i) * virtualNodes;
            for (int v = 0; v < points; v++) {
                int length = key.length + 1 + writeDecimal(buffer, key.length + 1, v);
                positions[p] = hash.hash(buffer, 0, length);
                owners[p] = i;
                p++;
            }
        }
        return RingIndex.build(positions, owners, false);
    }

    private static int writeDecimal(byte[] buffer, int at, int value) {
        int digits = value < 10 ? 1 : (int) Math.log10(value) + 1;
        for (int d = digits - 1; d >= 0; d--) {
            buffer[at + d] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return digits;
    }

    private static RingIndex buildKetama(NodeSet<?> nodes) {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
        int total = Math.toIntExact(nodes.totalWeight() * 160);
        long[] positions = new long[total];
        int[] owners = new int[total];
        int p = 0;
        for (int i = 0; i < nodes.size(); i++) { // insertion order: on a collision the later server wins
            String key = nodes.key(i);
            int digests = nodes.weight(i) * 40;
            for (int d = 0; d < digests; d++) {
                byte[] digest = md5.digest((key + "-" + d).getBytes(StandardCharsets.UTF_8));
                for (int h = 0; h < 4; h++) {
                    long point = (digest[3 + h * 4] & 0xffL) << 24 | (digest[2 + h * 4] & 0xffL) << 16
                            | (digest[1 + h * 4] & 0xffL) << 8 | (digest[h * 4] & 0xffL);
                    positions[p] = point << 32;
                    owners[p] = i;
                    p++;
                }
            }
        }
        return RingIndex.build(positions, owners, true);
    }

    @Override
    protected long hashKey(byte[] key) {
        return hash == null ? Md5.first32(key, 0, key.length) << 32 : hash.hash(key, 0, key.length);
    }

    @Override
    protected long hashKey(CharSequence key) {
        if (hash != null) {
            return hash.hashUtf8(key);
        }
        return Utf8.md5First32(key) << 32;
    }

    @Override
    protected long hashKey(long key) {
        if (hash != null) {
            return hash.hashLong(key);
        }
        return Utf8.md5First32(key) << 32;
    }

    @Override
    protected int indexFor(long h) {
        return index.owner(index.position(h));
    }

    @Override
    protected int[] preference(long h, int count) {
        return index.distinctFrom(h, count, nodes.size());
    }

    @Override
    protected RingHash<N> rebuild(NodeSet<N> newNodes) {
        return new RingHash<>(newNodes, hash, virtualNodes);
    }

    /** @return the points */
    public RingIndex index() {
        return index;
    }

    /** @return true for ketama placement */
    public boolean isKetama() {
        return hash == null;
    }

    @Override
    protected String algorithm() {
        return hash == null ? "ketama" : "ring";
    }
}
