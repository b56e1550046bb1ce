package io.dstk.hash.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * MD5 (RFC 1321) computing only the first 32 bits of the digest, as ketama needs for key lookups.
 * Allocation-free after warm-up: full blocks are read in place, the padded tail goes through a per-thread
 * 128-byte buffer. Generated, unrolled; equality with {@code java.security.MessageDigest} is property-tested.
 */
public final class Md5 {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ThreadLocal<byte[]> TAIL = ThreadLocal.withInitial(() -> new byte[128]);

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
        java.util.Objects.checkFromIndexSize(off, len, in.length);
        byte[] tail = TAIL.get();
        int full = len & ~63;
        int rest = len - full;
        System.arraycopy(in, off + full, tail, 0, rest);
        tail[rest] = (byte) 0x80;
        int tailLength = rest < 56 ? 64 : 128;
        Arrays.fill(tail, rest + 1, tailLength - 8, (byte) 0);
        long bits = (long) len << 3;
        for (int i = 0; i < 8; i++) {
            tail[tailLength - 8 + i] = (byte) (bits >>> (8 * i));
        }
        int a0 = 0x67452301;
        int b0 = 0xefcdab89;
        int c0 = 0x98badcfe;
        int d0 = 0x10325476;
        int end = full + tailLength;
        for (int p = 0; p < end; p += 64) {
            byte[] src;
            int base;
            if (p < full) {
                src = in;
                base = off + p;
            } else {
                src = tail;
                base = p - full;
            }
            int a = a0;
            int b = b0;
            int c = c0;
            int d = d0;
            a = b + Integer.rotateLeft(a + ((b & c) | (~b & d)) + (int) INT_LE.get(src, base + 0) + 0xd76aa478, 7);
            d = a + Integer.rotateLeft(d + ((a & b) | (~a & c)) + (int) INT_LE.get(src, base + 4) + 0xe8c7b756, 12);
            c = d + Integer.rotateLeft(c + ((d & a) | (~d & b)) + (int) INT_LE.get(src, base + 8) + 0x242070db, 17);
            b = c + Integer.rotateLeft(b + ((c & d) | (~c & a)) + (int) INT_LE.get(src, base + 12) + 0xc1bdceee, 22);
            a = b + Integer.rotateLeft(a + ((b & c) | (~b & d)) + (int) INT_LE.get(src, base + 16) + 0xf57c0faf, 7);
            d = a + Integer.rotateLeft(d + ((a & b) | (~a & c)) + (int) INT_LE.get(src, base + 20) + 0x4787c62a, 12);
            c = d + Integer.rotateLeft(c + ((d & a) | (~d & b)) + (int) INT_LE.get(src, base + 24) + 0xa8304613, 17);
            b = c + Integer.rotateLeft(b + ((c & d) | (~c & a)) + (int) INT_LE.get(src, base + 28) + 0xfd469501, 22);
            a = b + Integer.rotateLeft(a + ((b & c) | (~b & d)) + (int) INT_LE.get(src, base + 32) + 0x698098d8, 7);
            d = a + Integer.rotateLeft(d + ((a & b) | (~a & c)) + (int) INT_LE.get(src, base + 36) + 0x8b44f7af, 12);
            c = d + Integer.rotateLeft(c + ((d & a) | (~d & b)) + (int) INT_LE.get(src, base + 40) + 0xffff5bb1, 17);
            b = c + Integer.rotateLeft(b + ((c & d) | (~c & a)) + (int) INT_LE.get(src, base + 44) + 0x895cd7be, 22);
            a = b + Integer.rotateLeft(a + ((b & c) | (~b & d)) + (int) INT_LE.get(src, base + 48) + 0x6b901122, 7);
            d = a + Integer.rotateLeft(d + ((a & b) | (~a & c)) + (int) INT_LE.get(src, base + 52) + 0xfd987193, 12);
            c = d + Integer.rotateLeft(c + ((d & a) | (~d & b)) + (int) INT_LE.get(src, base + 56) + 0xa679438e, 17);
            b = c + Integer.rotateLeft(b + ((c & d) | (~c & a)) + (int) INT_LE.get(src, base + 60) + 0x49b40821, 22);
            a = b + Integer.rotateLeft(a + ((d & b) | (~d & c)) + (int) INT_LE.get(src, base + 4) + 0xf61e2562, 5);
            d = a + Integer.rotateLeft(d + ((c & a) | (~c & b)) + (int) INT_LE.get(src, base + 24) + 0xc040b340, 9);
            c = d + Integer.rotateLeft(c + ((b & d) | (~b & a)) + (int) INT_LE.get(src, base + 44) + 0x265e5a51, 14);
            b = c + Integer.rotateLeft(b + ((a & c) | (~a & d)) + (int) INT_LE.get(src, base + 0) + 0xe9b6c7aa, 20);
            a = b + Integer.rotateLeft(a + ((d & b) | (~d & c)) + (int) INT_LE.get(src, base + 20) + 0xd62f105d, 5);
            d = a + Integer.rotateLeft(d + ((c & a) | (~c & b)) + (int) INT_LE.get(src, base + 40) + 0x02441453, 9);
            c = d + Integer.rotateLeft(c + ((b & d) | (~b & a)) + (int) INT_LE.get(src, base + 60) + 0xd8a1e681, 14);
            b = c + Integer.rotateLeft(b + ((a & c) | (~a & d)) + (int) INT_LE.get(src, base + 16) + 0xe7d3fbc8, 20);
            a = b + Integer.rotateLeft(a + ((d & b) | (~d & c)) + (int) INT_LE.get(src, base + 36) + 0x21e1cde6, 5);
            d = a + Integer.rotateLeft(d + ((c & a) | (~c & b)) + (int) INT_LE.get(src, base + 56) + 0xc33707d6, 9);
            c = d + Integer.rotateLeft(c + ((b & d) | (~b & a)) + (int) INT_LE.get(src, base + 12) + 0xf4d50d87, 14);
            b = c + Integer.rotateLeft(b + ((a & c) | (~a & d)) + (int) INT_LE.get(src, base + 32) + 0x455a14ed, 20);
            a = b + Integer.rotateLeft(a + ((d & b) | (~d & c)) + (int) INT_LE.get(src, base + 52) + 0xa9e3e905, 5);
            d = a + Integer.rotateLeft(d + ((c & a) | (~c & b)) + (int) INT_LE.get(src, base + 8) + 0xfcefa3f8, 9);
            c = d + Integer.rotateLeft(c + ((b & d) | (~b & a)) + (int) INT_LE.get(src, base + 28) + 0x676f02d9, 14);
            b = c + Integer.rotateLeft(b + ((a & c) | (~a & d)) + (int) INT_LE.get(src, base + 48) + 0x8d2a4c8a, 20);
            a = b + Integer.rotateLeft(a + (b ^ c ^ d) + (int) INT_LE.get(src, base + 20) + 0xfffa3942, 4);
            d = a + Integer.rotateLeft(d + (a ^ b ^ c) + (int) INT_LE.get(src, base + 32) + 0x8771f681, 11);
            c = d + Integer.rotateLeft(c + (d ^ a ^ b) + (int) INT_LE.get(src, base + 44) + 0x6d9d6122, 16);
            b = c + Integer.rotateLeft(b + (c ^ d ^ a) + (int) INT_LE.get(src, base + 56) + 0xfde5380c, 23);
            a = b + Integer.rotateLeft(a + (b ^ c ^ d) + (int) INT_LE.get(src, base + 4) + 0xa4beea44, 4);
            d = a + Integer.rotateLeft(d + (a ^ b ^ c) + (int) INT_LE.get(src, base + 16) + 0x4bdecfa9, 11);
            c = d + Integer.rotateLeft(c + (d ^ a ^ b) + (int) INT_LE.get(src, base + 28) + 0xf6bb4b60, 16);
            b = c + Integer.rotateLeft(b + (c ^ d ^ a) + (int) INT_LE.get(src, base + 40) + 0xbebfbc70, 23);
            a = b + Integer.rotateLeft(a + (b ^ c ^ d) + (int) INT_LE.get(src, base + 52) + 0x289b7ec6, 4);
            d = a + Integer.rotateLeft(d + (a ^ b ^ c) + (int) INT_LE.get(src, base + 0) + 0xeaa127fa, 11);
            c = d + Integer.rotateLeft(c + (d ^ a ^ b) + (int) INT_LE.get(src, base + 12) + 0xd4ef3085, 16);
            b = c + Integer.rotateLeft(b + (c ^ d ^ a) + (int) INT_LE.get(src, base + 24) + 0x04881d05, 23);
            a = b + Integer.rotateLeft(a + (b ^ c ^ d) + (int) INT_LE.get(src, base + 36) + 0xd9d4d039, 4);
            d = a + Integer.rotateLeft(d + (a ^ b ^ c) + (int) INT_LE.get(src, base + 48) + 0xe6db99e5, 11);
            c = d + Integer.rotateLeft(c + (d ^ a ^ b) + (int) INT_LE.get(src, base + 60) + 0x1fa27cf8, 16);
            b = c + Integer.rotateLeft(b + (c ^ d ^ a) + (int) INT_LE.get(src, base + 8) + 0xc4ac5665, 23);
            a = b + Integer.rotateLeft(a + (c ^ (b | ~d)) + (int) INT_LE.get(src, base + 0) + 0xf4292244, 6);
            d = a + Integer.rotateLeft(d + (b ^ (a | ~c)) + (int) INT_LE.get(src, base + 28) + 0x432aff97, 10);
            c = d + Integer.rotateLeft(c + (a ^ (d | ~b)) + (int) INT_LE.get(src, base + 56) + 0xab9423a7, 15);
            b = c + Integer.rotateLeft(b + (d ^ (c | ~a)) + (int) INT_LE.get(src, base + 20) + 0xfc93a039, 21);
            a = b + Integer.rotateLeft(a + (c ^ (b | ~d)) + (int) INT_LE.get(src, base + 48) + 0x655b59c3, 6);
            d = a + Integer.rotateLeft(d + (b ^ (a | ~c)) + (int) INT_LE.get(src, base + 12) + 0x8f0ccc92, 10);
            c = d + Integer.rotateLeft(c + (a ^ (d | ~b)) + (int) INT_LE.get(src, base + 40) + 0xffeff47d, 15);
            b = c + Integer.rotateLeft(b + (d ^ (c | ~a)) + (int) INT_LE.get(src, base + 4) + 0x85845dd1, 21);
            a = b + Integer.rotateLeft(a + (c ^ (b | ~d)) + (int) INT_LE.get(src, base + 32) + 0x6fa87e4f, 6);
            d = a + Integer.rotateLeft(d + (b ^ (a | ~c)) + (int) INT_LE.get(src, base + 60) + 0xfe2ce6e0, 10);
            c = d + Integer.rotateLeft(c + (a ^ (d | ~b)) + (int) INT_LE.get(src, base + 24) + 0xa3014314, 15);
            b = c + Integer.rotateLeft(b + (d ^ (c | ~a)) + (int) INT_LE.get(src, base + 52) + 0x4e0811a1, 21);
            a = b + Integer.rotateLeft(a + (c ^ (b | ~d)) + (int) INT_LE.get(src, base + 16) + 0xf7537e82, 6);
            d = a + Integer.rotateLeft(d + (b ^ (a | ~c)) + (int) INT_LE.get(src, base + 44) + 0xbd3af235, 10);
            c = d + Integer.rotateLeft(c + (a ^ (d | ~b)) + (int) INT_LE.get(src, base + 8) + 0x2ad7d2bb, 15);
            b = c + Integer.rotateLeft(b + (d ^ (c | ~a)) + (int) INT_LE.get(src, base + 36) + 0xeb86d391, 21);
            a0 += a;
            b0 += b;
            c0 += c;
            d0 += d;
        }
        return a0 & 0xffffffffL;
    }
}
