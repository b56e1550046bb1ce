package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many threads on one generator: all ids unique, each thread's ids increasing. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConcurrencyTest {
    private static final int THREADS = 8;

    /** Runs {@code work} on THREADS threads started together and returns what each produced. */
    private static <T> T[] hammer(IntFunction<T[]> arrays, IntFunction<T> work) throws InterruptedException {
        T[] results = arrays.apply(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[THREADS];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < THREADS; t++) {
            int index = t;
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                    results[index] = work.apply(index);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "idgen-hammer-" + t);
            threads[t].start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failure[0]).isNull();
        return results;
    }

    @Test
    void snowflakeIdsFromManyThreadsAreUniqueAndIncreasingPerThread() throws InterruptedException {
        // A layout with 2^16 ids per ms so that 4 million ids take little time on two cores.
        SnowflakeLayout layout = SnowflakeLayout.builder().epoch(SnowflakeLayout.twitter().epoch())
                .timestamp("timestamp", 41).node("worker", 6).sequence("sequence", 16).build();
        SnowflakeGenerator gen = IdGenerator.snowflake(layout).nodeId(33).build();
        int perThread = 500_000;

        long[][] perThreadIds = hammer(long[][]::new, t -> {
            long[] ids = new long[perThread];
            int i = 0;
            while (i < perThread) {
                if (i % 50 == 0 && i + 5 <= perThread) {
                    System.arraycopy(gen.nextIds(5), 0, ids, i, 5);
                    i += 5;
                } else {
                    ids[i++] = gen.nextId();
                }
            }
            return ids;
        });

        long[] all = new long[THREADS * perThread];
        for (int t = 0; t < THREADS; t++) {
            long[] ids = perThreadIds[t];
            for (int i = 1; i < ids.length; i++) {
                if (ids[i] <= ids[i - 1]) {
                    throw new AssertionError("thread " + t + ": id " + i + " = " + ids[i] + " <= " + ids[i - 1]);
                }
            }
            System.arraycopy(ids, 0, all, t * perThread, perThread);
        }
        Arrays.sort(all);
        for (int i = 1; i < all.length; i++) {
            if (all[i] == all[i - 1]) {
                throw new AssertionError("duplicate id " + all[i]);
            }
        }
        assertThat(gen.stats().idsIssued()).isEqualTo(all.length);
    }

    @Test
    void twitterLayoutAtItsLimitStaysUniqueAcrossThreads() throws InterruptedException {
        SnowflakeGenerator gen = IdGenerator.snowflake(SnowflakeLayout.twitter()).nodeId(1).build();
        int perThread = 100_000;

        long[][] perThreadIds = hammer(long[][]::new, t -> {
            long[] ids = new long[perThread];
            for (int i = 0; i < perThread; i++) {
                ids[i] = gen.nextId();
            }
            return ids;
        });

        long[] all = new long[THREADS * perThread];
        for (int t = 0; t < THREADS; t++) {
            assertThat(perThreadIds[t]).isSorted();
            System.arraycopy(perThreadIds[t], 0, all, t * perThread, perThread);
        }
        assertThat(all).doesNotHaveDuplicates();
    }

    @Test
    void uuidV7AndMonotonicUlidsFromManyThreadsAreUniqueAndIncreasingPerThread() throws InterruptedException {
        for (UuidV7 gen : new UuidV7[] {UuidV7.secure(), UuidV7.fast()}) {
            int perThread = 100_000;
            UUID[][] results = hammer(UUID[][]::new, t -> {
                UUID[] ids = new UUID[perThread];
                for (int i = 0; i < perThread; i++) {
                    ids[i] = gen.next();
                }
                return ids;
            });
            long[] msbs = new long[THREADS * perThread];
            for (int t = 0; t < THREADS; t++) {
                for (int i = 0; i < perThread; i++) {
                    if (i > 0) {
                        assertThat(results[t][i]).isGreaterThan(results[t][i - 1]);
                    }
                    msbs[t * perThread + i] = results[t][i].getMostSignificantBits();
                }
            }
            // Timestamp and counter alone are unique within one generator.
            assertThat(msbs).doesNotHaveDuplicates();
        }

        UlidGenerator ulids = UlidGenerator.of(InstantSource.system(), new SecureRandom(), true);
        int perThread = 100_000;
        Ulid[][] results = hammer(Ulid[][]::new, t -> {
            Ulid[] ids = new Ulid[perThread];
            for (int i = 0; i < perThread; i++) {
                ids[i] = ulids.next();
            }
            return ids;
        });
        Ulid[] all = new Ulid[THREADS * perThread];
        for (int t = 0; t < THREADS; t++) {
            for (int i = 1; i < perThread; i++) {
                assertThat(results[t][i]).isGreaterThan(results[t][i - 1]);
            }
            System.arraycopy(results[t], 0, all, t * perThread, perThread);
        }
        assertThat(all).doesNotHaveDuplicates();
    }
}
