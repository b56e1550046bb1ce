package io.dstk.cache;

/**
 * Writes changes through to a system of record. Only the member that orders the write (the coordinator) calls it,
 * once per write, before the write is applied anywhere, with the key's ordering lock held (keep it short). If it
 * throws, the write fails with {@link CacheWriterException} and is not applied.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface CacheWriter<K, V> {

  /**
   * Called for a put, conditional put or compute that stores a value.
   *
   * @param key the key
   * @param value the new value
   * @throws Exception to refuse the write
   */
  void write(K key, V value) throws Exception;

  /**
   * Called for a removal of a present key.
   *
   * @param key the key
   * @throws Exception to refuse the removal
   */
  void delete(K key) throws Exception;
}
