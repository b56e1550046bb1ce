package io.dstk.benchmarks.idgen;

import com.github.f4b6a3.ulid.UlidCreator;
import com.github.f4b6a3.uuid.UuidCreator;

import io.dstk.idgen.Ulid;
import io.dstk.idgen.UlidGenerator;
import io.dstk.idgen.UuidV7;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Throughput (ops/s) of time-ordered 128-bit ids, ours and peers side by side, one method per contender so that
 * none pollutes another's call profile:
 *
 * <ul>
 *   <li>{@code dstkUuidV7Secure} ({@code UuidV7.secure()}, SecureRandom) vs {@code uuidCreatorTimeOrderedEpoch}
 *       (uuid-creator's default v7);</li>
 *   <li>{@code dstkUuidV7Fast} ({@code UuidV7.fast()}) vs {@code uuidCreatorTimeOrderedEpochPlus1},
 *       {@code uuidCreatorTimeOrderedEpochPlusN} and {@code uuidCreatorTimeOrderedEpochFast} (its fastest v7
 *       variants);</li>
 *   <li>{@code dstkUlidMonotonic} vs {@code ulidCreatorMonotonic} ({@code UlidCreator.getMonotonicUlid()});</li>
 *   <li>{@code jdkRandomUuid} ({@code UUID.randomUUID()}) as the floor every contender must beat.</li>
 * </ul>
 * One shared generator per contender; add {@code -t 2} for two threads.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then
 * {@code java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -jar benchmarks/target/benchmarks.jar 'idgen.TimeOrderedIdBenchmark'
 * -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TimeOrderedIdBenchmark {

    private UuidV7 secure;
    private UuidV7 fast;
    private UlidGenerator monotonic;

    @Setup
    public void setUp() {
        secure = UuidV7.secure();
        fast = UuidV7.fast();
        monotonic = UlidGenerator.monotonic();
    }

    @Benchmark
    public UUID dstkUuidV7Secure() {
        return secure.next();
    }

    @Benchmark
    public UUID dstkUuidV7Fast() {
        return fast.next();
    }

    @Benchmark
    public UUID uuidCreatorTimeOrderedEpoch() {
        return UuidCreator.getTimeOrderedEpoch();
    }

    @Benchmark
    public UUID uuidCreatorTimeOrderedEpochPlus1() {
        return UuidCreator.getTimeOrderedEpochPlus1();
    }

    @Benchmark
    public UUID uuidCreatorTimeOrderedEpochPlusN() {
        return UuidCreator.getTimeOrderedEpochPlusN();
    }

    @Benchmark
    public UUID uuidCreatorTimeOrderedEpochFast() {
        return UuidCreator.getTimeOrderedEpochFast();
    }

    @Benchmark
    public Ulid dstkUlidMonotonic() {
        return monotonic.next();
    }

    @Benchmark
    public com.github.f4b6a3.ulid.Ulid ulidCreatorMonotonic() {
        return UlidCreator.getMonotonicUlid();
    }

    @Benchmark
    public UUID jdkRandomUuid() {
        return UUID.randomUUID();
    }
}
