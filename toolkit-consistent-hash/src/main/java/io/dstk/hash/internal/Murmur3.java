package io.dstk.hash.internal;

import io.dstk.hash.HashFunction;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * MurmurHash3 x64 128-bit (Austin Appleby), seed 0, returning the first 64 bits of the 128-bit result:
 * the value of Guava's {@code Hashing.murmur3_128().hashBytes(b).asLong()}. Allocation-free on every path,
 * including {@link #hashUtf8(CharSequence)}, which encodes UTF-8 on the fly.
 */
public final class Murmur3 implements HashFunction {
    /** The one instance. */
    public static final Murmur3 INSTANCE = new Murmur3();

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Murmur3() {
    }

    @Override
    public long hash(byte[] bytes, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        long h1 = 0;
        long h2 = 0;
        int i = offset;
        int end = offset + (length & ~15);
        for (; i < end; i += 16) {
            long k1 = (long) LONG_LE.get(bytes, i);
            long k2 = (long) LONG_LE.get(bytes, i + 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int rest = length & 15;
        if (rest > 0) {
            long k1 = 0;
            long k2 = 0;
            if (rest >= 8) {
                k1 = (long) LONG_LE.get(bytes, i);
                for (int j = rest - 1; j >= 8; j--) {
                    k2 = (k2 << 8) | (bytes[i + j] & 0xffL);
                }
            } else {
                for (int j = rest - 1; j >= 0; j--) {
                    k1 = (k1 << 8) | (bytes[i + j] & 0xffL);
                }
            }
            h1 ^= mixK1(k1);
            h2 ^= mixK2(k2);
        }
        return finish(h1, h2, length);
    }

    @Override
    public long hashLong(long value) {
        return finish(mixK1(value), 0, 8);
    }

    @Override
    public long hashUtf8(CharSequence chars) {
        long h1 = 0;
        long h2 = 0;
        long k1 = 0;      // first half of the block being filled
        long cur = 0;     // the 8-byte lane being filled
        int shift = 0;    // bits already in cur
        boolean half = false; // k1 holds a full lane
        long length = 0;
        int n = chars.length();
        for (int i = 0; i < n; i++) {
            if (shift == 0 && i + 8 <= n) {
                // Fast path: 8 ASCII chars fill a whole lane.
                long lane = 0;
                int j = 7;
                for (; j >= 0; j--) {
                    char a = chars.charAt(i + j);
                    if (a >= 0x80) {
                        break;
                    }
                    lane = (lane << 8) | a;
                }
                if (j < 0) {
                    i += 7;
                    length += 8;
                    if (!half) {
                        k1 = lane;
                        half = true;
                    } else {
                        h1 ^= mixK1(k1);
                        h1 = Long.rotateLeft(h1, 27) + h2;
                        h1 = h1 * 5 + 0x52dce729;
                        h2 ^= mixK2(lane);
                        h2 = Long.rotateLeft(h2, 31) + h1;
                        h2 = h2 * 5 + 0x38495ab5;
                        half = false;
                    }
                    continue;
                }
            }
            char c = chars.charAt(i);
            int enc;
            int count;
            if (c < 0x80) {
                enc = c;
                count = 1;
            } else if (c < 0x800) {
                enc = (0xc0 | (c >>> 6)) | (0x80 | (c & 0x3f)) << 8;
                count = 2;
            } else if (Character.isSurrogate(c)) {
                int cp = -1;
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(chars.charAt(i + 1))) {
                    cp = Character.toCodePoint(c, chars.charAt(++i));
                }
                if (cp < 0) {
                    enc = '?'; // what String.getBytes(UTF_8) writes for an unpaired surrogate
                    count = 1;
                } else {
                    enc = (0xf0 | (cp >>> 18))
                            | (0x80 | ((cp >>> 12) & 0x3f)) << 8
                            | (0x80 | ((cp >>> 6) & 0x3f)) << 16
                            | (0x80 | (cp & 0x3f)) << 24;
                    count = 4;
                }
            } else {
                enc = (0xe0 | (c >>> 12)) | (0x80 | ((c >>> 6) & 0x3f)) << 8 | (0x80 | (c & 0x3f)) << 16;
                count = 3;
            }
            length += count;
            for (int j = 0; j < count; j++, enc >>>= 8) {
                cur |= (long) (enc & 0xff) << shift;
                shift += 8;
                if (shift == 64) {
                    if (!half) {
                        k1 = cur;
                        half = true;
                    } else {
                        h1 ^= mixK1(k1);
                        h1 = Long.rotateLeft(h1, 27) + h2;
                        h1 = h1 * 5 + 0x52dce729;
                        h2 ^= mixK2(cur);
                        h2 = Long.rotateLeft(h2, 31) + h1;
                        h2 = h2 * 5 + 0x38495ab5;
                        half = false;
                    }
                    cur = 0;
                    shift = 0;
                }
            }
        }
        if (half) {
            h1 ^= mixK1(k1);
            h2 ^= mixK2(cur);
        } else if (shift > 0) {
            h1 ^= mixK1(cur);
        }
        return finish(h1, h2, length);
    }

    @Override
    public String toString() {
        return "murmur3_x64_128 (first 64 bits, seed 0)";
    }

    private static long finish(long h1, long h2, long length) {
        h1 ^= length;
        h2 ^= length;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        return h1 + h2;
    }

    private static long mixK1(long k1) {
        k1 *= C1;
        k1 = Long.rotateLeft(k1, 31);
        return k1 * C2;
    }

    private static long mixK2(long k2) {
        k2 *= C2;
        k2 = Long.rotateLeft(k2, 33);
        return k2 * C1;
    }

    /**
     * MurmurHash3's 64-bit finalizer, a bijection with good avalanche.
     *
     * @param k input
     * @return mixed value
     */
    public static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
