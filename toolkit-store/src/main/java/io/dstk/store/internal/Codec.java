package io.dstk.store.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The binary formats of the store: commands (what is replicated in the log, version 2, version 1 still decoded),
 * results (version 1) and the primitives of the snapshot. Big-endian; strings are a u16 length and UTF-8 bytes, byte
 * arrays an i32 length ({@code -1} = absent) and the bytes. Every decoded length is checked against a cap before
 * anything is allocated. See docs/store.md for the layout of each message.
 */
public final class Codec {
  /** Format version of results. */
  public static final int VERSION = 1;
  /** Format version written first in every command; version 1 (without a request id) is still decoded. */
  public static final int COMMAND_VERSION = 2;
  /** Largest key, counter or lease name in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 256;
  /** Largest holder id in UTF-8 bytes. */
  public static final int MAX_HOLDER_BYTES = 256;
  /** Hard cap on a value, whatever the configuration says. */
  public static final int MAX_VALUE_BYTES = 1 << 20;
  /** Byte offset of the leader's time stamp in an encoded command. */
  public static final int STAMP_OFFSET = 2;

  private Codec() {}

  /** Operation codes of commands. */
  public static final class Op {
    public static final int GET = 1;
    public static final int PUT = 2;
    public static final int CAS = 3;
    public static final int DELETE = 4;
    public static final int COUNTER_GET = 10;
    public static final int COUNTER_ADD = 11;
    public static final int COUNTER_CAS = 12;
    public static final int LEASE_ACQUIRE = 20;
    public static final int LEASE_RENEW = 21;
    public static final int LEASE_RELEASE = 22;
    public static final int LEASE_GET = 23;

    private Op() {}
  }

  /** Status codes of results. */
  public static final class Status {
    public static final int OK = 0;
    public static final int VERSION_MISMATCH = 1;
    public static final int NOT_FOUND = 2;
    public static final int LEASE_HELD = 3;
    public static final int LEASE_LOST = 4;
    public static final int KEY_LIMIT = 5;
    public static final int BAD_COMMAND = 6;
    /** Transport-level answers of a voter that could not run the command (never produced by the state machine). */
    public static final int NO_QUORUM = 20;
    public static final int TIMEOUT = 21;
    public static final int NOT_LEADER = 22;
    /**
     * A new leader's announcement to the other members (topic {@code dstk.store.<storeName>.leader}): version = its
     * raft term, text = its name.
     */
    public static final int LEADER = 23;

    private Status() {}
  }

  /**
   * A decoded command.
   *
   * @param op the operation code
   * @param stamp the leader's time stamp in store nanoseconds (0 until the leader stamps it)
   * @param client the random id of the client that sent it, 0 for none (reads, format version 1)
   * @param seq the client's sequence number of this request; with {@code client} the request id
   * @param name the key, counter or lease name
   * @param a first numeric argument (expected version, delta, expected value, TTL nanos, epoch)
   * @param b second numeric argument (new counter value, TTL nanos on renew)
   * @param holder the lease holder id, or null
   * @param value the value, or null
   */
  public record Command(int op, long stamp, long client, long seq, String name, long a, long b, String holder,
      byte[] value) {

    /**
     * Creates a command without a request id (a read, or a command of format version 1).
     *
     * @param op the operation code
     * @param stamp the leader's time stamp
     * @param name the name
     * @param a first numeric argument
     * @param b second numeric argument
     * @param holder the holder, or null
     * @param value the value, or null
     */
    public Command(int op, long stamp, String name, long a, long b, String holder, byte[] value) {
      this(op, stamp, 0, 0, name, a, b, holder, value);
    }

    /**
     * Returns whether this command carries a request id, so that a duplicate of it is answered from the state
     * machine's table of recent requests instead of being applied again.
     *
     * @return true if {@code client != 0}
     */
    public boolean hasRequestId() {
      return client != 0;
    }

    /**
     * Returns this command with a request id.
     *
     * @param clientId the client's random id, not 0
     * @param sequence the client's sequence number of this request
     * @return the command
     */
    public Command withRequestId(long clientId, long sequence) {
      return new Command(op, stamp, clientId, sequence, name, a, b, holder, value);
    }
  }

