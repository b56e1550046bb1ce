package io.dstk.store;

import io.dstk.membership.Cluster;
import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A small strongly consistent store shared by the members of a {@link Cluster}: a versioned key/value map, counters
 * and leases with fencing epochs, replicated by jgroups-raft among a fixed set of voters.
 *
 * <pre>{@code
 * try (ClusterStore store = ClusterStore.open(cluster, StoreConfig.voters("a", "b", "c").build())) {
 *   long v = store.put("config", bytes);
 *   CasResult r = store.compareAndSet("config", v, newBytes);
 *   store.tryAcquire("leader", Duration.ofSeconds(10)).ifPresent(lease -> ...);
 * }
 * }</pre>
 *
 * <p><b>Consistency.</b> Every operation, reads included, goes through the raft log and is linearizable: it takes
 * effect at one instant between its call and its answer, and all members see the same order.
 *
 * <p><b>Voters and quorum.</b> The members named in {@link StoreConfig#voters()} run raft and hold the data; any other
 * member of the cluster uses the store through a voter, transparently. Only a side of a partition holding a majority
 * of the voters makes progress. On a side without one, operations fail at once with {@link NoQuorumException} and
 * {@link #hasQuorum()} is false; while a new leader is elected on a majority side, operations wait (within their
 * timeout) for it.
 *
 * <p><b>Synchronous and asynchronous.</b> Every operation has a blocking form and an {@code ...Async} form returning a
 * {@link CompletableFuture} that completes with the same result or fails with the exception the blocking form throws;
 * argument checks throw at the call in both forms.
 *
 * <p><b>Failure behaviour and retries.</b> Every operation is bounded by {@link StoreConfig#operationTimeout()} and
 * fails with {@link StoreTimeoutException} after it; an operation that timed out may or may not have been applied.
 * Within its timeout, a call is retried after a leader change, a lost leadership or a transport failure. Each write
 * (put, compareAndSet, delete, counter update, lease acquire, renew, release) carries a request id fixed for all its
 * attempts, and the voters remember the results of recent request ids ({@link StoreConfig#dedupMaxEntries()},
 * {@link StoreConfig#dedupMaxAge()}): a retry that reaches the log again returns the first result instead of being
 * applied twice. {@link NoQuorumException} means the operation was not applied, unless an earlier attempt of the same
 * call had reached a leader that then lost its majority: then, as after a timeout, it may have been applied.
 *
 * <p><b>Limits.</b> Keys and names are 1..256 UTF-8 bytes; values at most {@link StoreConfig#maxValueBytes()}; map
 * keys, counters and leases together at most {@link StoreConfig#maxKeys()} ({@link StoreLimitException}); lease TTLs
 * within {@link StoreConfig#minTtl()}..{@link StoreConfig#maxTtl()}. Bad arguments fail with
 * {@link IllegalArgumentException} or {@link NullPointerException} before anything is sent.
 *
 * <p><b>Thread safety and lifecycle.</b> All methods are thread-safe. Futures complete on the store's or the
 * cluster's threads: do not block in their callbacks. {@link #close()} is idempotent; it stops this member's voter
 * (if it is one) and fails pending operations; close the store before the cluster.
 */
public interface ClusterStore extends AutoCloseable {

  /**
   * Opens the store on a joined cluster. On a voter this starts its raft node (a JGroups channel of its own on the
   * cluster's bind address, protected like the cluster's channel: the same TLS socket factory, or encryption and
   * authentication with the same shared key) and returns without waiting for a leader.
   *
   * @param cluster the joined cluster
   * @param config the store configuration, the same on every member
   * @return the store
   * @throws StoreException if the raft node cannot start, or the cluster's protection cannot be given to it (a
   *     user's XML stack with {@code ASYM_ENCRYPT}, or {@code AUTH} without {@code SYM_ENCRYPT})
   */
  static ClusterStore open(Cluster cluster, StoreConfig config) {
    return DefaultClusterStore.open(cluster, config);
  }

  /**
   * Reads a key.
   *
   * @param key the key
   * @return the value and its version, or empty if absent
   */
  Optional<Versioned> get(String key);

  /**
   * Reads a key.
   *
   * @param key the key
   * @return a future of the value and version, or empty if absent
   */
  CompletableFuture<Optional<Versioned>> getAsync(String key);

  /**
   * Writes a key unconditionally.
   *
   * @param key the key
   * @param value the value (copied)
   * @return the new version
   * @throws StoreLimitException if the key is new and the store is full
   */
  long put(String key, byte[] value);

  /**
   * Writes a key unconditionally.
   *
   * @param key the key
   * @param value the value (copied)
   * @return a future of the new version
   */
  CompletableFuture<Long> putAsync(String key, byte[] value);

  /**
   * Writes a key if its current version is {@code expectedVersion} (0 = the key must be absent).
   *
   * @param key the key
   * @param expectedVersion the version read before, or 0 to create
   * @param value the value (copied)
   * @return whether it was written, with the new or the current version
   * @throws StoreLimitException if the key is new and the store is full
   */
  CasResult compareAndSet(String key, long expectedVersion, byte[] value);

  /**
   * Asynchronous {@link #compareAndSet}.
   *
   * @param key the key
   * @param expectedVersion the version read before, or 0 to create
   * @param value the value (copied)
   * @return a future of the outcome
   */
  CompletableFuture<CasResult> compareAndSetAsync(String key, long expectedVersion, byte[] value);

  /**
   * Deletes a key.
   *
   * @param key the key
   * @return the version of the deletion, or 0 if the key was absent
   */
  long delete(String key);

  /**
   * Deletes a key.
   *
   * @param key the key
   * @return a future of the version of the deletion, or 0 if the key was absent
   */
  CompletableFuture<Long> deleteAsync(String key);

  /**
   * Returns a typed view of the keys that start with {@code prefix}, with values encoded by {@code codec} (no round
   * trip). See {@link StoreMap}.
   *
   * @param prefix the key prefix, at most 255 UTF-8 bytes, may be empty
   * @param codec the value codec, e.g. {@link PayloadCodec#utf8()} or {@link PayloadCodec#longs()}
   * @param <T> the value type
   * @return the view
   * @throws IllegalArgumentException if the prefix is too long
   */
  default <T> StoreMap<T> map(String prefix, PayloadCodec<T> codec) {
    return new TypedStoreMap<>(this, prefix, codec);
  }

  /**
   * Returns a handle on a named counter (no round trip); a counter that was never written reads 0.
   *
   * @param name the counter name, 1..256 UTF-8 bytes
   * @return the handle
   */
  StoreCounter counter(String name);

  /**
   * Acquires a lease if nobody holds it, without waiting.
   *
   * @param name the lease name
   * @param ttl how long it lasts unless renewed, within the configured bounds
   * @return the lease, or empty if another holder has it
   */
  Optional<Lease> tryAcquire(String name, Duration ttl);

  /**
   * Asynchronous {@link #tryAcquire}.
   *
   * @param name the lease name
   * @param ttl the TTL
   * @return a future of the lease, or empty if another holder has it
   */
  CompletableFuture<Optional<Lease>> tryAcquireAsync(String name, Duration ttl);

  /**
   * Acquires a lease, waiting while another holder has it for at most the operation timeout
   * ({@link StoreConfig#operationTimeout()}); the same as {@code acquire(name, ttl, config().operationTimeout())}.
   *
   * @param name the lease name
   * @param ttl how long it lasts unless renewed, within the configured bounds
   * @return the lease, with its epoch and its holder-side expiry ({@link Lease#expiresAtNanos()})
   * @throws StoreTimeoutException if it could not be acquired within the operation timeout
   */
  default Lease acquire(String name, Duration ttl) {
    return acquire(name, ttl, config().operationTimeout());
  }

  /**
   * Asynchronous {@link #acquire(String, Duration)}.
   *
   * @param name the lease name
   * @param ttl the TTL
   * @return a future of the lease, failed with {@link StoreTimeoutException} if it could not be acquired within the
   *     operation timeout
   */
  default CompletableFuture<Lease> acquireAsync(String name, Duration ttl) {
    return acquireAsync(name, ttl, config().operationTimeout());
  }

  /**
   * Acquires a lease, retrying while another holder has it, for at most {@code maxWait}. The store does not notify
   * releases: attempts back off from 10 ms to 320 ms, never waiting past the current holder's expiry. Each attempt is
   * bounded by the operation timeout, so the call returns within about {@code maxWait} + the operation timeout.
   *
   * @param name the lease name
   * @param ttl the TTL
   * @param maxWait how long to keep trying
   * @return the lease
   * @throws StoreTimeoutException if it could not be acquired within {@code maxWait}
   * @throws IllegalArgumentException if {@code maxWait} is negative or null, or the name or TTL is out of bounds
   */
  Lease acquire(String name, Duration ttl, Duration maxWait);

  /**
   * Asynchronous {@link #acquire(String, Duration, Duration)}: the attempts run on the store's scheduler, no thread
   * waits.
   *
   * @param name the lease name
   * @param ttl the TTL
   * @param maxWait how long to keep trying
   * @return a future of the lease, failed with {@link StoreTimeoutException} if it could not be acquired within
   *     {@code maxWait}
   * @throws IllegalArgumentException if {@code maxWait} is negative or null, or the name or TTL is out of bounds
   */
  CompletableFuture<Lease> acquireAsync(String name, Duration ttl, Duration maxWait);

  /**
   * Reads who holds a lease, by the leader's clock.
   *
   * @param name the lease name
   * @return the holder and epoch, or empty if nobody holds it
   */
  Optional<LeaseInfo> leaseInfo(String name);

  /**
   * Asynchronous {@link #leaseInfo}.
   *
   * @param name the lease name
   * @return a future of the holder and epoch, or empty if nobody holds it
   */
  CompletableFuture<Optional<LeaseInfo>> leaseInfoAsync(String name);

  /**
   * Returns this store instance's holder id, unique per open: the node name and a random suffix.
   *
   * @return the holder id
   */
  String holderId();

  /**
   * Returns whether this member can currently reach a majority of the voters with a known leader (on a voter), or
   * sees a majority of the voters in its cluster view (on another member).
   *
   * @return whether operations can make progress from here
   */
  boolean hasQuorum();

  /**
   * Waits until {@link #hasQuorum()} is true, e.g. after opening the store while the voters start and elect a
   * leader.
   *
   * @param maxWait how long to wait at most
   * @return true if the store has quorum, false if {@code maxWait} passed first
   */
  boolean awaitQuorum(Duration maxWait);

  /**
   * Returns whether this member is one of the voters.
   *
   * @return true on a voter
   */
  boolean isVoter();

  /**
   * Returns the node name of the current raft leader as this member knows it.
   *
   * @return the leader's node name, or empty if none is known (always empty on a non-voter)
   */
  Optional<String> leader();

  /**
   * Returns counters and raft state.
   *
   * @return a snapshot
   */
  StoreStats stats();

  /**
   * Returns the configuration.
   *
   * @return the configuration
   */
  StoreConfig config();

  /** Stops this member's raft node if it is a voter, fails pending operations; idempotent. */
  @Override
  void close();
}
