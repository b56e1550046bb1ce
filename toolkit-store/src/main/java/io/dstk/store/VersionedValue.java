package io.dstk.store;

import java.util.Objects;

/**
 * A value read through a typed {@link StoreMap}, decoded by its codec, with its version (see {@link Versioned}).
 *
 * @param value the decoded value, not null
 * @param version the version of the write that stored it, positive
 * @param <T> the value type
 */
public record VersionedValue<T>(T value, long version) {

  /**
   * Validates the value.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code version} is not positive
   */
  public VersionedValue {
    Objects.requireNonNull(value, "value");
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive: " + version);
    }
  }
}