  /**
   * Returns whether an operation changes the state (and so gets a request id).
   *
   * @param op the operation code
   * @return true for writes, counter updates and lease changes
   */
  public static boolean isMutating(int op) {
    return switch (op) {
      case Op.PUT, Op.CAS, Op.DELETE, Op.COUNTER_ADD, Op.COUNTER_CAS, Op.LEASE_ACQUIRE, Op.LEASE_RENEW,
          Op.LEASE_RELEASE -> true;
      default -> false;
    };
  }

  /**
   * A decoded result.
   *
   * @param status the status code
   * @param version a version, counter value or epoch
   * @param number a second number (lease expiry in store nanos, remaining nanos)
   * @param text a holder id or message, or null
   * @param value a value, or null
   */
  public record Result(int status, long version, long number, String text, byte[] value) {
    /**
     * Creates a result with only a status and a number.
     *
     * @param status the status
     * @param version the number
     * @return the result
     */
    public static Result of(int status, long version) {
      return new Result(status, version, 0, null, null);
    }
  }

  /*
   * Command v2: u8 version, u8 op, i64 stamp, i64 client, i64 seq, string name, i64 a, i64 b, string? holder
   * (u8 present + string), bytes value (i32 length, -1 = none). Command v1: the same without client and seq.
   * Result v1: u8 version, u8 status, i64 version, i64 number,
   * string? text, bytes value.
   */

