package io.dstk.hash;

import java.util.Map;

/**
 * How evenly a set of keys spreads over the nodes of a {@link ConsistentHash}, from {@link HashAnalysis#load}.
 *
 * @param keysPerNode number of keys per node, every node included (zero if it got none), in node order
 * @param keys total number of keys
 * @param mean keys per node on average
 * @param standardDeviation population standard deviation of keys per node
 * @param min fewest keys on one node
 * @param max most keys on one node
 * @param peakToMean {@code max / mean}: 1.0 is perfect balance
 * @param <N> the node type
 */
public record LoadStats<N>(Map<N, Long> keysPerNode, long keys, double mean, double standardDeviation, long min,
        long max, double peakToMean) {

    /** Copies {@code keysPerNode} into an unmodifiable map. */
    public LoadStats {
        keysPerNode = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(keysPerNode));
    }

    /** @return {@code standardDeviation / mean}, the coefficient of variation */
    public double relativeStandardDeviation() {
        return mean == 0 ? 0 : standardDeviation / mean;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "LoadStats{nodes=%d, keys=%d, mean=%.1f, stdDev=%.1f (%.2f%%), min=%d, max=%d, peakToMean=%.3f}",
                keysPerNode.size(), keys, mean, standardDeviation, 100 * relativeStandardDeviation(), min, max,
                peakToMean);
    }
}
