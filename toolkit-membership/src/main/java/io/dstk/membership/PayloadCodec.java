package io.dstk.membership;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns message payloads into bytes and back. Plug in JSON, protobuf or your own format; Java serialization is never
 * used by this module.
 *
 * <p>Implementations must be thread-safe. {@link #decode(byte[])} receives bytes from the network: it must reject
 * malformed input with an exception (the message is then dropped and counted) and never allocate more than the input
 * justifies. The cluster caps every payload at {@link ClusterConfig#maxMessageBytes()} before a codec sees it.
 *
 * @param <T> the payload type
 */
public interface PayloadCodec<T> {

  /**
   * Encodes a value.
   *
   * @param value the value, not null
   * @return its bytes
   */
  byte[] encode(T value);

  /**
   * Decodes bytes received from another member.
   *
   * @param bytes the bytes
   * @return the value
   * @throws IllegalArgumentException if the bytes are malformed
   */
  T decode(byte[] bytes);

  /**
   * Returns the UTF-8 string codec; malformed UTF-8 is rejected.
   *
   * @return the codec
   */
  static PayloadCodec<String> utf8() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public String decode(byte[] bytes) {
        try {
          return StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
        } catch (CharacterCodingException e) {
          throw new IllegalArgumentException("payload is not valid UTF-8 (" + bytes.length + " bytes)", e);
        }
      }
    };
  }

  /**
   * Returns the identity codec for raw bytes (no copy is made).
   *
   * @return the codec
   */
  static PayloadCodec<byte[]> bytes() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(byte[] value) {
        return value;
      }

      @Override
      public byte[] decode(byte[] bytes) {
        return bytes;
      }
    };
  }

  /**
   * Returns the codec for a {@code long}: 8 bytes, big-endian.
   *
   * @return the codec
   */
  static PayloadCodec<Long> longs() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(Long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
      }

      @Override
      public Long decode(byte[] bytes) {
        requireLength(bytes, Long.BYTES);
        return ByteBuffer.wrap(bytes).getLong();
      }
    };
  }

  /**
   * Returns the codec for an {@code int}: 4 bytes, big-endian.
   *
   * @return the codec
   */
  static PayloadCodec<Integer> ints() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(Integer value) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(value).array();
      }

      @Override
      public Integer decode(byte[] bytes) {
        requireLength(bytes, Integer.BYTES);
        return ByteBuffer.wrap(bytes).getInt();
      }
    };
  }

  /**
   * Returns the codec for a {@code double}: its IEEE 754 bits, 8 bytes, big-endian.
   *
   * @return the codec
   */
  static PayloadCodec<Double> doubles() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(Double value) {
        return ByteBuffer.allocate(Double.BYTES).putDouble(value).array();
      }

      @Override
      public Double decode(byte[] bytes) {
        requireLength(bytes, Double.BYTES);
        return ByteBuffer.wrap(bytes).getDouble();
      }
    };
  }

  /**
   * Returns the codec for a {@code boolean}: one byte, 0 or 1.
   *
   * @return the codec
   */
  static PayloadCodec<Boolean> booleans() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(Boolean value) {
        return new byte[] {(byte) (value ? 1 : 0)};
      }

      @Override
      public Boolean decode(byte[] bytes) {
        requireLength(bytes, 1);
        if (bytes[0] != 0 && bytes[0] != 1) {
          throw new IllegalArgumentException("boolean payload must be 0 or 1: " + bytes[0]);
        }
        return bytes[0] == 1;
      }
    };
  }

  /**
   * Returns the codec for a {@code short}: 2 bytes, big-endian.
   *
   * @return the codec
   */
  static PayloadCodec<Short> shorts() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(Short value) {
        return ByteBuffer.allocate(Short.BYTES).putShort(value).array();
      }

      @Override
      public Short decode(byte[] bytes) {
        requireLength(bytes, Short.BYTES);
        return ByteBuffer.wrap(bytes).getShort();
      }
    };
  }

  /**
   * Returns the codec for a single {@code byte}: the byte itself. (For a {@code byte[]} use {@link #bytes()}.)
   *
   * @return the codec
   */
  static PayloadCodec<Byte> byteValues() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(Byte value) {
        return new byte[] {value};
      }

      @Override
      public Byte decode(byte[] bytes) {
        requireLength(bytes, 1);
        return bytes[0];
      }
    };
  }

  /**
   * Returns the codec for a {@code float}: its IEEE 754 bits, 4 bytes, big-endian.
   *
   * @return the codec
   */
  static PayloadCodec<Float> floats() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(Float value) {
        return ByteBuffer.allocate(Float.BYTES).putFloat(value).array();
      }

      @Override
      public Float decode(byte[] bytes) {
        requireLength(bytes, Float.BYTES);
        return ByteBuffer.wrap(bytes).getFloat();
      }
    };
  }

  /**
   * Returns the codec for a {@code char}: its UTF-16 code unit, 2 bytes, big-endian (any unit, surrogates included).
   *
   * @return the codec
   */
  static PayloadCodec<Character> chars() {
    return new PayloadCodec<>() {
      @Override
      public byte[] encode(Character value) {
        return ByteBuffer.allocate(Character.BYTES).putChar(value).array();
      }

      @Override
      public Character decode(byte[] bytes) {
        requireLength(bytes, Character.BYTES);
        return ByteBuffer.wrap(bytes).getChar();
      }
    };
  }

  private static void requireLength(byte[] bytes, int expected) {
    if (bytes.length != expected) {
      throw new IllegalArgumentException("payload must be " + expected + " bytes: " + bytes.length);
    }
  }
}
