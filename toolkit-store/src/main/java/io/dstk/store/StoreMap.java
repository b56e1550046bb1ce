package io.dstk.store;

import io.dstk.membership.PayloadCodec;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A typed view of the keys of a {@link ClusterStore} that start with a prefix, from
 * {@link ClusterStore#map(String, PayloadCodec)}: values are encoded and decoded with a {@link PayloadCodec}, the same
 * codec type the cluster's messaging uses.
 *
 * <pre>{@code
 * StoreMap<Long> budgets = store.map("budget.", PayloadCodec.longs());
 * long v = budgets.put("eu", 1_000L);                    // key "budget.eu", 8 bytes
 * budgets.compareAndSet("eu", v, 900L);
 * Optional<VersionedValue<Long>> eu = budgets.get("eu");
 * }</pre>
 *
 * <p>The view is a thin layer over the byte API: same consistency, versions, timeouts and exceptions. The store key
 * is {@code prefix + key}, 1..256 UTF-8 bytes in all; the size cap {@link StoreConfig#maxValueBytes()} applies to the
 * encoded bytes. A stored value the codec cannot decode (written by another codec through the byte API) fails the
 * read with {@link StoreException}; nothing stored is changed. Thread-safe if the codec is; the view holds no state.
 *
 * @param <T> the value type
 */
public interface StoreMap<T> {

  /**
   * Returns the prefix of this view's keys.
   *
   * @return the prefix, possibly empty
   */
  String prefix();

  /**
   * Returns the codec of this view.
   *
   * @return the codec
   */
  PayloadCodec<T> codec();

  /**
   * Reads a key.
   *
   * @param key the key after the prefix
   * @return the decoded value and its version, or empty if absent
   * @throws StoreException if the stored bytes cannot be decoded
   */
  Optional<VersionedValue<T>> get(String key);

  /**
   * Reads a key.
   *
   * @param key the key after the prefix
   * @return a future of the decoded value and version, or empty if absent
   */
  CompletableFuture<Optional<VersionedValue<T>>> getAsync(String key);

  /**
   * Writes a key unconditionally.
   *
   * @param key the key after the prefix
   * @param value the value, not null
   * @return the new version
   * @throws IllegalArgumentException if the encoded value exceeds {@link StoreConfig#maxValueBytes()}
   */
  long put(String key, T value);

  /**
   * Writes a key unconditionally.
   *
   * @param key the key after the prefix
   * @param value the value, not null
   * @return a future of the new version
   * @throws IllegalArgumentException if the encoded value exceeds {@link StoreConfig#maxValueBytes()}
   */
  CompletableFuture<Long> putAsync(String key, T value);

  /**
   * Writes a key if its current version is {@code expectedVersion} (0 = the key must be absent).
   *
   * @param key the key after the prefix
   * @param expectedVersion the version read before, or 0 to create
   * @param value the value, not null
   * @return whether it was written, with the new or the current version
   * @throws IllegalArgumentException if the encoded value exceeds {@link StoreConfig#maxValueBytes()}
   */
  CasResult compareAndSet(String key, long expectedVersion, T value);

  /**
   * Asynchronous {@link #compareAndSet}.
   *
   * @param key the key after the prefix
   * @param expectedVersion the version read before, or 0 to create
   * @param value the value, not null
   * @return a future of the outcome
   * @throws IllegalArgumentException if the encoded value exceeds {@link StoreConfig#maxValueBytes()}
   */
  CompletableFuture<CasResult> compareAndSetAsync(String key, long expectedVersion, T value);

  /**
   * Deletes a key.
   *
   * @param key the key after the prefix
   * @return the version of the deletion, or 0 if the key was absent
   */
  long delete(String key);

  /**
   * Deletes a key.
   *
   * @param key the key after the prefix
   * @return a future of the version of the deletion, or 0 if the key was absent
   */
  CompletableFuture<Long> deleteAsync(String key);
}
