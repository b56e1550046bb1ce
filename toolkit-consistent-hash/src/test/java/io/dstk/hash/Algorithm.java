package io.dstk.hash;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Every placement, so that each behaviour is tested over all of them (a new algorithm inherits the suite). */
enum Algorithm {
    RING(nodes -> ConsistentHash.ring().build(nodes), w -> ConsistentHash.ring().buildWeighted(w), true, true, true),
    KETAMA(nodes -> ConsistentHash.ketama().build(nodes), w -> ConsistentHash.ketama().buildWeighted(w), true, false,
            true),
    RENDEZVOUS(nodes -> ConsistentHash.rendezvous().build(nodes), w -> ConsistentHash.rendezvous().buildWeighted(w),
            true, true, true),
    MAGLEV(nodes -> ConsistentHash.maglev().build(nodes), w -> ConsistentHash.maglev().buildWeighted(w), false, true,
            true),
    JUMP(JumpHash::of, null, false, false, false);

    final Function<List<String>, ConsistentHash<String>> factory;
    final Function<Map<String, Integer>, ConsistentHash<String>> weighted;
    /** Adding a node moves keys only to it; removing any node moves only its keys. */
    final boolean minimallyDisruptive;
    /** The same node set gives the same placement whatever the insertion order. */
    final boolean orderIndependent;
    /** Any node can be removed. */
    final boolean removesAnyNode;

    Algorithm(Function<List<String>, ConsistentHash<String>> factory,
            Function<Map<String, Integer>, ConsistentHash<String>> weighted, boolean minimallyDisruptive,
            boolean orderIndependent, boolean removesAnyNode) {
        this.factory = factory;
        this.weighted = weighted;
        this.minimallyDisruptive = minimallyDisruptive;
        this.orderIndependent = orderIndependent;
        this.removesAnyNode = removesAnyNode;
    }

    ConsistentHash<String> of(List<String> nodes) {
        return factory.apply(nodes);
    }

    static List<String> nodes(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> "node-" + i).toList();
    }
}
