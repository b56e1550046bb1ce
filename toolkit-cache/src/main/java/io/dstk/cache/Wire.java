package io.dstk.cache;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/*
 * Wire format of the cache's messages (all integers big-endian). Every message starts with the format version (2)
 * and a type byte. Requests go to the cache's endpoint (R), one-way messages to its write topic (W):
 *
 *   ORDER   1 W/R | opHi i64 | opLo i64 | cond u8 | key bytes | [expected bytes if cond=VALUE]
 *                 | [expected epoch i64, seq i64 if cond=VERSION] | hasValue u8 | [value bytes]
 *   RESULT  2 W   | opHi i64 | opLo i64 | status u8 | epoch i64 | seq i64 | hasValue u8 | [value bytes]
 *                 | message bytes (UTF-8) | viewId i64 | count i32 | target name bytes * count
 *   APPLY   3 W   | flags u8 (1 = acknowledge to the writer) | writer name bytes | viewId i64 | count i32
 *                 | target name bytes * count (only in the writer's copy, else count 0) | entry
 *   ACK     4 W   | opHi i64 | opLo i64 | epoch i64 | seq i64 | status u8 (0 applied or older, 1 key not decodable,
 *                   2 sender is not this member's orderer)
 *   DUMP    5 R   | session i64 | from i32 | reconciling u8 (1: the sender is a new orderer reading this member's state)
 *   CHUNK   6     | next i32 (-1 = last) | count i32 | entry*                      (answer to DUMP)
 *   INSTALL 7 R   | flags u8 (1 = replace state first, 2 = last chunk) | count i32 | entry*
 *   ACCEPT  8                                                                     (answer to an ORDER request)
 *   QUORUM  9 R   | mergeViewId i64   (did the receiver's partition have quorum just before this merge view?)
 *   QUORUM_STATE 10 | answer u8 (0 no, 1 yes, 2 the receiver has not seen that merge view yet)
 *   PROBE  11 R   | key bytes | epoch i64 | seq i64   (does the receiver hold this version of the key or a newer one?)
 *   PROBE_STATE 12 | answer u8 (0 yes, 1 not yet, 2 key not decodable)
 *   BYE    13 W   (the sender closes its cache: the orderer stops replicating to it)
 *
 *   bytes = length i32 | length bytes;   entry = key bytes | epoch i64 | seq i64 | opHi i64 | opLo i64
 *                                               | tomb u8 | [value bytes if tomb = 0]
 *
 * Version 1 (ORDER answered ACCEPT then RESULT by request id, APPLY/ACK as request and response) is not understood:
 * a member of either version rejects the other's messages (Wire.open), so mixed members never replicate to each other.
 */
final class Wire {
  static final byte VERSION = 2;
  static final byte ORDER = 1;
  static final byte RESULT = 2;
  static final byte APPLY = 3;
  static final byte ACK = 4;
  static final byte DUMP = 5;
  static final byte CHUNK = 6;
  static final byte INSTALL = 7;
  static final byte ACCEPT = 8;
  static final byte QUORUM = 9;
  static final byte QUORUM_STATE = 10;
  static final byte PROBE = 11;
  static final byte PROBE_STATE = 12;
  static final byte BYE = 13;

  static final int MAX_KEY_BYTES = 16 * 1024;

  private Wire() {}

  /** A growable big-endian writer. */
  static final class Out {
    private ByteBuffer buf;

    Out(int capacity) {
      buf = ByteBuffer.allocate(Math.max(16, capacity));
    }

    private void ensure(int n) {
      if (buf.remaining() < n) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
        buf.flip();
        bigger.put(buf);
        buf = bigger;
      }
    }

    Out u8(int v) {
      ensure(1);
      buf.put((byte) v);
      return this;
    }

    Out i32(int v) {
      ensure(4);
      buf.putInt(v);
      return this;
    }

    Out i64(long v) {
      ensure(8);
      buf.putLong(v);
      return this;
    }

