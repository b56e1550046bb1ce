package io.dstk.idgen.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Random 64-bit words for id generators, safe for concurrent use.
 *
 * <p>A {@link SecureRandom} is read in blocks of 256 bytes into a per-thread buffer, so its cost (and its lock)
 * is paid once per 32 words; the words are still the SecureRandom's output. {@link ThreadLocalRandom} is asked
 * through {@code current()} on each call (its shared instance must not be used from threads that did not call
 * {@code current()}). Any other generator is called directly and must itself be safe for concurrent use.
 */
public abstract class RandomBits {

    RandomBits() {
    }

    /** @return 64 random bits */
    public abstract long nextLong();

    /**
     * Wraps a generator as described in the class comment.
     *
     * @param random the generator
     * @return the source of random words
     */
    public static RandomBits of(RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        if (random instanceof SecureRandom secure) {
            return new Buffered(secure);
        }
        if (random instanceof ThreadLocalRandom) {
            return new ThreadLocal();
        }
        return new Direct(random);
    }

    private static final class ThreadLocal extends RandomBits {
        @Override
        public long nextLong() {
            return ThreadLocalRandom.current().nextLong();
        }
    }

    private static final class Direct extends RandomBits {
        private final RandomGenerator random;

        Direct(RandomGenerator random) {
            this.random = random;
        }

        @Override
        public long nextLong() {
            return random.nextLong();
        }
    }

    private static final class Buffered extends RandomBits {
        private static final int SIZE = 256;
        private static final VarHandle LONGS =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private static final class Buffer {
            final byte[] bytes = new byte[SIZE];
            int pos = SIZE;
        }

        private final SecureRandom random;
        private final java.lang.ThreadLocal<Buffer> buffers = java.lang.ThreadLocal.withInitial(Buffer::new);

        Buffered(SecureRandom random) {
            this.random = random;
        }

        @Override
        public long nextLong() {
            Buffer b = buffers.get();
            if (b.pos == SIZE) {
                random.nextBytes(b.bytes);
                b.pos = 0;
            }
            long v = (long) LONGS.get(b.bytes, b.pos);
            b.pos += 8;
            return v;
        }
    }
}
