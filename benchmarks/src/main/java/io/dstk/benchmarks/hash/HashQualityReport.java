package io.dstk.benchmarks.hash;

import io.dstk.hash.ConsistentHash;
import io.dstk.hash.HashAnalysis;
import io.dstk.hash.JumpHash;
import io.dstk.hash.LoadStats;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Placement quality of every algorithm, printed as Markdown tables: balance of 1,000,000 keys over 100 nodes
 * (peak-to-mean, standard deviation, min and max per node), mean movement when a node joins or leaves (over 20
 * random node names, as a ratio to the ideal 1/(n+1) and 1/n), and retained heap per node at 1000 nodes.
 * Deterministic except for the memory column (measured from the heap after GC).
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp benchmarks/target/benchmarks.jar io.dstk.benchmarks.hash.HashQualityReport
 * </pre>
 */
public final class HashQualityReport {
    private static final int NODES = 100;
    private static final int KEYS = 1_000_000;
    private static final int TRIALS = 20;

    private HashQualityReport() {
    }

    private record Algo(String name, Function<List<String>, ConsistentHash<String>> factory, boolean removeLastOnly) {
    }

    private static final List<Algo> ALGORITHMS = List.of(
            new Algo("ring (160 vnodes)", n -> ConsistentHash.ring().build(n), false),
            new Algo("ring (1000 vnodes)", n -> ConsistentHash.ring().virtualNodes(1000).build(n), false),
            new Algo("ketama", n -> ConsistentHash.ketama().build(n), false),
            new Algo("rendezvous", n -> ConsistentHash.rendezvous().build(n), false),
            new Algo("maglev (65537)", n -> ConsistentHash.maglev().build(n), false),
            new Algo("jump", JumpHash::of, true));

    /**
     * Prints the report.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        List<String> nodes = Contender.servers(NODES);
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i;
        }
        System.out.printf("Balance: %,d keys over %d nodes; movement: mean over %d random joining/leaving nodes%n%n",
                KEYS, NODES, TRIALS);
        System.out.println("| algorithm | peak/mean | std dev | min | max | move on add (× ideal) | move on remove (× ideal)"
                + " | heap per node (1000 nodes) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Algo algo : ALGORITHMS) {
            ConsistentHash<String> hash = algo.factory().apply(nodes);
            LoadStats<String> load = HashAnalysis.load(hash, new HashAnalysis.KeySet(KEYS, i -> keys[(int) i]));
            String[] owners = new String[KEYS];
            for (int i = 0; i < KEYS; i++) {
                owners[i] = hash.nodeFor(keys[i]);
            }
            SplittableRandom random = new SplittableRandom(42);
            double add = 0;
            double remove = 0;
            for (int t = 0; t < TRIALS; t++) {
                String joiner = "10.9." + random.nextInt(256) + "." + random.nextInt(256) + ":" + (11000 + random.nextInt(1000));
                add += moved(owners, keys, hash.withNode(joiner)) / (1.0 / (NODES + 1));
                String leaving = algo.removeLastOnly() ? nodes.get(NODES - 1) : nodes.get(random.nextInt(NODES));
                remove += moved(owners, keys, hash.withoutNode(leaving)) / (1.0 / NODES);
            }
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.2f%% | %d | %d | %.3f | %.3f | %s |%n", algo.name(),
                    load.peakToMean(), 100 * load.relativeStandardDeviation(), load.min(), load.max(), add / TRIALS,
                    remove / TRIALS, heapPerNode(algo));
        }
    }

    private static double moved(String[] owners, String[] keys, ConsistentHash<String> after) {
        long moved = 0;
        for (int i = 0; i < keys.length; i++) {
            if (!owners[i].equals(after.nodeFor(keys[i]))) {
                moved++;
            }
        }
        return (double) moved / keys.length;
    }

    private static String heapPerNode(Algo algo) {
        List<String> nodes = Contender.servers(1000);
        int copies = 5;
        long before = usedHeap();
        List<ConsistentHash<String>> held = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            // The node strings are shared by all copies and not counted.
            held.add(algo.factory().apply(nodes));
        }
        long after = usedHeap();
        if (held.size() != copies) {
            throw new AssertionError();
        }
        return String.format(Locale.ROOT, "%,d B", (after - before) / copies / 1000);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
