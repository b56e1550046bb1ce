package io.dstk.hash.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * MD5 (RFC 1321) computing only the first 32 bits of the digest, as ketama needs for key lookups.
 * Allocation-free: the 16 message words live in locals and the padding is synthesized on the fly.
 * Generated, fully unrolled; equality with {@code java.security.MessageDigest} is property-tested.
 */
public final class Md5 {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private Md5() {
    }

    /**
     * Returns digest bytes 0..3 read little-endian as an unsigned 32-bit value, i.e. libketama's key hash.
     *
     * @param in the message
     * @param off first byte
     * @param len number of bytes
     * @return the unsigned value in the low 32 bits
     */
    public static long first32(byte[] in, int off, int len) {
        long padded = ((len + 8L) / 64 + 1) * 64;
        int a0 = 0x67452301;
        int b0 = 0xefcdab89;
        int c0 = 0x98badcfe;
        int d0 = 0x10325476;
        int x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15;
        for (long p = 0; p < padded; p += 64) {
            if (p + 64 <= len) {
                int base = off + (int) p;
                x0 = (int) INT_LE.get(in, base + 0);
                x1 = (int) INT_LE.get(in, base + 4);
                x2 = (int) INT_LE.get(in, base + 8);
                x3 = (int) INT_LE.get(in, base + 12);
                x4 = (int) INT_LE.get(in, base + 16);
                x5 = (int) INT_LE.get(in, base + 20);
                x6 = (int) INT_LE.get(in, base + 24);
                x7 = (int) INT_LE.get(in, base + 28);
                x8 = (int) INT_LE.get(in, base + 32);
                x9 = (int) INT_LE.get(in, base + 36);
                x10 = (int) INT_LE.get(in, base + 40);
                x11 = (int) INT_LE.get(in, base + 44);
                x12 = (int) INT_LE.get(in, base + 48);
                x13 = (int) INT_LE.get(in, base + 52);
                x14 = (int) INT_LE.get(in, base + 56);
                x15 = (int) INT_LE.get(in, base + 60);
            } else {
            x0 = word(in, off, len, padded, p + 0);
            x1 = word(in, off, len, padded, p + 4);
            x2 = word(in, off, len, padded, p + 8);
            x3 = word(in, off, len, padded, p + 12);
            x4 = word(in, off, len, padded, p + 16);
            x5 = word(in, off, len, padded, p + 20);
            x6 = word(in, off, len, padded, p + 24);
            x7 = word(in, off, len, padded, p + 28);
            x8 = word(in, off, len, padded, p + 32);
            x9 = word(in, off, len, padded, p + 36);
            x10 = word(in, off, len, padded, p + 40);
            x11 = word(in, off, len, padded, p + 44);
            x12 = word(in, off, len, padded, p + 48);
            x13 = word(in, off, len, padded, p + 52);
            x14 = word(in, off, len, padded, p + 56);
            x15 = word(in, off, len, padded, p + 60);
            }
            int a = a0;
            int b = b0;
            int c = c0;
            int d = d0;
        a = b + Integer.rotateLeft(a + ((b & c) | (~b & d)) + x0 + 0xd76aa478, 7);
        d = a + Integer.rotateLeft(d + ((a & b) | (~a & c)) + x1 + 0xe8c7b756, 12);
        c = d + Integer.rotateLeft(c + ((d & a) | (~d & b)) + x2 + 0x242070db, 17);
        b = c + Integer.rotateLeft(b + ((c & d) | (~c & a)) + x3 + 0xc1bdceee, 22);
        a = b + Integer.rotateLeft(a + ((b & c) | (~b & d)) + x4 + 0xf57c0faf, 7);
        d = a + Integer.rotateLeft(d + ((a & b) | (~a & c)) + x5 + 0x4787c62a, 12);
        c = d + Integer.rotateLeft(c + ((d & a) | (~d & b)) + x6 + 0xa8304613, 17);
        b = c + Integer.rotateLeft(b + ((c & d) | (~c & a)) + x7 + 0xfd469501, 22);
        a = b + Integer.rotateLeft(a + ((b & c) | (~b & d)) + x8 + 0x698098d8, 7);
        d = a + Integer.rotateLeft(d + ((a & b) | (~a & c)) + x9 + 0x8b44f7af, 12);
        c = d + Integer.rotateLeft(c + ((d & a) | (~d & b)) + x10 + 0xffff5bb1, 17);
        b = c + Integer.rotateLeft(b + ((c & d) | (~c & a)) + x11 + 0x895cd7be, 22);
        a = b + Integer.rotateLeft(a + ((b & c) | (~b & d)) + x12 + 0x6b901122, 7);
        d = a + Integer.rotateLeft(d + ((a & b) | (~a & c)) + x13 + 0xfd987193, 12);
        c = d + Integer.rotateLeft(c + ((d & a) | (~d & b)) + x14 + 0xa679438e, 17);
        b = c + Integer.rotateLeft(b + ((c & d) | (~c & a)) + x15 + 0x49b40821, 22);
        a = b + Integer.rotateLeft(a + ((d & b) | (~d & c)) + x1 + 0xf61e2562, 5);
        d = a + Integer.rotateLeft(d + ((c & a) | (~c & b)) + x6 + 0xc040b340, 9);
        c = d + Integer.rotateLeft(c + ((b & d) | (~b & a)) + x11 + 0x265e5a51, 14);
        b = c + Integer.rotateLeft(b + ((a & c) | (~a & d)) + x0 + 0xe9b6c7aa, 20);
        a = b + Integer.rotateLeft(a + ((d & b) | (~d & c)) + x5 + 0xd62f105d, 5);
        d = a + Integer.rotateLeft(d + ((c & a) | (~c & b)) + x10 + 0x02441453, 9);
        c = d + Integer.rotateLeft(c + ((b & d) | (~b & a)) + x15 + 0xd8a1e681, 14);
        b = c + Integer.rotateLeft(b + ((a & c) | (~a & d)) + x4 + 0xe7d3fbc8, 20);
        a = b + Integer.rotateLeft(a + ((d & b) | (~d & c)) + x9 + 0x21e1cde6, 5);
        d = a + Integer.rotateLeft(d + ((c & a) | (~c & b)) + x14 + 0xc33707d6, 9);
        c = d + Integer.rotateLeft(c + ((b & d) | (~b & a)) + x3 + 0xf4d50d87, 14);
        b = c + Integer.rotateLeft(b + ((a & c) | (~a & d)) + x8 + 0x455a14ed, 20);
        a = b + Integer.rotateLeft(a + ((d & b) | (~d & c)) + x13 + 0xa9e3e905, 5);
        d = a + Integer.rotateLeft(d + ((c & a) | (~c & b)) + x2 + 0xfcefa3f8, 9);
        c = d + Integer.rotateLeft(c + ((b & d) | (~b & a)) + x7 + 0x676f02d9, 14);
        b = c + Integer.rotateLeft(b + ((a & c) | (~a & d)) + x12 + 0x8d2a4c8a, 20);
        a = b + Integer.rotateLeft(a + (b ^ c ^ d) + x5 + 0xfffa3942, 4);
        d = a + Integer.rotateLeft(d + (a ^ b ^ c) + x8 + 0x8771f681, 11);
        c = d + Integer.rotateLeft(c + (d ^ a ^ b) + x11 + 0x6d9d6122, 16);
        b = c + Integer.rotateLeft(b + (c ^ d ^ a) + x14 + 0xfde5380c, 23);
        a = b + Integer.rotateLeft(a + (b ^ c ^ d) + x1 + 0xa4beea44, 4);
        d = a + Integer.rotateLeft(d + (a ^ b ^ c) + x4 + 0x4bdecfa9, 11);
        c = d + Integer.rotateLeft(c + (d ^ a ^ b) + x7 + 0xf6bb4b60, 16);
        b = c + Integer.rotateLeft(b + (c ^ d ^ a) + x10 + 0xbebfbc70, 23);
        a = b + Integer.rotateLeft(a + (b ^ c ^ d) + x13 + 0x289b7ec6, 4);
        d = a + Integer.rotateLeft(d + (a ^ b ^ c) + x0 + 0xeaa127fa, 11);
        c = d + Integer.rotateLeft(c + (d ^ a ^ b) + x3 + 0xd4ef3085, 16);
        b = c + Integer.rotateLeft(b + (c ^ d ^ a) + x6 + 0x04881d05, 23);
        a = b + Integer.rotateLeft(a + (b ^ c ^ d) + x9 + 0xd9d4d039, 4);
        d = a + Integer.rotateLeft(d + (a ^ b ^ c) + x12 + 0xe6db99e5, 11);
        c = d + Integer.rotateLeft(c + (d ^ a ^ b) + x15 + 0x1fa27cf8, 16);
        b = c + Integer.rotateLeft(b + (c ^ d ^ a) + x2 + 0xc4ac5665, 23);
        a = b + Integer.rotateLeft(a + (c ^ (b | ~d)) + x0 + 0xf4292244, 6);
        d = a + Integer.rotateLeft(d + (b ^ (a | ~c)) + x7 + 0x432aff97, 10);
        c = d + Integer.rotateLeft(c + (a ^ (d | ~b)) + x14 + 0xab9423a7, 15);
        b = c + Integer.rotateLeft(b + (d ^ (c | ~a)) + x5 + 0xfc93a039, 21);
        a = b + Integer.rotateLeft(a + (c ^ (b | ~d)) + x12 + 0x655b59c3, 6);
        d = a + Integer.rotateLeft(d + (b ^ (a | ~c)) + x3 + 0x8f0ccc92, 10);
        c = d + Integer.rotateLeft(c + (a ^ (d | ~b)) + x10 + 0xffeff47d, 15);
        b = c + Integer.rotateLeft(b + (d ^ (c | ~a)) + x1 + 0x85845dd1, 21);
        a = b + Integer.rotateLeft(a + (c ^ (b | ~d)) + x8 + 0x6fa87e4f, 6);
        d = a + Integer.rotateLeft(d + (b ^ (a | ~c)) + x15 + 0xfe2ce6e0, 10);
        c = d + Integer.rotateLeft(c + (a ^ (d | ~b)) + x6 + 0xa3014314, 15);
        b = c + Integer.rotateLeft(b + (d ^ (c | ~a)) + x13 + 0x4e0811a1, 21);
        a = b + Integer.rotateLeft(a + (c ^ (b | ~d)) + x4 + 0xf7537e82, 6);
        d = a + Integer.rotateLeft(d + (b ^ (a | ~c)) + x11 + 0xbd3af235, 10);
        c = d + Integer.rotateLeft(c + (a ^ (d | ~b)) + x2 + 0x2ad7d2bb, 15);
        b = c + Integer.rotateLeft(b + (d ^ (c | ~a)) + x9 + 0xeb86d391, 21);
            a0 += a;
            b0 += b;
            c0 += c;
            d0 += d;
        }
        return a0 & 0xffffffffL;
    }

    private static int word(byte[] in, int off, int len, long padded, long p) {
        return (byteAt(in, off, len, padded, p) & 0xff)
                | (byteAt(in, off, len, padded, p + 1) & 0xff) << 8
                | (byteAt(in, off, len, padded, p + 2) & 0xff) << 16
                | (byteAt(in, off, len, padded, p + 3) & 0xff) << 24;
    }

    private static int byteAt(byte[] in, int off, int len, long padded, long q) {
        if (q < len) {
            return in[off + (int) q];
        }
        if (q == len) {
            return 0x80;
        }
        long lengthStart = padded - 8;
        if (q >= lengthStart) {
            return (int) (((long) len << 3) >>> ((q - lengthStart) << 3));
        }
        return 0;
    }
}
