package io.dstk.hash;

import io.dstk.hash.internal.Murmur3;
import java.nio.charset.StandardCharsets;

/**
 * A 64-bit hash function that places keys and nodes.
 *
 * <p>Its output decides placement, so it is a wire format: every process that must agree on where a
 * key lives must use the same function. Implementations must be deterministic across JVMs and
 * releases, stateless and thread-safe. Never use {@link Object#hashCode()} or a per-JVM seeded hash.
 *
 * <p>The built-in {@link #murmur3()} allocates nothing on any of its methods. A custom implementation
 * only has to provide {@link #hash(byte[], int, int)}; the default {@link #hashUtf8(CharSequence)} and
 * {@link #hashLong(long)} encode their argument into a new array first.
 */
@FunctionalInterface
public interface HashFunction {

    /**
     * Hashes {@code length} bytes of {@code bytes} starting at {@code offset}.
     *
     * @param bytes the data
     * @param offset index of the first byte
     * @param length number of bytes
     * @return the 64-bit hash
     * @throws NullPointerException if {@code bytes} is null
     * @throws IndexOutOfBoundsException if the range is outside {@code bytes}
     */
    long hash(byte[] bytes, int offset, int length);

    /**
     * Hashes all of {@code bytes}.
     *
     * @param bytes the data
     * @return the 64-bit hash
     * @throws NullPointerException if {@code bytes} is null
     */
    default long hash(byte[] bytes) {
        return hash(bytes, 0, bytes.length);
    }

    /**
     * Hashes the UTF-8 encoding of {@code chars} (as {@link String#getBytes(java.nio.charset.Charset)}
     * writes it: an unpaired surrogate becomes {@code '?'}).
     *
     * @param chars the text
     * @return the hash of its UTF-8 bytes
     * @throws NullPointerException if {@code chars} is null
     */
    default long hashUtf8(CharSequence chars) {
        return hash(chars.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Hashes the 8 little-endian bytes of {@code value}.
     *
     * @param value the value
     * @return the hash of its 8 little-endian bytes
     */
    default long hashLong(long value) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return hash(b);
    }

    /**
     * MurmurHash3 x64 128-bit with seed 0, truncated to its first 64 bits (little-endian): equal to
     * Guava's {@code Hashing.murmur3_128().hashBytes(bytes).asLong()}. The default everywhere a hash
     * function can be chosen; allocation-free.
     *
     * @return the shared instance
     */
    static HashFunction murmur3() {
        return Murmur3.INSTANCE;
    }
}
