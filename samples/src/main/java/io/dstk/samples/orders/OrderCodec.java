package io.dstk.samples.orders;

import io.dstk.membership.PayloadCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The cache's value codec for {@link Order}: a small versioned binary format, never Java serialization.
 *
 * <pre>
 * byte    format version (1)
 * long    id
 * byte    status (OrderStatus ordinal: 0 NEW, 1 PAID, 2 SHIPPED, 3 CANCELLED)
 * int     quantity
 * long    created, epoch millis
 * long    updated, epoch millis
 * UTF     customer (DataOutput.writeUTF: 2-byte length, modified UTF-8)
 * UTF     item
 * </pre>
 *
 * <p>All numbers are big-endian. Decoding rejects an unknown version, trailing bytes and any field the
 * {@link Order} constructor rejects, with {@link IllegalArgumentException}. Thread-safe (stateless).
 */
public final class OrderCodec implements PayloadCodec<Order> {
  /** The format version written by this codec. */
  public static final int VERSION = 1;

  private static final OrderStatus[] STATUSES = OrderStatus.values();

  @Override
  public byte[] encode(Order order) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeLong(order.id());
      out.writeByte(order.status().ordinal());
      out.writeInt(order.quantity());
      out.writeLong(order.createdMillis());
      out.writeLong(order.updatedMillis());
      out.writeUTF(order.customer());
      out.writeUTF(order.item());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Order decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int version = in.readUnsignedByte();
      if (version != VERSION) {
        throw new IllegalArgumentException("unknown order format version: " + version);
      }
      long id = in.readLong();
      int status = in.readUnsignedByte();
      if (status >= STATUSES.length) {
        throw new IllegalArgumentException("unknown order status code: " + status);
      }
      int quantity = in.readInt();
      long created = in.readLong();
      long updated = in.readLong();
      String customer = in.readUTF();
      String item = in.readUTF();
      if (in.available() > 0) {
        throw new IllegalArgumentException("trailing bytes after order " + id + ": " + in.available());
      }
      return new Order(id, customer, item, quantity, STATUSES[status], created, updated);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated order (" + bytes.length + " bytes)", e);
    }
  }
}
