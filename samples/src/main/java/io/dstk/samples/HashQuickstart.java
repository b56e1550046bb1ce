package io.dstk.samples;

import io.dstk.hash.ConsistentHash;
import io.dstk.hash.HashAnalysis;
import io.dstk.hash.LoadStats;
import io.dstk.hash.Movement;
import java.util.List;

/**
 * Consistent hashing in one page: where keys land on three cache nodes, and how few of them move when a fourth
 * node joins. Run it with {@code mvn -B -q -Pdemo -pl samples -am -DskipTests package
 * -Ddstk.demo.mainClass=io.dstk.samples.HashQuickstart}.
 */
public final class HashQuickstart {
    private HashQuickstart() {
    }

    /**
     * Prints the owners of a few keys, their replicas, and the keys that move when a node joins.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // An immutable ring: 160 virtual nodes per node, murmur3, nodes placed by their toString().
        ConsistentHash<String> ring = ConsistentHash.ring().build(List.of("cache-a", "cache-b", "cache-c"));

        List<String> keys = List.of("user:1", "user:2", "user:3", "cart:42", "session:9f3", "order:1001");
        System.out.println("Where keys land on " + ring.nodes() + ":");
        for (String key : keys) {
            System.out.printf("  %-12s -> %-8s replicas %s%n", key, ring.nodeFor(key), ring.nodesFor(key, 2));
        }

        // Adding a node returns a new ring; only keys that now belong to the new node move.
        ConsistentHash<String> grown = ring.withNode("cache-d");
        System.out.println("After cache-d joins:");
        for (String key : keys) {
            String before = ring.nodeFor(key);
            String after = grown.nodeFor(key);
            System.out.printf("  %-12s -> %-8s %s%n", key, after, before.equals(after) ? "(stays)" : "(moved from " + before + ")");
        }

        HashAnalysis.KeySet million = HashAnalysis.sequentialKeys(1_000_000);
        Movement moved = HashAnalysis.movement(ring, grown, million);
        System.out.printf("Keys moved: %d of %d (%.1f%%; the ideal is %.1f%%)%n", moved.moved(), moved.keys(),
                100 * moved.movedFraction(), 100 * moved.idealFraction());
        LoadStats<String> load = HashAnalysis.load(grown, million);
        System.out.printf("Load per node: %s (peak/mean %.3f)%n", load.keysPerNode(), load.peakToMean());
    }
}
