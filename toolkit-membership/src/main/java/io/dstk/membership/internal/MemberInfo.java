package io.dstk.membership.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgroups.Address;
import org.jgroups.util.ExtendedUUID;

/**
 * What a member announces about itself, carried inside its JGroups address (an {@link ExtendedUUID} entry under the
 * key {@value #KEY}) so that every view already names every member.
 *
 * <p>Format (big-endian): {@code u8 wireVersion, u16 nameLength, name UTF-8, u8 entryCount, entryCount x (u16 keyLength,
 * key UTF-8, u16 valueLength, value UTF-8)}. Decoding caps the name at 400 bytes, 16 entries and 1024 bytes per
 * string.
 *
 * @param wireVersion the member's wire version
 * @param name the node name
 * @param metadata the user metadata
 */
public record MemberInfo(int wireVersion, String name, Map<String, String> metadata) {
  /** The key of the entry in the address. */
  public static final String KEY = "dstk";

  /** Copies the metadata. */
  public MemberInfo {
    metadata = Map.copyOf(metadata);
  }

  /**
   * Encodes this record.
   *
   * @return the bytes
   */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(wireVersion);
      writeString(out, name);
      out.writeByte(metadata.size());
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        writeString(out, e.getKey());
        writeString(out, e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes bytes from {@link #encode()}.
   *
   * @param bytes the bytes
   * @return the record
   * @throws IllegalArgumentException if malformed or over the caps
   */
  public static MemberInfo decode(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      int version = in.get() & 0xff;
      String name = readString(in, 400);
      int n = in.get() & 0xff;
      if (n > 16) {
        throw new IllegalArgumentException("member metadata has too many entries: " + n);
      }
      Map<String, String> meta = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        meta.put(readString(in, 1024), readString(in, 1024));
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("member info has " + in.remaining() + " trailing bytes");
      }
      return new MemberInfo(version, name, meta);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("member info is truncated (" + bytes.length + " bytes)", e);
    }
  }

  /**
   * Reads the info from an address.
   *
   * @param address a JGroups address
   * @return the info, or null if the address carries none (a member not started by this module) or it is malformed
   */
  public static MemberInfo of(Address address) {
    if (address instanceof ExtendedUUID u) {
      byte[] b = u.get(KEY);
      if (b != null) {
        try {
          return decode(b);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeShort(b.length);
    out.write(b);
  }

  private static String readString(ByteBuffer in, int cap) {
    int len = in.getShort() & 0xffff;
    if (len > cap) {
      throw new IllegalArgumentException("string of " + len + " bytes exceeds cap " + cap);
    }
    byte[] b = new byte[len];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
