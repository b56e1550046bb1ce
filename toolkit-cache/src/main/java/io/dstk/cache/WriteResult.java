package io.dstk.cache;

import io.dstk.cache.Wire.In;
import io.dstk.cache.Wire.Out;
import java.nio.charset.StandardCharsets;

/** The orderer's answer to a write, as a RESULT message carries it. */
record WriteResult(int status, Version version, byte[] value, boolean tomb, String message) {
  static final int APPLIED = 0;
  static final int CONDITION_FAILED = 1;
  static final int NOT_READY = 2;
  static final int NO_QUORUM = 3;
  static final int FULL = 4;
  static final int INDETERMINATE = 5;
  static final int WRITER_FAILED = 6;
  static final int CODEC_FAILED = 7;
  static final int BUSY = 8;
  static final int RETRY = 9;
  /** The most bytes of message text a RESULT carries. */
  static final int MAX_TEXT_BYTES = 1024;

  static WriteResult of(int status, String message) {
    return new WriteResult(status, Version.ZERO, null, true, message);
  }

  /** Encodes the RESULT message answering request {@code req}. */
  byte[] encode(long req) {
    Out out = Wire.message(Wire.RESULT, 64 + (value == null ? 0 : value.length));
    out.i64(req).u8(status).i64(version.epoch()).i64(version.sequence());
    out.u8(value == null ? 0 : 1);
    if (value != null) {
      out.bytes(value);
    }
    byte[] text = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
    // the text is informational: cut it so that a RESULT always fits the message cap (see CacheConfig)
    out.bytes(text.length <= MAX_TEXT_BYTES ? text : java.util.Arrays.copyOf(text, MAX_TEXT_BYTES));
    return out.toArray();
  }

  /** Decodes a RESULT message positioned after its request id. */
  static WriteResult decode(In in) {
    int status = in.u8();
    Version v = new Version(in.i64(), in.i64());
    byte[] value = in.u8() == 1 ? in.bytes() : null;
    String text = new String(in.bytes(), StandardCharsets.UTF_8);
    return new WriteResult(status, v, value, value == null, text);
  }
}
