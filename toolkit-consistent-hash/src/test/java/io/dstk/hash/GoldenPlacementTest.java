package io.dstk.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Placement is a wire format. Each algorithm is checked against a straightforward implementation written from the
 * format documented in docs/consistent-hash.md (so docs and code cannot drift apart), and pinned by a checksum of
 * 10,000 placements, recorded when the format was defined: a change of either fails here.
 */
class GoldenPlacementTest {
    private static final HashFunction MURMUR3 = HashFunction.murmur3();
    private static final List<String> NODES = Algorithm.nodes(10);
    private static final int KEYS = 10_000;

    private static String key(int i) {
        return "key-" + i;
    }

    /** CRC32 of the owners' indexes of key-0 .. key-9999 over node-0 .. node-9, one byte each. */
    private static long checksum(ConsistentHash<String> hash) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < KEYS; i++) {
            crc.update(NODES.indexOf(hash.nodeFor(key(i))));
        }
        return crc.getValue();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void placementOfTenThousandKeysIsPinned(Algorithm algorithm) {
        long expected = switch (algorithm) {
            case RING -> 948425988L;
            case KETAMA -> 2316555975L;  // = spymemcached (KetamaAgreementTest)
            case RENDEZVOUS -> 1592771596L;
            case MAGLEV -> 1366433968L;
            case JUMP -> 2451897588L;  // = Guava (JumpHashTest)
        };
        assertThat(checksum(algorithm.of(NODES))).as(algorithm.name()).isEqualTo(expected);
    }

    @Test
    void ringFollowsTheDocumentedFormat() {
        // Points: murmur3(UTF-8(nodeKey + "-" + i)) for i < 160 * weight; owner: first point >= hash(key),
        // unsigned, wrapping; ties: smaller node key.
        TreeMap<Long, String> ring = new TreeMap<>(Long::compareUnsigned);
        for (String node : NODES) {
            for (int i = 0; i < 160; i++) {
                ring.merge(MURMUR3.hashUtf8(node + "-" + i), node, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        ConsistentHash<String> hash = ConsistentHash.ring().build(NODES);
        for (int i = 0; i < KEYS; i++) {
            long h = MURMUR3.hashUtf8(key(i));
            Map.Entry<Long, String> e = ring.ceilingEntry(h);
            String expected = (e == null ? ring.firstEntry() : e).getValue();
            assertThat(hash.nodeFor(key(i))).isEqualTo(expected);
        }
    }

    @Test
    void ringTiesGoToTheSmallerNodeKeyWhateverTheInsertionOrder() {
        // A hash with only 16 distinct values makes every point collide.
        HashFunction coarse = (bytes, offset, length) -> MURMUR3.hash(bytes, offset, length) & 0xf000000000000000L;
        List<String> reversed = new java.util.ArrayList<>(NODES);
        java.util.Collections.reverse(reversed);
        ConsistentHash<String> forward = ConsistentHash.ring().hashFunction(coarse).virtualNodes(5).build(NODES);
        ConsistentHash<String> backward = ConsistentHash.ring().hashFunction(coarse).virtualNodes(5).build(reversed);
        TreeMap<Long, String> ring = new TreeMap<>(Long::compareUnsigned);
        for (String node : NODES) {
            for (int i = 0; i < 5; i++) {
                ring.merge(coarse.hashUtf8(node + "-" + i), node, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        for (int i = 0; i < 1000; i++) {
            Map.Entry<Long, String> e = ring.ceilingEntry(coarse.hashUtf8(key(i)));
            String expected = (e == null ? ring.firstEntry() : e).getValue();
            assertThat(forward.nodeFor(key(i))).isEqualTo(expected);
            assertThat(backward.nodeFor(key(i))).isEqualTo(expected);
            assertThat(backward.nodesFor(key(i), 3)).isEqualTo(forward.nodesFor(key(i), 3));
        }
    }

    @Test
    void rendezvousFollowsTheDocumentedFormat() {
        // Score: fmix64(hash(key) ^ hash(nodeKey)) as unsigned, highest wins (equal weights).
        ConsistentHash<String> hash = ConsistentHash.rendezvous().build(NODES);
        for (int i = 0; i < KEYS; i++) {
            long h = MURMUR3.hashUtf8(key(i));
            String expected = NODES.stream()
                    .max(Comparator.comparing((String n) -> fmix64(h ^ MURMUR3.hashUtf8(n)), Long::compareUnsigned))
                    .orElseThrow();
            assertThat(hash.nodeFor(key(i))).isEqualTo(expected);
        }
    }

    @Test
    void maglevFollowsTheDocumentedFormat() {
        int m = 65537;
        String[] sorted = NODES.stream().sorted().toArray(String[]::new);
        int[] table = new int[m];
        Arrays.fill(table, -1);
        long[] next = new long[sorted.length];
        int filled = 0;
        while (filled < m) {
            for (int r = 0; r < sorted.length && filled < m; r++) {
                long h = MURMUR3.hashUtf8(sorted[r]);
                long offset = Long.remainderUnsigned(h, m);
                long skip = Long.remainderUnsigned(fmix64(h), m - 1) + 1;
                int c;
                do {
                    c = (int) ((offset + next[r]++ * skip) % m);
                } while (table[c] >= 0);
                table[c] = r;
                filled++;
            }
        }
        ConsistentHash<String> hash = ConsistentHash.maglev().build(NODES);
        for (int i = 0; i < KEYS; i++) {
            long h = MURMUR3.hashUtf8(key(i));
            int slot = (int) (((h >>> 32) * m) >>> 32);
            assertThat(hash.nodeFor(key(i))).isEqualTo(sorted[table[slot]]);
        }
    }

    @Test
    void longKeysAreHashedAsTheirLittleEndianBytes() {
        for (Algorithm algorithm : new Algorithm[] {Algorithm.RING, Algorithm.KETAMA, Algorithm.RENDEZVOUS,
            Algorithm.MAGLEV}) {
            ConsistentHash<String> hash = algorithm.of(NODES);
            IntStream.range(0, 1000).forEach(i -> {
                long k = i * 0x9e3779b97f4a7c15L;
                byte[] le = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(k).array();
                assertThat(hash.nodeFor(k)).isEqualTo(hash.nodeFor(le));
            });
        }
    }

    @Test
    void textKeysAreHashedAsTheirUtf8Bytes() {
        for (Algorithm algorithm : Algorithm.values()) {
            ConsistentHash<String> hash = algorithm.of(NODES);
            for (String k : new String[] {"", "é", "日本", "🔑", "\ud800x"}) {
                assertThat(hash.nodeFor(k)).isEqualTo(hash.nodeFor(k.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
