package io.dstk.idgen;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A ULID: a 128-bit identifier made of a 48-bit Unix timestamp in milliseconds and 80 random bits, written as
 * 26 characters of Crockford's base32 (the ULID specification, github.com/ulid/spec).
 *
 * <p>Immutable value; {@link #compareTo} orders by the 128 bits as an unsigned number, which is the order of
 * the text and of the timestamps. {@link #parse(CharSequence)} is case-insensitive and strict:
 * exactly 26 characters from {@code 0123456789ABCDEFGHJKMNPQRSTVWXYZ}, the first at most {@code 7}; like any
 * Crockford base32 decoder it reads {@code O} as {@code 0} and {@code I}, {@code L} as {@code 1} (they are never
 * written); {@code U} and every other character are rejected.
 * Make ULIDs with {@link UlidGenerator}.
 */
public final class Ulid implements Comparable<Ulid>, Serializable {
    private static final long serialVersionUID = 1L;

    static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    /** Crockford base32 decoding, either case: the alphabet, plus {@code O} as 0 and {@code I}, {@code L} as 1. */
    static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = (byte) i;
            VALUES[Character.toLowerCase(ALPHABET[i])] = (byte) i;
        }
        for (char c : "Oo".toCharArray()) {
            VALUES[c] = 0;
        }
        for (char c : "IiLl".toCharArray()) {
            VALUES[c] = 1;
        }
    }

    /** The largest timestamp a ULID holds: 2^48 - 1 ms after the Unix epoch (year 10889). */
    public static final long MAX_TIMESTAMP = (1L << 48) - 1;

    private final long msb;
    private final long lsb;

    private Ulid(long msb, long lsb) {
        this.msb = msb;
        this.lsb = lsb;
    }

    /**
     * A ULID from its 128 bits.
     *
     * @param msb the high 64 bits (the timestamp in the top 48)
     * @param lsb the low 64 bits
     * @return the ULID
     */
    public static Ulid of(long msb, long lsb) {
        return new Ulid(msb, lsb);
    }

    /**
     * A ULID from a timestamp and 80 random bits.
     *
     * @param timestampMillis ms since the Unix epoch, 0 to {@link #MAX_TIMESTAMP}
     * @param randomHigh16    the top 16 random bits (only the low 16 bits of this value are used)
     * @param randomLow64     the low 64 random bits
     * @return the ULID
     * @throws IllegalArgumentException if the timestamp is out of range
     */
    public static Ulid of(long timestampMillis, long randomHigh16, long randomLow64) {
        if (timestampMillis < 0 || timestampMillis > MAX_TIMESTAMP) {
            throw new IllegalArgumentException("timestampMillis was " + timestampMillis + " but must be in [0, "
                    + MAX_TIMESTAMP + "]");
        }
        return new Ulid((timestampMillis << 16) | (randomHigh16 & 0xFFFF), randomLow64);
    }

    /**
     * The ULID with the same 128 bits as a UUID.
     *
     * @param uuid the UUID
     * @return the ULID
     */
    public static Ulid fromUuid(UUID uuid) {
        return new Ulid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    /**
     * Parses the 26-character text form, in either case.
     *
     * @param text the text
     * @return the ULID
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if it is not 26 characters of Crockford base32 (with {@code O} read as 0,
     *         {@code I} and {@code L} as 1) starting with 0 to 7
     */
    public static Ulid parse(CharSequence text) {
        Objects.requireNonNull(text, "text");
        if (text.length() != 26) {
            throw new IllegalArgumentException("ULID '" + text + "' has " + text.length()
                    + " characters but must have 26");
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 26; i++) {
            char c = text.charAt(i);
            int v = c < 128 ? VALUES[c] : -1;
            if (v < 0) {
                throw new IllegalArgumentException("ULID '" + text + "' has '" + c + "' at index " + i
                        + ", which is not a Crockford base32 character (0-9 and A-Z without U; O reads as 0, I and L"
                        + " as 1)");
            }
            if (i == 0 && v > 7) {
                throw new IllegalArgumentException("ULID '" + text + "' starts with '" + c
                        + "' but must start with 0 to 7 (larger values exceed 128 bits)");
            }
            hi = (hi << 5) | (lo >>> 59);
            lo = (lo << 5) | v;
        }
        return new Ulid(hi, lo);
    }

    /** @return the timestamp in ms since the Unix epoch */
    public long timestampMillis() {
        return msb >>> 16;
    }

    /** @return the timestamp */
    public Instant timestamp() {
        return Instant.ofEpochMilli(timestampMillis());
    }

    /** @return the high 64 bits */
    public long mostSignificantBits() {
        return msb;
    }

    /** @return the low 64 bits */
    public long leastSignificantBits() {
        return lsb;
    }

    /** @return a UUID with the same 128 bits (not a valid RFC 9562 UUID version) */
    public UUID toUuid() {
        return new UUID(msb, lsb);
    }

    /** @return the 26-character uppercase Crockford base32 text */
    @Override
    public String toString() {
        char[] chars = new char[26];
        long lo = lsb;
        long hi = msb;
        for (int i = 25; i >= 0; i--) {
            chars[i] = ALPHABET[(int) (lo & 31)];
            lo = (lo >>> 5) | (hi << 59);
            hi >>>= 5;
        }
        return new String(chars);
    }

    @Override
    public int compareTo(Ulid o) {
        int c = Long.compareUnsigned(msb, o.msb);
        return c != 0 ? c : Long.compareUnsigned(lsb, o.lsb);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ulid u && u.msb == msb && u.lsb == lsb;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(msb) * 31 + Long.hashCode(lsb);
    }
}
