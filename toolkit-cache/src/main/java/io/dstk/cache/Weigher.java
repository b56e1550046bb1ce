package io.dstk.cache;

/**
 * Computes the weight of an entry for {@link CacheConfig.Builder#maximumWeight(long, Weigher)}. Must be fast,
 * deterministic and thread-safe; the weight of an entry is fixed when it is stored.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface Weigher<K, V> {

  /**
   * Returns the weight.
   *
   * @param key the key
   * @param value the value
   * @return a weight, not negative
   */
  int weigh(K key, V value);
}
