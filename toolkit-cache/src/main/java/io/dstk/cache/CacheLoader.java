package io.dstk.cache;

/**
 * Loads a value on a local miss. The loaded value is returned to the caller and offered to the cluster with
 * {@code putIfAbsent} in the background; a failure of that write is counted, not thrown.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface CacheLoader<K, V> {

  /**
   * Loads the value of a key.
   *
   * @param key the key
   * @return the value, or null if there is none
   * @throws Exception if loading fails; the caller's {@code get} then fails with {@link CacheException}
   */
  V load(K key) throws Exception;
}
