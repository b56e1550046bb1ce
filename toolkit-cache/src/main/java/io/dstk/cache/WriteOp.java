package io.dstk.cache;

import io.dstk.cache.Wire.In;
import io.dstk.cache.Wire.Out;

/**
 * A write to order, as the caller builds it and as an ORDER message carries it. It holds the key only encoded: every
 * member, the writer included, stores the key decoded from these bytes, so no member keeps the caller's key object
 * (which the caller may change later) and each stores its key beside the entry it belongs to.
 */
record WriteOp(OpId id, byte[] keyBytes, int cond, byte[] expected, Version expectedVersion,
    byte[] value) {
  static final int COND_NONE = 0;
  static final int COND_ABSENT = 1;
  static final int COND_VALUE = 2;
  static final int COND_VERSION = 3;
  static final int COND_PRESENT = 4;

  /** Encodes the ORDER message. */
  byte[] encodeOrder() {
    Out out = Wire.message(Wire.ORDER, 64 + keyBytes.length + (value == null ? 0 : value.length));
    out.i64(id.hi()).i64(id.lo()).u8(cond).bytes(keyBytes);
    if (cond == COND_VALUE) {
      out.bytes(expected);
    } else if (cond == COND_VERSION) {
      out.i64(expectedVersion.epoch()).i64(expectedVersion.sequence());
    }
    out.u8(value == null ? 0 : 1);
    if (value != null) {
      out.bytes(value);
    }
    return out.toArray();
  }

  /** Decodes an ORDER message positioned after its type. */
  static WriteOp decodeOrder(In in) {
    OpId id = new OpId(in.i64(), in.i64());
    int cond = in.u8();
    byte[] key = in.bytes();
    byte[] expected = null;
    Version expectedVersion = null;
    if (cond == COND_VALUE) {
      expected = in.bytes();
    } else if (cond == COND_VERSION) {
      expectedVersion = new Version(in.i64(), in.i64());
    } else if (cond > COND_PRESENT) {
      throw new IllegalArgumentException("unknown condition " + cond);
    }
    byte[] value = in.u8() == 1 ? in.bytes() : null;
    return new WriteOp(id, key, cond, expected, expectedVersion, value);
  }
}
