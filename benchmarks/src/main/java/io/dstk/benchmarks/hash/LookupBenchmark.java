package io.dstk.benchmarks.hash;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Lookup time of one key, hashing of the 16-byte key included, for 10, 100 and 1000 nodes: every dstk algorithm
 * and, in the same run, Guava's {@code consistentHash} fed by its murmur3, spymemcached's
 * {@code KetamaNodeLocator} and a plain {@code TreeMap} ring with our hash and 160 points per node (one
 * {@code @Param} over {@link Contender}, as Caffeine's GetPutBenchmark does). Keys: 4096 random 16-character
 * alphanumeric strings, as bytes for byte[] APIs. Read {@code gc.alloc.rate.norm}: 0 B/op for dstk.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -jar benchmarks/target/benchmarks.jar hash.LookupBenchmark \
 *     -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupBenchmark {
    private static final int KEYS = 4096;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    @Param({"DSTK_RING", "DSTK_RING_TEXT", "DSTK_KETAMA", "DSTK_RENDEZVOUS", "DSTK_MAGLEV", "DSTK_JUMP",
        "GUAVA_JUMP_MURMUR3", "SPYMEMCACHED_KETAMA", "TREEMAP_RING_MURMUR3"})
    Contender contender;

    @Param({"10", "100", "1000"})
    int nodes;

    private Contender.Lookup lookup;
    private byte[][] keys;
    private String[] texts;
    private int index;

    @Setup(Level.Trial)
    public void setUp() {
        lookup = contender.create(nodes);
        SplittableRandom random = new SplittableRandom(42);
        keys = new byte[KEYS][];
        texts = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            char[] chars = new char[16];
            for (int c = 0; c < 16; c++) {
                chars[c] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
            texts[i] = new String(chars);
            keys[i] = texts[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Looks up the next key.
     *
     * @return the owner (consumed by JMH)
     */
    @Benchmark
    public Object lookup() {
        int i = index++ & (KEYS - 1);
        return lookup.lookup(keys[i], texts[i]);
    }
}
