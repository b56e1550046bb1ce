package io.dstk.idgen;

import java.util.Objects;

/**
 * Short text for a {@code long} id, URL-shortener style: Base62 and Crockford base32.
 *
 * <p>Both treat the id as an unsigned 64-bit number (so negative ids of 64-bit layouts encode too), write no
 * leading zeros ({@code 0} is {@code "0"}) and decode back exactly. Base62 uses {@code 0-9A-Za-z} in that
 * order (so codes of the same length sort like their values in ASCII) and is case-sensitive; at most 11
 * characters. Crockford base32 uses {@code 0123456789ABCDEFGHJKMNPQRSTVWXYZ}, is written in uppercase and read
 * in either case, with {@code O} read as {@code 0} and {@code I}, {@code L} as {@code 1} (Crockford's rule for
 * text typed by people); no hyphens or check symbol; at most 13 characters. Decoding rejects empty text,
 * foreign characters and values above 2^64 - 1 with {@link IllegalArgumentException}. Stateless and
 * thread-safe.
 */
public final class ShortCodes {
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final byte[] BASE62_VALUES = new byte[128];

    static {
        java.util.Arrays.fill(BASE62_VALUES, (byte) -1);
        for (int i = 0; i < BASE62.length; i++) {
            BASE62_VALUES[BASE62[i]] = (byte) i;
        }
    }

    private ShortCodes() {
    }

    /**
     * Base62 text of an id.
     *
     * @param id the id, read as unsigned
     * @return 1 to 11 characters
     */
    public static String toBase62(long id) {
        char[] buf = new char[11];
        int pos = buf.length;
        long v = id;
        do {
            buf[--pos] = BASE62[(int) Long.remainderUnsigned(v, 62)];
            v = Long.divideUnsigned(v, 62);
        } while (v != 0);
        return new String(buf, pos, buf.length - pos);
    }

    /**
     * Decodes Base62 text.
     *
     * @param text the text
     * @return the id (as unsigned)
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if it is empty, has a character outside {@code 0-9A-Za-z} or is larger
     *         than 2^64 - 1
     */
    public static long fromBase62(CharSequence text) {
        return decode(text, 62, BASE62_VALUES, "Base62", "0-9A-Za-z");
    }

    /**
     * Crockford base32 text of an id.
     *
     * @param id the id, read as unsigned
     * @return 1 to 13 uppercase characters
     */
    public static String toCrockford32(long id) {
        char[] buf = new char[13];
        int pos = buf.length;
        long v = id;
        do {
            buf[--pos] = Ulid.ALPHABET[(int) (v & 31)];
            v >>>= 5;
        } while (v != 0);
        return new String(buf, pos, buf.length - pos);
    }

    /**
     * Decodes Crockford base32 text, in either case.
     *
     * @param text the text
     * @return the id (as unsigned)
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if it is empty, has a character outside Crockford's alphabet or is larger
     *         than 2^64 - 1
     */
    public static long fromCrockford32(CharSequence text) {
        return decode(text, 32, Ulid.VALUES, "Crockford base32", "0-9 and A-Z without U");
    }

    private static long decode(CharSequence text, int radix, byte[] values, String name, String allowed) {
        Objects.requireNonNull(text, "text");
        if (text.length() == 0) {
            throw new IllegalArgumentException(name + " text is empty");
        }
        long limit = Long.divideUnsigned(-1L, radix);
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int d = c < 128 ? values[c] : -1;
            if (d < 0) {
                throw new IllegalArgumentException(name + " text '" + text + "' has '" + c + "' at index " + i
                        + "; allowed: " + allowed);
            }
            if (Long.compareUnsigned(v, limit) > 0
                    || Long.compareUnsigned(v * radix + d, v * radix) < 0) {
                throw new IllegalArgumentException(name + " text '" + text + "' is larger than 2^64 - 1");
            }
            v = v * radix + d;
        }
        return v;
    }
}
