package io.dstk.cache;

import java.util.Objects;

/**
 * A change this member applied to its copy of a cache, delivered to a {@link CacheListener}.
 *
 * <p>{@link #local()} tells whether the change came from a call on this member (a local change) or from another
 * member (a cluster-wide change replicated here). Every member applies every replicated write, so listeners on all
 * members see every change, each once, possibly in a different order across keys; for one key, changes arrive in
 * version order unless a newer version arrived first (the older one is then dropped and not reported).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public sealed interface CacheEvent<K, V> {

  /**
   * Returns whether the change originated on this member.
   *
   * @return true for a local change, false for one replicated from another member
   */
  boolean local();

  /**
   * A value was stored.
   *
   * @param key the key
   * @param value the new value
   * @param version its version
   * @param local whether the write was issued on this member
   * @param <K> the key type
   * @param <V> the value type
   */
  record Written<K, V>(K key, V value, Version version, boolean local) implements CacheEvent<K, V> {
    /** Checks for nulls. */
    public Written {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(version, "version");
    }
  }

  /**
   * A key was removed (a tombstone was stored).
   *
   * @param key the key
   * @param version the version of the removal
   * @param local whether the removal was issued on this member
   * @param <K> the key type
   * @param <V> the value type
   */
  record Removed<K, V>(K key, Version version, boolean local) implements CacheEvent<K, V> {
    /** Checks for nulls. */
    public Removed {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(version, "version");
    }
  }

  /**
   * An entry was evicted or expired on this member only ({@link FullPolicy#EVICT}, expire-after-write).
   *
   * @param key the key
   * @param expired true if it expired, false if evicted for size
   * @param <K> the key type
   * @param <V> the value type
   */
  record Evicted<K, V>(K key, boolean expired) implements CacheEvent<K, V> {
    /** Checks for nulls. */
    public Evicted {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public boolean local() {
      return true;
    }
  }

  /**
   * This member's state was reconciled after a partition healed or the coordinator changed. Reported by the
   * coordinator of the new view, which did the reconciliation.
   *
   * @param membersRead how many members' states were read
   * @param entriesRead entries and tombstones received from them
   * @param updated keys whose value or tombstone changed on the coordinator as a result
   * @param conflicts keys where both sides had different versions and the {@link MergePolicy} (or, in
   *     {@link PartitionMode#CONSISTENCY} mode, the majority) decided
   * @param replacedMembers members whose state was replaced wholesale (the minority side in consistency mode)
   * @param <K> the key type
   * @param <V> the value type
   */
  record Merged<K, V>(int membersRead, long entriesRead, long updated, long conflicts, int replacedMembers)
      implements CacheEvent<K, V> {
    @Override
    public boolean local() {
      return true;
    }
  }
}
