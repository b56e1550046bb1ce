package io.dstk.idgen;

import io.dstk.idgen.internal.RandomBits;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * A generator of RFC 9562 version-7 UUIDs: a 48-bit Unix timestamp in milliseconds, version 7, a 12-bit
 * counter, the RFC variant and 62 random bits.
 *
 * <p><b>Ordering.</b> It uses RFC 9562 §6.2 <em>Method 1</em> (fixed-length dedicated counter bits): the 12
 * bits of {@code rand_a} are a counter, seeded with 11 random bits (its top bit zero, as §6.2 suggests to guard
 * against rollover) at each new millisecond and incremented by one for each UUID in the same millisecond. When
 * the counter would roll over, or the clock steps back, the timestamp is carried one millisecond past the last
 * one used (§6.2 allows the timestamp to run ahead). So the UUIDs of one generator are unique and strictly
 * increasing (in {@link UUID#compareTo} order as well as byte order while timestamps stay below 2^47 ms, i.e.
 * until the year 6429), and those made in the same millisecond sort in creation order. At least 2,048 UUIDs per
 * millisecond fit before the timestamp runs ahead.
 *
 * <p><b>Randomness.</b> {@link #secure()} takes the 62 bits of {@code rand_b} from a {@link SecureRandom}
 * (RFC 9562 §6.9: a cryptographically secure generator), read in blocks into a per-thread buffer.
 * {@link #fast()} uses {@link ThreadLocalRandom}: much faster, still unique (the counter and timestamp
 * guarantee that within one generator), but guessable. Either way <b>UUIDs are not secrets</b>: they reveal
 * their creation time and must not be used as capability tokens or session ids.
 *
 * <p>Thread-safe and lock-free: the timestamp and counter live in one {@code AtomicLong}.
 */
public final class UuidV7 {
    private static final long COUNTER_MASK = 0xFFF;
    private static final long SEED_MASK = 0x7FF;

    private final InstantSource clock;
    private final RandomBits random;
    private final AtomicLong state = new AtomicLong();

    private UuidV7(InstantSource clock, RandomGenerator random) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = RandomBits.of(random);
    }

    /**
     * A generator with random bits from a new {@link SecureRandom} and the system clock.
     *
     * @return the generator
     */
    public static UuidV7 secure() {
        return new UuidV7(InstantSource.system(), new SecureRandom());
    }

    /**
     * A generator with random bits from {@link ThreadLocalRandom} and the system clock: fast but predictable.
     *
     * @return the generator
     */
    public static UuidV7 fast() {
        return new UuidV7(InstantSource.system(), ThreadLocalRandom.current());
    }

    /**
     * A generator with the given clock and random source. A {@link SecureRandom} is buffered per thread,
     * {@link ThreadLocalRandom#current()} is used per thread; any other generator must be safe for concurrent
     * use if the UUID generator is shared between threads.
     *
     * @param clock  the clock (only {@link InstantSource#millis()} is used)
     * @param random the random source
     * @return the generator
     * @throws NullPointerException if an argument is null
     */
    public static UuidV7 of(InstantSource clock, RandomGenerator random) {
        return new UuidV7(clock, random);
    }

    /**
     * Returns a new version-7 UUID.
     *
     * @return the UUID
     */
    public UUID next() {
        long now = clock.millis();
        long next;
        for (;;) {
            long s = state.get();
            long last = s >>> 12;
            if (now > last) {
                next = (now << 12) | (random.nextLong() & SEED_MASK);
            } else if ((s & COUNTER_MASK) != COUNTER_MASK) {
                next = s + 1;
            } else {
                next = ((last + 1) << 12) | (random.nextLong() & SEED_MASK);
            }
            if (state.compareAndSet(s, next)) {
                break;
            }
        }
        long msb = ((next >>> 12) << 16) | 0x7000L | (next & COUNTER_MASK);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    /**
     * The timestamp of a version-7 UUID.
     *
     * @param uuid a version-7 UUID of the RFC variant
     * @return its {@code unix_ts_ms} as an instant
     * @throws NullPointerException if {@code uuid} is null
     * @throws IllegalArgumentException if it is not version 7 of the RFC 9562 variant
     */
    public static Instant timestampOf(UUID uuid) {
        Objects.requireNonNull(uuid, "uuid");
        if (uuid.version() != 7 || uuid.variant() != 2) {
            throw new IllegalArgumentException("uuid " + uuid + " is version " + uuid.version() + ", variant "
                    + uuid.variant() + " but must be version 7 of the RFC 9562 variant (2)");
        }
        return Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16);
    }

    @Override
    public String toString() {
        return "UuidV7{clock=" + clock + "}";
    }
}
