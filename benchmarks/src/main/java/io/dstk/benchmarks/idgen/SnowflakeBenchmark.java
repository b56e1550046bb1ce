package io.dstk.benchmarks.idgen;

import io.dstk.idgen.IdGenerator;
import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.SnowflakeLayout;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Cost of {@code SnowflakeGenerator.nextId()} next to its floor, one {@code System.currentTimeMillis()} call,
 * at 1 and 2 threads on one shared generator; and the throughput of the {@code twitter()} layout, which is capped
 * at 4,096,000 ids/s per worker (4,096 per millisecond).
 *
 * <ul>
 *   <li>{@code clockBaseline_*}: {@code System.currentTimeMillis()} alone (ns/op).</li>
 *   <li>{@code nextIdRoomy_*}: a layout with 2^22 ids per ms, so no call waits for the next tick: the
 *       hot path (ns/op; target: ≤ baseline + 15 ns, 0 B/op in {@code gc.alloc.rate.norm}).</li>
 *   <li>{@code twitterNextId_*}: {@code SnowflakeLayout.twitter()} (ops/s; target ≥ 0.95 × 4,096,000).</li>
 * </ul>
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then
 * {@code java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -jar benchmarks/target/benchmarks.jar 'idgen.SnowflakeBenchmark'
 * -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}
 */
@State(Scope.Benchmark)
public class SnowflakeBenchmark {

    private SnowflakeGenerator roomy;
    private SnowflakeGenerator twitter;

    @Setup
    public void setUp() {
        SnowflakeLayout wide = SnowflakeLayout.builder().epoch(SnowflakeLayout.twitter().epoch())
                .timestamp("timestamp", 41).sequence("sequence", 22).build();
        roomy = IdGenerator.snowflake(wide).nodeId(0).build();
        twitter = IdGenerator.snowflake(SnowflakeLayout.twitter()).nodeId(1).build();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(1)
    public long clockBaseline_1thread() {
        return System.currentTimeMillis();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(2)
    public long clockBaseline_2threads() {
        return System.currentTimeMillis();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(1)
    public long nextIdRoomy_1thread() {
        return roomy.nextId();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(2)
    public long nextIdRoomy_2threads() {
        return roomy.nextId();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(1)
    public long twitterNextId_1thread() {
        return twitter.nextId();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(2)
    public long twitterNextId_2threads() {
        return twitter.nextId();
    }
}
