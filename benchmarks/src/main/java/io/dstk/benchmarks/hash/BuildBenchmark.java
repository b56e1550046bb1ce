package io.dstk.benchmarks.hash;

import io.dstk.hash.ConsistentHash;
import io.dstk.hash.JumpHash;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Time to build an instance from scratch over 10, 100 and 1000 nodes (what {@code withNode}/{@code withoutNode}
 * cost too: they rebuild), and, with {@code -prof gc}, the bytes allocated per build. Retained memory per node is
 * printed by {@link HashQualityReport}.
 *
 * <pre>
 * java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -jar benchmarks/target/benchmarks.jar hash.BuildBenchmark \
 *     -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BuildBenchmark {
    @Param({"ring", "ketama", "rendezvous", "maglev", "jump"})
    String algorithm;

    @Param({"10", "100", "1000"})
    int nodes;

    private List<String> names;

    @Setup
    public void setUp() {
        names = algorithm.equals("ketama") ? Contender.servers(nodes) : Contender.names(nodes);
    }

    /**
     * Builds one instance.
     *
     * @return the instance (consumed by JMH)
     */
    @Benchmark
    public ConsistentHash<String> build() {
        return switch (algorithm) {
            case "ring" -> ConsistentHash.ring().build(names);
            case "ketama" -> ConsistentHash.ketama(names);
            case "rendezvous" -> ConsistentHash.rendezvous().build(names);
            case "maglev" -> ConsistentHash.maglev().build(names);
            case "jump" -> JumpHash.of(names);
            default -> throw new IllegalArgumentException("algorithm: " + algorithm);
        };
    }
}
