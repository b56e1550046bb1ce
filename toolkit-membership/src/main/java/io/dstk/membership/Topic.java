package io.dstk.membership;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A named channel for one-way messages with a payload codec.
 *
 * @param name the topic name, 1..200 UTF-8 bytes
 * @param codec encodes and decodes payloads
 * @param <T> the payload type
 */
public record Topic<T>(String name, PayloadCodec<T> codec) {

  /**
   * Validates the name.
   *
   * @throws IllegalArgumentException if the name is empty or longer than 200 UTF-8 bytes
   * @throws NullPointerException if an argument is null
   */
  public Topic {
    checkName(name);
    Objects.requireNonNull(codec, "codec");
  }

  /**
   * Creates a topic.
   *
   * @param name the topic name
   * @param codec the payload codec
   * @param <T> the payload type
   * @return the topic
   */
  public static <T> Topic<T> of(String name, PayloadCodec<T> codec) {
    return new Topic<>(name, codec);
  }

  static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    int length = name.getBytes(StandardCharsets.UTF_8).length;
    if (length == 0 || length > 200) {
      throw new IllegalArgumentException("topic name must be 1..200 UTF-8 bytes: '" + name + "'");
    }
  }
}
