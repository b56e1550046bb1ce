package io.dstk.hash;

/**
 * How many keys change owner between two {@link ConsistentHash} instances, from {@link HashAnalysis#movement}.
 *
 * @param keys number of keys compared
 * @param moved number of keys whose owner differs
 * @param movedFraction {@code moved / keys}
 * @param idealFraction the least any placement must move with equal weights: {@code 1 - common / max(before,
 *        after)}, where {@code common} is the number of nodes in both; {@code 1/(n+1)} when one node joins
 *        {@code n}, {@code 1/n} when one of {@code n} leaves
 * @param ratioToIdeal {@code movedFraction / idealFraction} (1.0 is optimal; NaN if the ideal is 0)
 */
public record Movement(long keys, long moved, double movedFraction, double idealFraction, double ratioToIdeal) {

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "Movement{keys=%d, moved=%d (%.4f), ideal=%.4f, ratio=%.3f}",
                keys, moved, movedFraction, idealFraction, ratioToIdeal);
    }
}