  /**
   * Encodes a command.
   *
   * @param c the command
   * @return its bytes
   */
  public static byte[] encode(Command c) {
    // Exact-size array, written in place: this runs once per call, and its decoding once per voter per call.
    byte[] name = utf8(c.name());
    byte[] holder = c.holder() == null ? null : utf8(c.holder());
    byte[] value = c.value();
    int size = 2 + 3 * 8 + stringSize(name) + 2 * 8 + 1 + (holder == null ? 0 : stringSize(holder)) + 4
        + (value == null ? 0 : value.length);
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) COMMAND_VERSION).put((byte) c.op()).putLong(c.stamp()).putLong(c.client()).putLong(c.seq());
    putString(out, name);
    out.putLong(c.a()).putLong(c.b());
    out.put((byte) (holder != null ? 1 : 0));
    if (holder != null) {
      putString(out, holder);
    }
    putBytes(out, value);
    return out.array();
  }

  /**
   * Decodes a command.
   *
   * @param buf the buffer
   * @param off where the command starts
   * @param len its length
   * @return the command
   * @throws IllegalArgumentException if the bytes are not a valid command of a supported version
   */
  public static Command decodeCommand(byte[] buf, int off, int len) {
    try {
      ByteBuffer in = ByteBuffer.wrap(buf, off, len);
      int version = in.get() & 0xFF;
      if (version != 1 && version != COMMAND_VERSION) {
        throw new IllegalArgumentException("command format version " + version + " is not supported (expected 1 or "
            + COMMAND_VERSION + ")");
      }
      int op = in.get() & 0xFF;
      long stamp = in.getLong();
      long client = version == 1 ? 0 : in.getLong();
      long seq = version == 1 ? 0 : in.getLong();
      String name = getString(in, MAX_NAME_BYTES);
      long a = in.getLong();
      long b = in.getLong();
      String holder = getOptionalString(in, MAX_HOLDER_BYTES);
      byte[] value = getBytes(in, MAX_VALUE_BYTES);
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("command has " + in.remaining() + " trailing bytes");
      }
      return new Command(op, stamp, client, seq, name, a, b, holder, value);
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("truncated command (" + len + " bytes)", e);
    }
  }

  /**
   * Writes the leader's stamp into an encoded command.
   *
   * @param command the encoded command, modified in place
   * @param stamp the stamp
   */
  public static void stamp(byte[] command, long stamp) {
    ByteBuffer.wrap(command).putLong(STAMP_OFFSET, stamp);
  }

  /**
   * Encodes a result.
   *
   * @param r the result
   * @return its bytes
   */
  public static byte[] encode(Result r) {
    byte[] text = r.text() == null ? null : utf8(r.text());
    byte[] value = r.value();
    ByteBuffer out = ByteBuffer.allocate(2 + 2 * 8 + 1 + (text == null ? 0 : stringSize(text)) + 4
        + (value == null ? 0 : value.length));
    out.put((byte) VERSION).put((byte) r.status()).putLong(r.version()).putLong(r.number());
    out.put((byte) (text != null ? 1 : 0));
    if (text != null) {
      putString(out, text);
    }
    putBytes(out, value);
    return out.array();
  }

  /**
   * Decodes a result.
   *
   * @param buf the bytes
   * @return the result
   * @throws IllegalArgumentException if the bytes are not a valid result of a supported version
   */
  public static Result decodeResult(byte[] buf) {
    try {
      ByteBuffer in = ByteBuffer.wrap(buf);
      checkVersion(in.get() & 0xFF, "result");
      int status = in.get() & 0xFF;
      long version = in.getLong();
      long number = in.getLong();
      String text = getOptionalString(in, 4096);
      byte[] value = getBytes(in, MAX_VALUE_BYTES);
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("result has " + in.remaining() + " trailing bytes");
      }
      return new Result(status, version, number, text, value);
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("truncated result (" + buf.length + " bytes)", e);
    }
  }

  private static byte[] utf8(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("string longer than 65535 bytes: " + b.length);
    }
    return b;
  }

  private static int stringSize(byte[] utf8) {
    return 2 + utf8.length;
  }

  private static void putString(ByteBuffer out, byte[] utf8) {
    out.putShort((short) utf8.length).put(utf8);
  }

  private static void putBytes(ByteBuffer out, byte[] b) {
    if (b == null) {
      out.putInt(-1);
    } else {
      out.putInt(b.length).put(b);
    }
  }

  private static String getString(ByteBuffer in, int max) {
    int n = in.getShort() & 0xFFFF;
    if (n > max) {
      throw new IllegalArgumentException("string length " + n + " exceeds cap " + max);
    }
    if (n > in.remaining()) {
      throw new BufferUnderflowException();
    }
    byte[] a = in.array();
    int from = in.arrayOffset() + in.position();
    in.position(in.position() + n);
    boolean ascii = true;
    for (int i = from; i < from + n; i++) {
      if (a[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(a, from, n, StandardCharsets.US_ASCII);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(a, from, n)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("string is not valid UTF-8", e);
    }
  }

  private static String getOptionalString(ByteBuffer in, int max) {
    int present = in.get() & 0xFF;
    if (present > 1) {
      throw new IllegalArgumentException("presence flag must be 0 or 1: " + present);
    }
    return present == 1 ? getString(in, max) : null;
  }

  private static byte[] getBytes(ByteBuffer in, int max) {
    int n = in.getInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > max) {
      throw new IllegalArgumentException("byte array length " + n + " outside 0.." + max);
    }
    if (n > in.remaining()) {
      throw new BufferUnderflowException();
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  /** Writes a result without its version byte: u8 status, i64 version, i64 number, string? text, bytes value. */
  static void writeResultBody(DataOutput out, Result r) throws IOException {
    out.writeByte(r.status());
    out.writeLong(r.version());
    out.writeLong(r.number());
    writeOptionalString(out, r.text());
    writeBytes(out, r.value());
  }

  static Result readResultBody(DataInput in) throws IOException {
    int status = in.readUnsignedByte();
    long version = in.readLong();
    long number = in.readLong();
    String text = readOptionalString(in, 4096);
    byte[] value = readBytes(in, MAX_VALUE_BYTES);
    return new Result(status, version, number, text, value);
  }

  static void checkVersion(int v, String what) {
    if (v != VERSION) {
      throw new IllegalArgumentException(what + " format version " + v + " is not supported (expected " + VERSION
          + ")");
    }
  }

  static void writeString(DataOutput out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("string longer than 65535 bytes: " + b.length);
    }
    out.writeShort(b.length);
    out.write(b);
  }

  static String readString(DataInput in, int max) throws IOException {
    int n = in.readUnsignedShort();
    if (n > max) {
      throw new IllegalArgumentException("string length " + n + " exceeds cap " + max);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("string is not valid UTF-8", e);
    }
  }

  static void writeOptionalString(DataOutput out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      writeString(out, s);
    }
  }

  static String readOptionalString(DataInput in, int max) throws IOException {
    int present = in.readUnsignedByte();
    if (present > 1) {
      throw new IllegalArgumentException("presence flag must be 0 or 1: " + present);
    }
    return present == 1 ? readString(in, max) : null;
  }

  static void writeBytes(DataOutput out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  static byte[] readBytes(DataInput in, int max) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > max) {
      throw new IllegalArgumentException("byte array length " + n + " outside 0.." + max);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