    Out bytes(byte[] b) {
      ensure(4 + b.length);
      buf.putInt(b.length);
      buf.put(b);
      return this;
    }

    Out utf8(String text) {
      return bytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    int size() {
      return buf.position();
    }

    byte[] toArray() {
      byte[] out = new byte[buf.position()];
      System.arraycopy(buf.array(), 0, out, 0, out.length);
      return out;
    }
  }

  /** A bounds-checked reader; malformed input raises IllegalArgumentException. */
  static final class In {
    private final ByteBuffer buf;

    In(byte[] b) {
      buf = ByteBuffer.wrap(b);
    }

    int u8() {
      try {
        return buf.get() & 0xff;
      } catch (BufferUnderflowException e) {
        throw new IllegalArgumentException("truncated message", e);
      }
    }

    int i32() {
      try {
        return buf.getInt();
      } catch (BufferUnderflowException e) {
        throw new IllegalArgumentException("truncated message", e);
      }
    }

    long i64() {
      try {
        return buf.getLong();
      } catch (BufferUnderflowException e) {
        throw new IllegalArgumentException("truncated message", e);
      }
    }

    byte[] bytes() {
      int n = i32();
      if (n < 0 || n > buf.remaining()) {
        throw new IllegalArgumentException("byte length " + n + " exceeds the " + buf.remaining() + " bytes left");
      }
      byte[] b = new byte[n];
      buf.get(b);
      return b;
    }

    String utf8() {
      return new String(bytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Reads a count of items that each take at least {@code minBytes}, checked against what is left. */
    int count(int minBytes) {
      int n = i32();
      if (n < 0 || (long) n * minBytes > buf.remaining()) {
        throw new IllegalArgumentException("count " + n + " exceeds the " + buf.remaining() + " bytes left");
      }
      return n;
    }

    int remaining() {
      return buf.remaining();
    }
  }

  /** Starts a message with the format version and type. */
  static Out message(byte type, int capacity) {
    return new Out(capacity).u8(VERSION).u8(type);
  }

  /** Opens a message, checking the version; returns the reader positioned after the type, which it checks too. */
  static In open(byte[] message, byte expectedType) {
    In in = new In(message);
    int version = in.u8();
    if (version != VERSION) {
      throw new IllegalArgumentException("unsupported cache wire version " + version + " (this member speaks "
          + VERSION + ")");
    }
    int type = in.u8();
    if (expectedType != 0 && type != expectedType) {
      throw new IllegalArgumentException("expected message type " + expectedType + ", got " + type);
    }
    return in;
  }

  static int type(byte[] message) {
    if (message.length < 2) {
      throw new IllegalArgumentException("message of " + message.length + " bytes is too short");
    }
    if (message[0] != VERSION) {
      throw new IllegalArgumentException("unsupported cache wire version " + message[0]);
    }
    return message[1];
  }

  /** One replicated entry as it travels: key bytes, version, operation id and value (null = tombstone). */
  record WireEntry(byte[] key, long epoch, long seq, long opHi, long opLo, byte[] value) {}

  static void writeEntry(Out out, WireEntry e) {
    out.bytes(e.key()).i64(e.epoch()).i64(e.seq()).i64(e.opHi()).i64(e.opLo()).u8(e.value() == null ? 1 : 0);
    if (e.value() != null) {
      out.bytes(e.value());
    }
  }

  static WireEntry readEntry(In in) {
    byte[] key = in.bytes();
    long epoch = in.i64();
    long seq = in.i64();
    long opHi = in.i64();
    long opLo = in.i64();
    int tomb = in.u8();
    if (tomb > 1) {
      throw new IllegalArgumentException("tombstone flag must be 0 or 1: " + tomb);
    }
    if (epoch < 0 || seq < 0) {
      throw new IllegalArgumentException("negative version " + epoch + "." + seq);
    }
    return new WireEntry(key, epoch, seq, opHi, opLo, tomb == 1 ? null : in.bytes());
  }
}
