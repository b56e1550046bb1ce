package io.dstk.idgen;

import io.dstk.idgen.internal.RandomBits;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

/**
 * Makes {@link Ulid}s.
 *
 * <p>{@link #random()}: 80 fresh random bits per ULID (unique with overwhelming probability, not ordered within a
 * millisecond). {@link #monotonic()}: the ULID specification's monotonic mode: the first ULID of a millisecond
 * gets fresh random bits, each further one in the same millisecond the previous random part plus one, so the
 * ULIDs of one generator are unique and strictly increasing. If the clock steps back, a monotonic generator keeps
 * its last timestamp and goes on incrementing. If the 80-bit random part would overflow within one millisecond
 * (it is drawn at random, so this needs about 2^79 ULIDs in one millisecond in the worst case, or bad luck with a
 * draw near the top), {@link #next()} throws {@link IllegalStateException}, as the specification requires.
 *
 * <p>Random bits come from a {@link SecureRandom} by default; ULIDs are still not secrets (they reveal their
 * creation time and, in monotonic mode, their neighbours). Thread-safe and lock-free.
 */
public final class UlidGenerator {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(Tick.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The random part of one millisecond; ULIDs of that millisecond add {@code count} to it. */
    private static final class Tick {
        final long millis;
        final long high16;
        final long low64;
        @SuppressWarnings("unused")
        volatile long count;

        Tick(long millis, long high16, long low64) {
            this.millis = millis;
            this.high16 = high16;
            this.low64 = low64;
        }
    }

    private final InstantSource clock;
    private final RandomBits random;
    private final boolean monotonic;
    private final AtomicReference<Tick> tick = new AtomicReference<>(new Tick(-1, 0, 0));

    private UlidGenerator(InstantSource clock, RandomGenerator random, boolean monotonic) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = RandomBits.of(random);
        this.monotonic = monotonic;
    }

    /**
     * A generator with fresh random bits per ULID, from a {@link SecureRandom}, and the system clock.
     *
     * @return the generator
     */
    public static UlidGenerator random() {
        return new UlidGenerator(InstantSource.system(), new SecureRandom(), false);
    }

    /**
     * A monotonic generator, random bits from a {@link SecureRandom}, the system clock.
     *
     * @return the generator
     */
    public static UlidGenerator monotonic() {
        return new UlidGenerator(InstantSource.system(), new SecureRandom(), true);
    }

    /**
     * A generator with the given clock and random source (see {@link UuidV7#of} for how the random source is
     * used by concurrent callers).
     *
     * @param clock     the clock (only {@link InstantSource#millis()} is used)
     * @param random    the random source; {@link ThreadLocalRandom#current()} for speed
     * @param monotonic whether ULIDs of one millisecond increment the previous one
     * @return the generator
     * @throws NullPointerException if an argument is null
     */
    public static UlidGenerator of(InstantSource clock, RandomGenerator random, boolean monotonic) {
        return new UlidGenerator(clock, random, monotonic);
    }

    /**
     * Returns a new ULID.
     *
     * @return the ULID
     * @throws IllegalStateException if the clock is outside the ULID range, or a monotonic generator's random
     *         part overflowed within one millisecond
     */
    public Ulid next() {
        long now = clock.millis();
        if (now < 0 || now > Ulid.MAX_TIMESTAMP) {
            throw new IllegalStateException("clock reads " + now + " ms, outside the ULID range [0, "
                    + Ulid.MAX_TIMESTAMP + "]");
        }
        if (!monotonic) {
            return Ulid.of(now, random.nextLong(), random.nextLong());
        }
        Tick t = tick.get();
        while (now > t.millis) {
            Tick fresh = new Tick(now, random.nextLong() & 0xFFFF, random.nextLong());
            if (tick.compareAndSet(t, fresh)) {
                t = fresh;
                break;
            }
            t = tick.get();
        }
        long k = (long) COUNT.getAndAdd(t, 1L);
        long low = t.low64 + k;
        long high = t.high16 + (Long.compareUnsigned(low, t.low64) < 0 ? 1 : 0);
        if (high > 0xFFFF || k < 0) {
            throw new IllegalStateException("ULID random part overflowed within millisecond " + t.millis
                    + "; the ULID specification makes this an error");
        }
        return Ulid.of((t.millis << 16) | high, low);
    }

    @Override
    public String toString() {
        return "UlidGenerator{monotonic=" + monotonic + "}";
    }
}
