package io.dstk.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value read from the store with its version. Versions are positive and grow with every write to the store (they
 * are a store-wide revision number), so a larger version of one key is always a later write.
 *
 * @param value the value bytes (a copy the caller may keep)
 * @param version the version of the write that stored this value, positive
 */
public record Versioned(byte[] value, long version) {

  /**
   * Validates the value.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code version} is not positive
   */
  public Versioned {
    Objects.requireNonNull(value, "value");
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive: " + version);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Versioned v && v.version == version && Arrays.equals(v.value, value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value) * 31 + Long.hashCode(version);
  }

  @Override
  public String toString() {
    return "Versioned[" + value.length + " bytes, version=" + version + "]";
  }
}
