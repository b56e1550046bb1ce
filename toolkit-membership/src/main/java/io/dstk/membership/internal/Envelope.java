package io.dstk.membership.internal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The wire format of every message this module sends.
 *
 * <p>Format (big-endian): {@code u8 version, u8 kind, i64 correlationId, i64 viewId, u8 topicLength, topic UTF-8,
 * i32 payloadLength, payload}. {@code viewId} is -1 when the message is not view-checked. Decoding rejects a topic over
 * 200 bytes, a negative payload length, a payload over the configured cap and trailing bytes.
 *
 * @param version the sender's wire version
 * @param kind one of the {@code KIND_} constants
 * @param correlationId request id for requests and responses, 0 otherwise
 * @param viewId the sender's view id for view-checked requests and stale-view answers, else -1
 * @param topic the topic or endpoint name (empty for control messages)
 * @param payload the payload bytes
 */
public record Envelope(int version, int kind, long correlationId, long viewId, String topic, byte[] payload) {
  /** One-way message. */
  public static final int KIND_SEND = 1;
  /** Request. */
  public static final int KIND_REQUEST = 2;
  /** Successful response; payload is the encoded response. */
  public static final int KIND_RESPONSE = 3;
  /** Handler failure; payload is the UTF-8 error text. */
  public static final int KIND_ERROR = 4;
  /** Receiver is on another view; {@code viewId} is the receiver's. */
  public static final int KIND_STALE_VIEW = 5;
  /** Receiver has no handler for the endpoint. */
  public static final int KIND_NO_HANDLER = 6;
  /** The sender is leaving gracefully. */
  public static final int KIND_LEAVING = 7;
  /** Acknowledges {@link #KIND_LEAVING}. */
  public static final int KIND_LEAVING_ACK = 8;

  private static final int MAX_TOPIC = 200;

  /**
   * Encodes this envelope.
   *
   * @return the bytes
   */
  public byte[] encode() {
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    if (t.length > MAX_TOPIC) {
      throw new IllegalArgumentException("topic longer than " + MAX_TOPIC + " bytes: " + topic);
    }
    ByteBuffer b = ByteBuffer.allocate(1 + 1 + 8 + 8 + 1 + t.length + 4 + payload.length);
    b.put((byte) version).put((byte) kind).putLong(correlationId).putLong(viewId);
    b.put((byte) t.length).put(t).putInt(payload.length).put(payload);
    return b.array();
  }

  /**
   * Decodes an envelope.
   *
   * @param buf the buffer
   * @param offset where the envelope starts
   * @param length its length
   * @param maxPayload the largest payload accepted
   * @return the envelope
   * @throws IllegalArgumentException if malformed or over a cap
   */
  public static Envelope decode(byte[] buf, int offset, int length, int maxPayload) {
    try {
      ByteBuffer b = ByteBuffer.wrap(buf, offset, length);
      int version = b.get() & 0xff;
      int kind = b.get() & 0xff;
      long corr = b.getLong();
      long view = b.getLong();
      int tl = b.get() & 0xff;
      if (tl > MAX_TOPIC) {
        throw new IllegalArgumentException("topic length " + tl + " exceeds " + MAX_TOPIC);
      }
      byte[] t = new byte[tl];
      b.get(t);
      int pl = b.getInt();
      if (pl < 0 || pl > maxPayload) {
        throw new IllegalArgumentException("payload length " + pl + " outside 0.." + maxPayload);
      }
      if (pl > b.remaining()) {
        throw new IllegalArgumentException("payload length " + pl + " exceeds the " + b.remaining()
            + " bytes left");
      }
      byte[] p = new byte[pl];
      b.get(p);
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("envelope has " + b.remaining() + " trailing bytes");
      }
      return new Envelope(version, kind, corr, view, new String(t, StandardCharsets.UTF_8), p);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("envelope is truncated (" + length + " bytes)", e);
    }
  }
}
