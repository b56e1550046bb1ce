package io.dstk.cache;

import com.github.benmanes.caffeine.cache.Cache;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterView;
import io.dstk.membership.Member;
import io.dstk.membership.MembershipEvent;
import io.dstk.membership.Registration;
import io.dstk.membership.internal.ResponseFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The cache's front: the public API, the lifecycle and the routing of messages and views to the parts that do the
 * work.
 *
 *   LocalStore       this member's entries, tombstones, operation ids; version comparison under a striped lock
 *   WriteSubmitter   writer side of a write: to the coordinator, the acknowledgements of every member, resent until
 *                    writeTimeout
 *   WriteOrderer     coordinator side: condition check, writer, version assignment, local apply, APPLY to the hosts
 *   SyncReplicator   APPLY sending and receiving, ACK to the writer, PROBE answers
 *   OrdererFence     which member a replica accepts writes from
 *   StateTransfer    chunked DUMP/CHUNK pulls and INSTALL pushes of whole states
 *   Reconciler       view changes: reconciliation by a new coordinator, partition merges, joiners' pulls
 *   QuorumHistory    whether this member's partition had quorum before each merge (asked by the merge's coordinator)
 *   EventDispatcher  listener events on one thread
 *
 * Messages: one request endpoint per cache carries ORDER (answered ACCEPT at once, until the writer knows the
 * coordinator orders for this cache), DUMP, INSTALL, QUORUM and PROBE; a write topic carries the one-way ORDER,
 * APPLY, ACK, RESULT and BYE, so no messaging thread ever blocks on replication. A member without the cache answers
 * requests with "no handler", which the others treat as "does not host this cache".
 */
