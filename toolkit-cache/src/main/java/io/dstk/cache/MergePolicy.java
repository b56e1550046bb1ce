package io.dstk.cache;

/**
 * Decides, in {@link PartitionMode#AVAILABILITY} mode, which value a key keeps when partitions that both accepted
 * writes merge. Called on the coordinator of the merged view only, for each key whose versions differ between the
 * coordinator's state and another member's; must be deterministic, fast and thread-safe.
 *
 * <p>Returning one of the two arguments keeps it with its version. Returning a new {@link VersionedValue} (for example
 * a union of two sets) stores its value under a fresh version of the new epoch; its own version is ignored.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface MergePolicy<K, V> {

  /**
   * Resolves a conflict.
   *
   * @param key the key
   * @param mine the coordinator's value or tombstone
   * @param theirs the other member's value or tombstone
   * @return the value to keep, or a tombstone ({@code value == null}) to delete the key
   */
  VersionedValue<V> merge(K key, VersionedValue<V> mine, VersionedValue<V> theirs);

  /**
   * Returns the default policy: the higher version wins (deletions included); on equal versions, the coordinator's.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @return the policy
   */
  static <K, V> MergePolicy<K, V> highestVersion() {
    return (key, mine, theirs) -> theirs.version().isNewerThan(mine.version()) ? theirs : mine;
  }
}
