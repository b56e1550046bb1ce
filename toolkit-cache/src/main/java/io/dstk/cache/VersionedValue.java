package io.dstk.cache;

import java.util.Objects;

/**
 * A value with the version of the write that produced it, or a deletion (a tombstone) with its version.
 *
 * @param value the value, or null if the key was removed
 * @param version the version of the write
 * @param <V> the value type
 */
public record VersionedValue<V>(V value, Version version) {

  /**
   * Validates.
   *
   * @throws NullPointerException if {@code version} is null
   */
  public VersionedValue {
    Objects.requireNonNull(version, "version");
  }

  /**
   * Returns whether this is a deletion.
   *
   * @return true if the key was removed
   */
  public boolean isDeleted() {
    return value == null;
  }
}