final class DefaultReplicatedCache<K, V> implements ReplicatedCache<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultReplicatedCache.class);
  /** Cache names open per cluster handle; weak keys, compared by identity (clusters do not override equals). */
  private static final Map<Cluster, Set<String>> OPEN = new WeakHashMap<>();

  private final CacheContext<K, V> ctx;
  private final Cluster cluster;
  private final CacheConfig<K, V> config;
  private final String openKey;
  private final boolean readsNeedQuorum;
  private final boolean hasLoader;
  private final CacheCounters counters;
  private final Readiness readiness;
  private final EventDispatcher<K, V> events;
  private final LocalStore<K, V> store;
  /** The store's Caffeine cache, read directly by {@code get}'s hit path. */
  private final Cache<K, StoredEntry> liveEntries;
  /** Whether a hit needs no check beyond readiness: entries do not expire and reads need no quorum. */
  private final boolean plainHits;
  private final StripedCounter hits;
  private final SyncReplicator<K, V> replicator;
  private final WriteOrderer<K, V> orderer;
  private final WriteSubmitter<K, V> submitter;
  private final StateTransfer<K, V> transfer;
  private final Reconciler<K, V> reconciler;
  private final QuorumHistory quorumHistory = new QuorumHistory();
  private final ExecutorService control;
  private final ScheduledThreadPoolExecutor timer;
  private final List<Registration> registrations = new ArrayList<>();
  private volatile long lastHandledViewId = -1;

  static <K, V> ReplicatedCache<K, V> create(Cluster cluster, CacheConfig<K, V> config) {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(config, "config");
    if (config.maxMessageBytes() > cluster.maxMessageBytes()) {
      throw new IllegalArgumentException("cache '" + config.name() + "': maxMessageBytes " + config.maxMessageBytes()
          + " exceeds the cluster's maxMessageBytes " + cluster.maxMessageBytes()
          + "; set the cache's maxMessageBytes (and maxValueBytes to fit) to the cluster's value");
    }
    String key = config.name();
    synchronized (OPEN) {
      if (!OPEN.computeIfAbsent(cluster, c -> new HashSet<>()).add(key)) {
        throw new IllegalStateException("a cache named '" + key + "' is already open on this cluster");
      }
    }
    try {
      DefaultReplicatedCache<K, V> c = new DefaultReplicatedCache<>(cluster, config, key);
      c.start();
      return c;
    } catch (RuntimeException | Error e) {
      release(cluster, key);
      throw e;
    }
  }

  private DefaultReplicatedCache(Cluster cluster, CacheConfig<K, V> config, String openKey) {
    this.ctx = new CacheContext<>(cluster, config);
    this.cluster = cluster;
    this.config = config;
    this.openKey = openKey;
    this.counters = ctx.counters;
    this.readsNeedQuorum = config.partitionMode() == PartitionMode.CONSISTENCY && !config.readsWithoutQuorum();
    // In CONSISTENCY mode the cluster's state is whatever a quorum holds: a member (a restarted one that came up
    // alone, say) becomes ready only in a view with quorum.
    this.readiness = new Readiness(config.partitionMode() == PartitionMode.CONSISTENCY ? cluster::hasQuorum : () -> true);
    this.hasLoader = config.loader().isPresent();
    String n = config.name();
    this.control = Executors.newSingleThreadExecutor(threads("dstk-cache-control-" + n));
    this.timer = new ScheduledThreadPoolExecutor(1, threads("dstk-cache-timer-" + n));
    timer.setRemoveOnCancelPolicy(true);
    this.events = new EventDispatcher<>(ctx);
    this.store = new LocalStore<>(ctx, events);
    this.liveEntries = store.liveEntries();
    this.plainHits = !store.entriesExpire() && !readsNeedQuorum;
    this.hits = counters.hits;
    OrdererFence fence = new OrdererFence();
    this.replicator = new SyncReplicator<>(ctx, store, fence);
    this.orderer = new WriteOrderer<>(ctx, store, replicator);
    this.submitter = new WriteSubmitter<>(ctx, orderer, replicator, timer);
    this.transfer = new StateTransfer<>(ctx, store, fence, readiness);
    this.reconciler = new Reconciler<>(ctx, store, orderer, transfer, readiness, events, quorumHistory);
  }

  static ThreadFactory threads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private void start() {
    registrations.add(cluster.serve(ctx.rpc, this::onRequest));
    // Write messages never block, so they are handled on the receiving JGroups thread (no hand-off on any of a SYNC
    // write's three legs), unless a CacheWriter is configured: the coordinator calls it while ordering.
    registrations.add(config.writer().isPresent() ? cluster.subscribe(ctx.writeTopic, this::onWrite)
        : cluster.subscribe(ctx.writeTopic, this::onWrite, Runnable::run));
    registrations.add(cluster.addListener(this::onMembership));
    quorumHistory.seed(cluster.view().id(), cluster.hasQuorum());
    long period = Math.max(1000, config.tombstoneRetention().toMillis() / 4);
    timer.scheduleWithFixedDelay(store::purgeTombstones, period, period, TimeUnit.MILLISECONDS);
    control.execute(() -> reconciler.handleView(cluster.view(), null, true));
  }

  private byte[] onRequest(Member from, byte[] message) {
    int type = Wire.type(message);
    return switch (type) {
      case Wire.ORDER -> orderer.onOrderRequest(from, message);
      case Wire.DUMP -> {
        orderer.addHost(from); // before the snapshot: every write is in it or sent to the puller
        yield transfer.onDump(from, message);
      }
      case Wire.INSTALL -> transfer.onInstall(from, message);
      case Wire.QUORUM -> quorumHistory.onQuery(message);
      case Wire.PROBE -> replicator.onProbe(message);
      default -> throw new IllegalArgumentException("unknown cache request type " + type);
    };
  }

  private void onWrite(Member from, byte[] message) {
    int type = Wire.type(message);
    switch (type) {
      case Wire.ORDER -> orderer.onOrder(from, message);
      case Wire.APPLY -> {
        SyncReplicator.OwnApply own = replicator.onApply(from, message);
        if (own != null) {
          submitter.onOwnApply(from, own);
        }
      }
      case Wire.ACK -> submitter.onAck(from, message);
      case Wire.RESULT -> submitter.onResult(from, message);
      case Wire.BYE -> orderer.removeHost(from);
      default -> throw new IllegalArgumentException("unknown cache message type " + type);
    }
  }

  private void onMembership(MembershipEvent event) {
    if (ctx.closed.get()) {
      return;
    }
    quorumHistory.onEvent(event);
    ClusterView view = event.newView();
    orderer.onView(view);
    submitter.onView(view);
    List<List<Member>> subgroups = event instanceof MembershipEvent.PartitionHealed h ? h.subgroups() : null;
    if (subgroups == null && view.id() == lastHandledViewId) {
      return;
    }
    lastHandledViewId = view.id();
    try {
      control.execute(() -> reconciler.handleView(cluster.view(), subgroups, false));
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  private void checkReadable() {
    if (!readiness.ready || readsNeedQuorum && !cluster.hasQuorum()) {
      failRead();
    }
  }

  private void failRead() {
    if (!readiness.ready) {
      throw new CacheNotReadyException("cache '" + config.name() + "' on '" + cluster.self().name()
          + "' has not received the cluster's state yet");
    }
    throw new NoQuorumException("cache '" + config.name() + "': this member's partition has no quorum");
  }

  @Override
  public V get(K key) {
    // the hit path touches only what a raw Caffeine read does, plus the entry, the readiness flag and the hit counter
    StoredEntry e = liveEntries.getIfPresent(Objects.requireNonNull(key, "key"));
    if (e != null && plainHits && readiness.ready) {
      Object d = e.decoded;
      if (d != StoredEntry.UNDECODED) {
        hits.increment();
        @SuppressWarnings("unchecked")
        V v = (V) d;
        return v;
      }
    }
    return getOtherwise(key, e);
  }

  /**
   * The rest of {@link #get}, kept out of its hot path: refusals, quorum-checked reads, expiry, first decoding, misses
   * and the loader.
   */
  private V getOtherwise(K key, StoredEntry found) {
    checkReadable();
    StoredEntry e = store.unexpired(found);
    if (e != null) {
      hits.increment();
      return store.decode(e);
    }
    counters.misses.increment();
    return hasLoader ? load(key) : null;
  }

  private V load(K key) {
    V v;
    try {
      v = config.loader().orElseThrow().load(key);
    } catch (Exception e) {
      throw new CacheException("loader of cache '" + config.name() + "' failed for key " + key, e);
    }
    if (v != null) {
      putIfAbsentAsync(key, v).whenComplete((r, err) -> {
        if (err != null) {
          LOG.debug("cache '{}': could not store the loaded value of {}", config.name(), key, err);
        }
      });
    }
    return v;
  }

  @Override
  public Optional<VersionedValue<V>> getVersioned(K key) {
    Objects.requireNonNull(key, "key");
    checkReadable();
    StoredEntry e = store.current(key);
    if (e == null) {
      return Optional.empty();
    }
    return Optional.of(new VersionedValue<>(e.tomb() ? null : store.decode(e), e.version));
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    checkReadable();
    Map<K, V> out = new LinkedHashMap<>();
    for (K k : keys) {
      StoredEntry e = store.live(Objects.requireNonNull(k, "key"));
      if (e != null) {
        hits.increment();
        out.put(k, store.decode(e));
      } else {
        counters.misses.increment();
      }
    }
    return Map.copyOf(out);
  }

  @Override
  public long size() {
    return store.size();
  }

  @Override
  public Map<K, V> snapshot() {
    checkReadable();
    return store.snapshot();
  }

  // ---- writes -----------------------------------------------------------------------------------------------------

  private <T> CompletableFuture<T> failed(RuntimeException e) {
    counters.rejections.increment();
    return CompletableFuture.failedFuture(e);
  }

  @Override
  public CompletableFuture<Void> putAsync(K key, V value) {
    WriteOp op;
    try {
      op = new WriteOp(ctx.newOpId(), ctx.encodeKey(key), WriteOp.COND_NONE, null, null,
          ctx.encodeValue(value, "value"));
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    return user(submitter.submit(op).thenApply(r -> {
      counters.puts.increment();
      return null;
    }));
  }

  @Override
  public CompletableFuture<Boolean> putIfAbsentAsync(K key, V value) {
    WriteOp op;
    try {
      op = new WriteOp(ctx.newOpId(), ctx.encodeKey(key), WriteOp.COND_ABSENT, null, null,
          ctx.encodeValue(value, "value"));
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    return user(submitter.submit(op).thenApply(r -> countPut(r.status() == WriteResult.APPLIED)));
  }

  @Override
  public CompletableFuture<Boolean> replaceAsync(K key, V expected, V value) {
    WriteOp op;
    try {
      op = new WriteOp(ctx.newOpId(), ctx.encodeKey(key), WriteOp.COND_VALUE,
          ctx.encodeValue(expected, "expected"), null, ctx.encodeValue(value, "value"));
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    return user(submitter.submit(op).thenApply(r -> countPut(r.status() == WriteResult.APPLIED)));
  }

  private boolean countPut(boolean applied) {
    if (applied) {
      counters.puts.increment();
    }
    return applied;
  }

  @Override
  public CompletableFuture<Boolean> removeAsync(K key) {
    WriteOp op;
    try {
      op = new WriteOp(ctx.newOpId(), ctx.encodeKey(key), WriteOp.COND_PRESENT, null, null, null);
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    return user(submitter.submit(op).thenApply(r -> {
      if (r.status() == WriteResult.APPLIED) {
        counters.removals.increment();
        return true;
      }
      return false;
    }));
  }

  @Override
  public CompletableFuture<V> computeAsync(K key, BiFunction<? super K, ? super V, ? extends V> function) {
    Objects.requireNonNull(function, "function");
    byte[] keyBytes;
    try {
      keyBytes = ctx.encodeKey(key);
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    StoredEntry cur = store.current(key);
    CompletableFuture<V> result = new CompletableFuture<>();
    computeAttempt(key, keyBytes, function, cur == null ? Version.ZERO : cur.version,
        cur == null || cur.tomb() ? null : store.decode(cur), ctx.now() + config.writeTimeout().toNanos(), result);
    return user(result);
  }

  /** One optimistic round of compute: "store f(old) if the key's version is still {@code seen}", else recompute. */
  private void computeAttempt(K key, byte[] keyBytes, BiFunction<? super K, ? super V, ? extends V> function,
      Version seen, V old, long deadline, CompletableFuture<V> result) {
    V next;
    byte[] nextBytes;
    try {
      next = function.apply(key, old);
      nextBytes = next == null ? null : ctx.encodeValue(next, "computed value");
    } catch (RuntimeException e) {
      counters.rejections.increment();
      result.completeExceptionally(e);
      return;
    }
    if (next == null && old == null) {
      result.complete(null);
      return;
    }
    WriteOp op = new WriteOp(ctx.newOpId(), keyBytes, WriteOp.COND_VERSION, null, seen, nextBytes);
    // on the common pool: a conflict runs the caller's function again, which must not run on a JGroups thread
    submitter.submit(op).whenCompleteAsync((r, err) -> {
      if (err != null) {
        result.completeExceptionally(CacheContext.unwrap(err));
      } else if (r.status() == WriteResult.APPLIED) {
        if (next == null) {
          counters.removals.increment();
        } else {
          counters.puts.increment();
        }
        result.complete(next);
      } else if (ctx.now() - deadline > 0) {
        result.completeExceptionally(new CacheException("compute on cache '" + config.name()
            + "' kept conflicting with concurrent writes until writeTimeout " + config.writeTimeout()));
      } else {
        V current;
        try {
          current = r.tomb() ? null : ctx.valueCodec.decode(r.value());
        } catch (RuntimeException e) {
          result.completeExceptionally(new CacheCodecException("cache '" + config.name()
              + "': current value cannot be decoded: " + e.getMessage(), e));
          return;
        }
        computeAttempt(key, keyBytes, function, r.version(), current, deadline, result);
      }
    }, ForkJoinPool.commonPool());
  }

  @Override
  public CompletableFuture<Void> retry(IndeterminateWriteException failure) {
    Objects.requireNonNull(failure, "failure");
    if (!(failure.operation() instanceof WriteOp op) || op.id().hi() != ctx.instanceId) {
      throw new IllegalArgumentException("exception for operation " + failure.operationId()
          + " was not thrown by this cache");
    }
    return user(submitter.submit(op).thenApply(r -> null));
  }

  @Override
  public void put(K key, V value) {
    join(putAsync(key, value));
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    return join(putIfAbsentAsync(key, value));
  }

  @Override
  public boolean replace(K key, V expected, V value) {
    return join(replaceAsync(key, expected, value));
  }

  @Override
  public boolean remove(K key) {
    return join(removeAsync(key));
  }

  @Override
  public V compute(K key, BiFunction<? super K, ? super V, ? extends V> function) {
    return join(computeAsync(key, function));
  }

  @Override
  public void clear() {
    join(clearAsync());
  }

  @Override
  public CompletableFuture<Void> clearAsync() {
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (K k : store.liveKeys()) {
      all.add(removeAsync(k));
    }
    return user(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));
  }

  /**
   * The future handed to the caller: completed by whichever thread completes the write (a JGroups thread, so that a
   * caller blocked in get() wakes without a hand-off), while the caller's own dependent stages run on the common pool.
   */
  private static <T> CompletableFuture<T> user(CompletableFuture<T> internal) {
    ResponseFuture<T> f = ResponseFuture.on(ForkJoinPool.commonPool());
    internal.whenComplete((v, e) -> {
      if (e == null) {
        f.complete(v);
      } else {
        f.completeExceptionally(CacheContext.unwrap(e));
      }
    });
    return f;
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted while waiting for a write", e);
    } catch (ExecutionException e) {
      Throwable t = CacheContext.unwrap(e);
      if (t instanceof RuntimeException r) {
        throw r;
      }
      if (t instanceof Error err) {
        throw err;
      }
      throw new CacheException("write failed", t);
    }
  }

  // ---- the rest ---------------------------------------------------------------------------------------------------

  @Override
  public CacheConfig<K, V> config() {
    return config;
  }

  @Override
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return readiness.await(timeout);
  }

  @Override
  public boolean isReady() {
    return readiness.ready;
  }

  @Override
  public Registration addListener(CacheListener<K, V> listener) {
    Objects.requireNonNull(listener, "listener");
    events.add(listener);
    return () -> events.remove(listener);
  }

  @Override
  public CacheStats stats() {
    return counters.snapshot(store.size(), store.weight(), store.tombstones());
  }

  @Override
  public void close() {
    if (!ctx.closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Member coordinator = cluster.coordinator();
      if (!coordinator.equals(cluster.self())) {
        cluster.send(coordinator, ctx.writeTopic, Wire.message(Wire.BYE, 2).toArray()); // stop sending writes here
      }
    } catch (RuntimeException e) {
      LOG.debug("cache '{}': could not tell the coordinator that this member closes the cache", config.name(), e);
    }
    for (Registration r : registrations) {
      try {
        r.close();
      } catch (RuntimeException e) {
        LOG.debug("cache '{}': unregistering failed", config.name(), e);
      }
    }
    submitter.close();
    control.shutdownNow();
    timer.shutdownNow();
    events.shutdown();
    release(cluster, openKey);
  }

  private static void release(Cluster cluster, String name) {
    synchronized (OPEN) {
      Set<String> names = OPEN.get(cluster);
      if (names != null) {
        names.remove(name);
      }
    }
  }

  /** Test hook: this member's replication ends. */
  SyncReplicator<K, V> replicator() {
    return replicator;
  }

  @Override
  public String toString() {
    return "ReplicatedCache[" + config.name() + " on " + cluster.self().name() + ", " + size() + " entries]";
  }
}
