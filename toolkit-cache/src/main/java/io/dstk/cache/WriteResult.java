package io.dstk.cache;

import io.dstk.cache.Wire.In;
import io.dstk.cache.Wire.Out;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The orderer's answer to a write, as a RESULT message carries it. {@code targets} and {@code viewId} are set for
 * {@link #ORDERED} and {@link #DUPLICATE}: the members whose confirmation the writer awaits, and the orderer's view.
 */
record WriteResult(int status, Version version, byte[] value, boolean tomb, String message, List<String> targets,
    long viewId) {
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
  /** Ordered just now by this member, which is the writer: the APPLYs are on their way (never sent). */
  static final int ORDERED = 10;
  /** The operation was ordered before at {@code version}: the writer confirms it with the {@code targets}. */
  static final int DUPLICATE = 11;
  /** The most bytes of message text a RESULT carries. */
  static final int MAX_TEXT_BYTES = 1024;

  WriteResult(int status, Version version, byte[] value, boolean tomb, String message) {
    this(status, version, value, tomb, message, List.of(), -1);
  }

  static WriteResult of(int status, String message) {
    return new WriteResult(status, Version.ZERO, null, true, message);
  }

  /** Encodes the RESULT message answering operation {@code op}. */
  byte[] encode(OpId op) {
    Out out = Wire.message(Wire.RESULT, 96 + (value == null ? 0 : value.length) + 16 * targets.size());
    out.i64(op.hi()).i64(op.lo()).u8(status).i64(version.epoch()).i64(version.sequence());
    out.u8(value == null ? 0 : 1);
    if (value != null) {
      out.bytes(value);
    }
    byte[] text = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
    // the text is informational: cut it so that a RESULT always fits the message cap (see CacheConfig)
    out.bytes(text.length <= MAX_TEXT_BYTES ? text : java.util.Arrays.copyOf(text, MAX_TEXT_BYTES));
    out.i64(viewId).i32(targets.size());
    for (String t : targets) {
      out.utf8(t);
    }
    return out.toArray();
  }

  /** Decodes a RESULT message positioned after its operation id. */
  static WriteResult decode(In in) {
    int status = in.u8();
    Version v = new Version(in.i64(), in.i64());
    byte[] value = in.u8() == 1 ? in.bytes() : null;
    String text = new String(in.bytes(), StandardCharsets.UTF_8);
    long viewId = in.i64();
    int n = in.count(4);
    List<String> targets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      targets.add(in.utf8());
    }
    return new WriteResult(status, v, value, value == null, text, List.copyOf(targets), viewId);
  }
}
