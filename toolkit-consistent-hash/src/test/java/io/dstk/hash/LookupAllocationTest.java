package io.dstk.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Lookups allocate nothing, for every algorithm and key type (measured with the JVM's per-thread counter). */
class LookupAllocationTest {

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void lookupsAllocateNothing(Algorithm algorithm) {
        ConsistentHash<String> hash = algorithm.of(Algorithm.nodes(100));
        byte[][] bytes = new byte[64][];
        String[] text = new String[64];
        for (int i = 0; i < 64; i++) {
            text[i] = "key-ünïcode-" + i;
            bytes[i] = text[i].getBytes(StandardCharsets.UTF_8);
        }
        int sink = 0;
        for (int round = 0; round < 3; round++) {
            long before = allocatedBytes();
            for (int i = 0; i < 50_000; i++) {
                sink += hash.nodeFor(bytes[i & 63]).length();
                sink += hash.nodeFor(text[i & 63]).length();
                sink += hash.nodeFor((long) i).length();
            }
            long allocated = allocatedBytes() - before;
            if (round == 2) {
                // A few bytes of slack for the counter itself; 150,000 lookups would allocate megabytes otherwise.
                assertThat(allocated).as("%s allocated %d bytes in 150,000 lookups", algorithm, allocated)
                        .isLessThan(1024);
            }
        }
        assertThat(sink).isPositive();
    }
}
