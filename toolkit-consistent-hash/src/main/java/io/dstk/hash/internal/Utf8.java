package io.dstk.hash.internal;

/**
 * MD5 key hashing for ketama over keys that are not byte arrays: the key is encoded into a per-thread scratch
 * buffer first, so after warm-up a lookup allocates nothing (keys above 21,845 chars use a temporary array).
 */
final class Utf8 {
    private static final int MAX_KEPT = 1 << 16;
    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[][] {new byte[64]});

    private Utf8() {
    }

    /** MD5 of the 8 little-endian bytes of {@code key}: first 32 bits, unsigned. */
    static long md5First32(long key) {
        byte[] b = SCRATCH.get()[0];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (key >>> (8 * i));
        }
        return Md5.first32(b, 0, 8);
    }

    /** MD5 of the UTF-8 bytes of {@code chars} (unpaired surrogates as '?'): first 32 bits, unsigned. */
    static long md5First32(CharSequence chars) {
        int n = chars.length();
        byte[][] holder = SCRATCH.get();
        byte[] b = holder[0];
        if (b.length < 3 * n) {
            if (3 * n > MAX_KEPT) {
                byte[] bytes = chars.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                return Md5.first32(bytes, 0, bytes.length);
            }
            b = new byte[Math.max(3 * n, 2 * b.length)];
            holder[0] = b;
        }
        int p = 0;
        for (int i = 0; i < n; i++) {
            char c = chars.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xc0 | (c >>> 6));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(chars.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, chars.charAt(++i));
                    b[p++] = (byte) (0xf0 | (cp >>> 18));
                    b[p++] = (byte) (0x80 | ((cp >>> 12) & 0x3f));
                    b[p++] = (byte) (0x80 | ((cp >>> 6) & 0x3f));
                    b[p++] = (byte) (0x80 | (cp & 0x3f));
                } else {
                    b[p++] = '?';
                }
            } else {
                b[p++] = (byte) (0xe0 | (c >>> 12));
                b[p++] = (byte) (0x80 | ((c >>> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return Md5.first32(b, 0, p);
    }
}
