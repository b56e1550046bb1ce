package io.dstk.cache;

import io.dstk.membership.Cluster;
import io.dstk.membership.Endpoint;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.RemoteHandlerException;
import io.dstk.membership.RequestPolicy;
import io.dstk.membership.Topic;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every part of one cache instance shares: the cluster handle, the configuration, the cache's endpoint
 * (requests) and write topic (one-way ORDER, APPLY, ACK, RESULT, BYE), the request policies, this instance's id (the
 * high half of its operation ids), the closed flag and the counters. Immutable except for the flag and counters, which are thread-safe.
 */
final class CacheContext<K, V> {
  final Cluster cluster;
  final CacheConfig<K, V> config;
  final String name;
  final PayloadCodec<K> keyCodec;
  final PayloadCodec<V> valueCodec;
  final Endpoint<byte[], byte[]> rpc;
  final Topic<byte[]> writeTopic;
  final RequestPolicy replicationPolicy;
  final RequestPolicy transferPolicy;
  final long instanceId = UUID.randomUUID().getMostSignificantBits();
  final AtomicBoolean closed = new AtomicBoolean();
  final CacheCounters counters = new CacheCounters();
  private final AtomicLong opCounter = new AtomicLong();

  CacheContext(Cluster cluster, CacheConfig<K, V> config) {
    this.cluster = cluster;
    this.config = config;
    this.name = config.name();
    this.keyCodec = config.keyCodec();
    this.valueCodec = config.valueCodec();
    this.rpc = Endpoint.of("dstk.cache." + name, PayloadCodec.bytes(), PayloadCodec.bytes());
    this.writeTopic = Topic.of("dstk.cache." + name + ".write", PayloadCodec.bytes());
    RequestPolicy base = RequestPolicy.defaults().withCircuitBreaker(0, Duration.ofSeconds(1));
    this.replicationPolicy = base.withTimeout(config.replicationTimeout());
    this.transferPolicy = base.withTimeout(config.writeTimeout());
  }

  /** Returns the injected ticker's nanos. */
  long now() {
    return config.ticker().getAsLong();
  }

  /** Encodes a key for the wire, checking its size. */
  byte[] encodeKey(K key) {
    Objects.requireNonNull(key, "key");
    byte[] b;
    try {
      b = keyCodec.encode(key);
    } catch (RuntimeException e) {
      throw new CacheCodecException("cache '" + name + "': key codec failed: " + e.getMessage(), e);
    }
    if (b.length > Wire.MAX_KEY_BYTES) {
      throw new ValueTooLargeException("key of " + b.length + " bytes exceeds " + Wire.MAX_KEY_BYTES + " bytes");
    }
    return b;
  }

  /** Encodes a value for the wire, checking its size; {@code argument} names it in messages. */
  byte[] encodeValue(V value, String argument) {
    Objects.requireNonNull(value, argument);
    byte[] b;
    try {
      b = valueCodec.encode(value);
    } catch (RuntimeException e) {
      throw new CacheCodecException("cache '" + name + "': value codec failed: " + e.getMessage(), e);
    }
    if (b.length > config.maxValueBytes()) {
      throw new ValueTooLargeException(argument + " of " + b.length + " bytes exceeds maxValueBytes "
          + config.maxValueBytes());
    }
    return b;
  }

  /** Returns a new operation id of this instance. */
  OpId newOpId() {
    return new OpId(instanceId, opCounter.incrementAndGet());
  }

  /** Returns whether the write needs quorum here and the partition has none. */
  boolean lacksQuorum() {
    return config.partitionMode() == PartitionMode.CONSISTENCY && !cluster.hasQuorum();
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Whether a request failed because the receiver has no handler for the endpoint: it does not host this cache. */
  static boolean notHosting(Throwable t) {
    return t instanceof RemoteHandlerException && String.valueOf(t.getMessage()).contains("no handler");
  }
}
