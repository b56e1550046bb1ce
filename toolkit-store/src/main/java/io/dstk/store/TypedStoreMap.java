package io.dstk.store;

import io.dstk.membership.PayloadCodec;
import io.dstk.store.internal.Codec;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The typed view: prefixes keys, encodes on the way in, decodes on the way out. */
final class TypedStoreMap<T> implements StoreMap<T> {
  private final ClusterStore store;
  private final String prefix;
  private final int prefixBytes;
  private final PayloadCodec<T> codec;

  TypedStoreMap(ClusterStore store, String prefix, PayloadCodec<T> codec) {
    this.store = Objects.requireNonNull(store, "store");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.prefixBytes = prefix.getBytes(StandardCharsets.UTF_8).length;
    if (prefixBytes >= Codec.MAX_NAME_BYTES) {
      throw new IllegalArgumentException("prefix must be at most " + (Codec.MAX_NAME_BYTES - 1)
          + " UTF-8 bytes: " + prefixBytes + " bytes");
    }
  }

  private String key(String key) {
    Objects.requireNonNull(key, "key");
    int n = key.getBytes(StandardCharsets.UTF_8).length;
    int max = Codec.MAX_NAME_BYTES - prefixBytes;
    if (n < 1 || n > max) {
      throw new IllegalArgumentException("key must be 1.." + max + " UTF-8 bytes after the prefix '" + prefix
          + "': " + n + " bytes");
    }
    return prefix + key;
  }

  private byte[] encode(T value) {
    return codec.encode(Objects.requireNonNull(value, "value"));
  }

  private Optional<VersionedValue<T>> decode(String key, Optional<Versioned> v) {
    if (v.isEmpty()) {
      return Optional.empty();
    }
    T value;
    try {
      value = codec.decode(v.get().value());
    } catch (RuntimeException e) {
      throw new StoreException("value of key '" + prefix + key + "' (" + v.get().value().length
          + " bytes, version " + v.get().version() + ") cannot be decoded by this map's codec: " + e.getMessage(), e);
    }
    if (value == null) {
      throw new StoreException("the codec decoded key '" + prefix + key + "' to null");
    }
    return Optional.of(new VersionedValue<>(value, v.get().version()));
  }

  @Override
  public String prefix() {
    return prefix;
  }

  @Override
  public PayloadCodec<T> codec() {
    return codec;
  }

  @Override
  public Optional<VersionedValue<T>> get(String key) {
    return DefaultClusterStore.join(getAsync(key));
  }

  @Override
  public CompletableFuture<Optional<VersionedValue<T>>> getAsync(String key) {
    return store.getAsync(key(key)).thenApply(v -> decode(key, v));
  }

  @Override
  public long put(String key, T value) {
    return store.put(key(key), encode(value));
  }

  @Override
  public CompletableFuture<Long> putAsync(String key, T value) {
    return store.putAsync(key(key), encode(value));
  }

  @Override
  public CasResult compareAndSet(String key, long expectedVersion, T value) {
    return store.compareAndSet(key(key), expectedVersion, encode(value));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSetAsync(String key, long expectedVersion, T value) {
    return store.compareAndSetAsync(key(key), expectedVersion, encode(value));
  }

  @Override
  public long delete(String key) {
    return store.delete(key(key));
  }

  @Override
  public CompletableFuture<Long> deleteAsync(String key) {
    return store.deleteAsync(key(key));
  }

  @Override
  public String toString() {
    return "StoreMap[" + prefix + "*]";
  }
}
