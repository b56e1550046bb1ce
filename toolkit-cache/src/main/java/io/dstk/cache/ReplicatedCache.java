package io.dstk.cache;

import io.dstk.membership.Cluster;
import io.dstk.membership.Registration;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * An in-memory cache replicated to every member of a cluster that hosts a cache of the same name: reads are local
 * (a Caffeine lookup), writes are ordered by one member and applied everywhere.
 *
 * <pre>{@code
 * CacheConfig<String, String> config = CacheConfig.builder("greetings", PayloadCodec.utf8(), PayloadCodec.utf8())
 *     .build();
 * try (ReplicatedCache<String, String> cache = ReplicatedCache.create(cluster, config)) {
 *   cache.awaitReady(Duration.ofSeconds(30));
 *   cache.put("hello", "world");     // returns once every member applied it (SYNC)
 *   cache.get("hello");              // local read on any member
 * }
 * }</pre>
 *
 * <p><b>Ordering.</b> The coordinator of the current view (its oldest member) orders every write: it checks the
 * condition of conditional writes against its copy, gives the write a {@link Version} (epoch, sequence), applies it
 * and replicates it. Replicas apply a write only if its version is newer than what they hold, so late, duplicated or
 * reordered messages never overwrite newer data; removals leave versioned tombstones. Conditional writes
 * ({@link #putIfAbsent}, {@link #replace}, {@link #compute}) are therefore atomic cluster-wide.
 *
 * <p><b>Durability.</b> In {@link WriteMode#SYNC} a write returns after every member of the view applied it; a member
 * that is neither responsive nor removed from the view (suspected, paused) delays it by
 * {@link CacheConfig#replicationTimeout()}; the write then completes as soon as the view excludes that member, or fails
 * with {@link IndeterminateWriteException} once {@link CacheConfig#writeTimeout()} has passed since replication
 * began. If the coordinator fails, writes in flight are
 * retried at the next one with the same operation id (de-duplicated). A new coordinator first reads every member's
 * state and starts an epoch above every version it finds, so no version is issued twice.
 *
 * <p><b>Partitions.</b> See {@link PartitionMode}. Membership changes are observed through the {@link Cluster}.
 *
 * <p><b>Thread safety.</b> All methods are thread-safe. The future of an async variant runs the dependent stages
 * added before it completed on {@link java.util.concurrent.ForkJoinPool#commonPool()}, never on the cluster's
 * receiving threads; a compute function runs on the calling thread or on the common pool.
 *
 * <p><b>Lifecycle.</b> {@link #create} registers the cache on the cluster and starts receiving the current state from
 * the coordinator; reads before {@link #awaitReady} succeeded throw {@link CacheNotReadyException}. {@link #close()}
 * stops replication to and from this member (others keep their copies) and is idempotent; it does not close the
 * cluster.
 *
 * <p><b>Failures.</b> Writes throw {@link NoQuorumException}, {@link CacheFullException},
 * {@link ValueTooLargeException}, {@link CacheCodecException}, {@link CacheWriterException} or
 * {@link IndeterminateWriteException}; only the last leaves the outcome open. Null keys and values are rejected with
 * {@link NullPointerException}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface ReplicatedCache<K, V> extends AutoCloseable {

  /**
   * Creates this member's copy of a cache on a joined cluster.
   *
   * @param cluster the cluster, joined; the cache does not own it
   * @param config the configuration
   * @param <K> the key type
   * @param <V> the value type
   * @return the cache, filling from the coordinator in the background
   * @throws IllegalStateException if a cache of this name already exists on this cluster handle
   * @throws IllegalArgumentException if the config's {@link CacheConfig#maxMessageBytes()} exceeds the cluster's
   *     {@link Cluster#maxMessageBytes()}
   */
  static <K, V> ReplicatedCache<K, V> create(Cluster cluster, CacheConfig<K, V> config) {
    return DefaultReplicatedCache.create(cluster, config);
  }

  /**
   * Returns the configuration.
   *
   * @return the config
   */
  CacheConfig<K, V> config();

  /**
   * Waits until this member holds the cluster's state. In {@link PartitionMode#CONSISTENCY} the cluster's state is
   * what a quorum holds, so a member first becomes ready in a view with quorum (see
   * {@link io.dstk.membership.ClusterConfig.Builder#expectedMembers(int)}): the first members of a new cluster wait
   * until a majority of the expected members has joined, and a restarted member that came up alone waits until it
   * has merged with the majority and taken its state. A ready member that later loses quorum stays ready (and serves
   * reads if {@link CacheConfig#readsWithoutQuorum()}).
   *
   * @param timeout how long to wait
   * @return true if ready, false if the timeout passed first
   * @throws InterruptedException if interrupted
   */
  boolean awaitReady(Duration timeout) throws InterruptedException;

  /**
   * Returns whether this member holds the cluster's state and serves reads.
   *
   * @return true if ready
   */
  boolean isReady();

  /**
   * Returns the local value of a key.
   *
   * @param key the key
   * @return the value, or null (after the loader, if any, found none)
   * @throws CacheNotReadyException before this member is ready
   * @throws NoQuorumException without quorum when reads need it
   * @throws CacheCodecException if the stored bytes of this entry cannot be decoded
   */
  V get(K key);

  /**
   * Returns the local value and version of a key, or its tombstone.
   *
   * @param key the key
   * @return the value with its version, a deletion, or empty if this member knows nothing of the key
   */
  Optional<VersionedValue<V>> getVersioned(K key);

  /**
   * Returns the local values of several keys; absent keys are left out (the loader is not called).
   *
   * @param keys the keys
   * @return an immutable map
   */
  Map<K, V> getAll(Collection<? extends K> keys);

  /**
   * Stores a value.
   *
   * @param key the key
   * @param value the value
   */
  void put(K key, V value);

  /**
   * Stores a value if the key has none.
   *
   * @param key the key
   * @param value the value
   * @return true if stored, false if a value was present
   */
  boolean putIfAbsent(K key, V value);

  /**
   * Replaces the value if it currently equals {@code expected} (compared as encoded bytes).
   *
   * @param key the key
   * @param expected the expected current value
   * @param value the new value
   * @return true if replaced
   */
  boolean replace(K key, V expected, V value);

  /**
   * Removes a key.
   *
   * @param key the key
   * @return true if a value was present and removed
   */
  boolean remove(K key);

  /**
   * Atomically updates a key: reads the local value and version, computes the new value, and stores it only if the
   * key's version has not changed meanwhile at the coordinator, else recomputes with the newer value. The function
   * may therefore run several times and must have no side effects.
   *
   * @param key the key
   * @param function from (key, current value or null) to the new value, or null to remove
   * @return the stored value, or null if removed
   */
  V compute(K key, BiFunction<? super K, ? super V, ? extends V> function);

  /**
   * Removes every key this member holds, each as an ordered removal; keys written meanwhile by others may remain.
   * Fails like {@link #remove} with the first removal that failed (the others may have been applied).
   */
  void clear();

  /**
   * Returns the number of live entries on this member.
   *
   * @return the entry count
   */
  long size();

  /**
   * Returns a snapshot copy of this member's live entries (entries whose value cannot be decoded are left out).
   *
   * @return an immutable map
   * @throws CacheNotReadyException before this member is ready
   * @throws NoQuorumException without quorum when reads need it
   */
  Map<K, V> snapshot();

  /**
   * Async {@link #put}.
   *
   * @param key the key
   * @param value the value
   * @return completes when acknowledged
   */
  CompletableFuture<Void> putAsync(K key, V value);

  /**
   * Async {@link #putIfAbsent}.
   *
   * @param key the key
   * @param value the value
   * @return true if stored
   */
  CompletableFuture<Boolean> putIfAbsentAsync(K key, V value);

  /**
   * Async {@link #replace}.
   *
   * @param key the key
   * @param expected the expected value
   * @param value the new value
   * @return true if replaced
   */
  CompletableFuture<Boolean> replaceAsync(K key, V expected, V value);

  /**
   * Async {@link #remove}.
   *
   * @param key the key
   * @return true if removed
   */
  CompletableFuture<Boolean> removeAsync(K key);

  /**
   * Async {@link #compute}.
   *
   * @param key the key
   * @param function the update
   * @return the stored value, or null if removed
   */
  CompletableFuture<V> computeAsync(K key, BiFunction<? super K, ? super V, ? extends V> function);

  /**
   * Async {@link #clear}. There is no async {@code get}/{@code getAll}: reads are served from this member's memory.
   *
   * @return completes when every removal was acknowledged, or exceptionally with the first failure
   */
  CompletableFuture<Void> clearAsync();

  /**
   * Retries a write whose outcome was unknown, with its original operation id: if it was ordered before, it is not
   * applied again.
   *
   * @param failure the exception of the first attempt, thrown by this cache
   * @return completes when the write is acknowledged
   * @throws IllegalArgumentException if the exception did not come from this cache
   */
  CompletableFuture<Void> retry(IndeterminateWriteException failure);

  /**
   * Registers a listener.
   *
   * @param listener the listener
   * @return a handle whose {@code close()} removes the listener
   */
  Registration addListener(CacheListener<K, V> listener);

  /**
   * Returns this member's counters.
   *
   * @return a snapshot
   */
  CacheStats stats();

  /** Stops this member's copy; idempotent. */
  @Override
  void close();
}
