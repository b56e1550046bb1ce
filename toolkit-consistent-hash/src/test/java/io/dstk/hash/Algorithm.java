package io.dstk.hash;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Every placement, so that each behaviour is tested over all of them (a new algorithm inherits the suite). */
enum Algorithm {
    RING(nodes -> ConsistentHash.ring().build(nodes), w -> ConsistentHash.ring().buildWeighted(w), true),
    KETAMA(nodes -> ConsistentHash.ketama().build(nodes), w -> ConsistentHash.ketama().buildWeighted(w), true),
    RENDEZVOUS(nodes -> ConsistentHash.rendezvous().build(nodes), w -> ConsistentHash.rendezvous().buildWeighted(w),
            true),
    MAGLEV(nodes -> ConsistentHash.maglev().build(nodes), w -> ConsistentHash.maglev().buildWeighted(w), true),
    JUMP(JumpHash::of, null, false);

    final Function<List<String>, ConsistentHash<String>> factory;
    final Function<Map<String, Integer>, ConsistentHash<String>> weighted;
    /** Any node can be removed (jump: only the last). */
    final boolean removesAnyNode;

    Algorithm(Function<List<String>, ConsistentHash<String>> factory,
            Function<Map<String, Integer>, ConsistentHash<String>> weighted, boolean removesAnyNode) {
        this.factory = factory;
        this.weighted = weighted;
        this.removesAnyNode = removesAnyNode;
    }

    ConsistentHash<String> of(List<String> nodes) {
        return factory.apply(nodes);
    }

    static List<String> nodes(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> "node-" + i).toList();
    }
}
