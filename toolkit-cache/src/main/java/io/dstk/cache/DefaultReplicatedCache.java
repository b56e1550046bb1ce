package io.dstk.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.dstk.cache.Wire.In;
import io.dstk.cache.Wire.Out;
import io.dstk.cache.Wire.WireEntry;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterView;
import io.dstk.membership.Endpoint;
import io.dstk.membership.Member;
import io.dstk.membership.MemberUnavailableException;
import io.dstk.membership.MembershipEvent;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.Registration;
import io.dstk.membership.RemoteHandlerException;
import io.dstk.membership.RequestPolicy;
import io.dstk.membership.RequestTimeoutException;
import io.dstk.membership.StaleViewException;
import io.dstk.membership.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * Ordering: the coordinator of the current view orders every write (one orderer for all keys: simple, and the
 * membership layer already elects exactly one per partition). Per key, a striped lock makes "check condition, assign
 * version, apply locally" atomic; replication runs outside the lock. Versions are (epoch, sequence); a coordinator
 * starts serving writes only after a reconciliation ("sync") that reads every member's state and sets its epoch above
 * every version seen, so versions are never reused.
 *
 * Messages: one request endpoint per cache carries ORDER (answered ACCEPT at once; the result follows on a topic so no
 * messaging thread ever blocks), APPLY, DUMP and INSTALL; the result topic carries RESULT. A member without the cache
 * answers "no handler", which the orderer treats as "does not host this cache".
 *
 * Storage: live entries in Caffeine (bounded in EVICT mode), tombstones in a map purged after their retention. Values
 * are kept as their encoded bytes and decoded lazily on first read, so replication never runs a value codec.
 */
final class DefaultReplicatedCache<K, V> implements ReplicatedCache<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultReplicatedCache.class);
  /** Cache names open per cluster handle; weak keys, compared by identity (clusters do not override equals). */
  private static final Map<Cluster, Set<String>> OPEN = new WeakHashMap<>();
  private static final int STRIPES = 256;

  // ORDER conditions
  static final int COND_NONE = 0;
  static final int COND_ABSENT = 1;
  static final int COND_VALUE = 2;
  static final int COND_VERSION = 3;
  static final int COND_PRESENT = 4;

  // RESULT statuses
  static final int APPLIED = 0;
  static final int CONDITION_FAILED = 1;
  static final int NOT_READY = 2;
  static final int NO_QUORUM = 3;
  static final int FULL = 4;
  static final int INDETERMINATE = 5;
  static final int WRITER_FAILED = 6;
  static final int CODEC_FAILED = 7;
  static final int BUSY = 8;
  static final int RETRY = 9;

  private static final Object UNDECODED = new Object();

  /** One stored entry: a value (bytes, lazily decoded) or a tombstone, with its version and operation id. */
  static final class Entry {
    final Version version;
    final byte[] bytes;
    final long opHi;
    final long opLo;
    final long bornNanos;
    volatile Object decoded = UNDECODED;

    Entry(Version version, byte[] bytes, long opHi, long opLo, long bornNanos) {
      this.version = version;
      this.bytes = bytes;
      this.opHi = opHi;
      this.opLo = opLo;
      this.bornNanos = bornNanos;
    }

    boolean tomb() {
      return bytes == null;
    }
  }

  record OpId(long hi, long lo) {
    @Override
    public String toString() {
      return String.format("%016x%016x", hi, lo);
    }
  }

  /** A write to order. {@code key} is null when the op arrived from another member. */
  record Op<K>(OpId id, K key, byte[] keyBytes, int cond, byte[] expected, Version expectedVersion, byte[] value) {}

  record Result(int status, Version version, byte[] value, boolean tomb, String message) {
    static Result of(int status, String message) {
      return new Result(status, Version.ZERO, null, true, message);
    }
  }

  private final Cluster cluster;
  private final CacheConfig<K, V> config;
  private final PayloadCodec<K> keyCodec;
  private final PayloadCodec<V> valueCodec;
  private final String openKey;
  private final Endpoint<byte[], byte[]> rpc;
  private final Topic<byte[]> resultTopic;
  private final Cache<K, Entry> live;
  private final ConcurrentHashMap<K, Entry> tombs = new ConcurrentHashMap<>();
  private final Object[] stripes = new Object[STRIPES];
  private final AtomicLong rejectWeight = new AtomicLong();
  private final long instanceId = UUID.randomUUID().getMostSignificantBits();
  private final AtomicLong opCounter = new AtomicLong();
  private final AtomicLong reqCounter = new AtomicLong();
  private final Cache<OpId, Version> recentOps;
  private final ConcurrentHashMap<OpId, CompletableFuture<Result>> inflight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, PendingResult> pendingResults = new ConcurrentHashMap<>();
  private final Cache<String, List<Map.Entry<K, Entry>>> dumpSessions;
  private final Semaphore permits;
  private final RequestPolicy replicationPolicy;
  private final RequestPolicy transferPolicy;
  private final ExecutorService control;
  private final ScheduledExecutorService timer;
  private final ThreadPoolExecutor events;
  private final List<CacheListener<K, V>> listeners = new CopyOnWriteArrayList<>();
  private final List<Registration> registrations = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ReentrantReadWriteLock fenceLock = new ReentrantReadWriteLock();
  private volatile Member fence;
  private final boolean readsNeedQuorum;
  private final boolean hasLoader;

  private volatile boolean ready;
  private volatile CountDownLatch readyLatch = new CountDownLatch(1);
  private volatile boolean orderingReady;
  private volatile long readyViewId = -1;
  private volatile long epoch;
  private final AtomicLong sequence = new AtomicLong();
  private volatile long lastHandledViewId = -1;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder removals = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder rejections = new LongAdder();
  private final LongAdder indeterminate = new LongAdder();
  private final LongAdder replicationCount = new LongAdder();
  private final LongAdder replicationNanos = new LongAdder();
  private final LongAdder transferBytes = new LongAdder();
  private final LongAdder transferNanos = new LongAdder();
  private final LongAdder droppedEvents = new LongAdder();

  private record PendingResult(String target, CompletableFuture<Result> future) {}

  static <K, V> ReplicatedCache<K, V> create(Cluster cluster, CacheConfig<K, V> config) {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(config, "config");
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
    this.cluster = cluster;
    this.config = config;
    this.openKey = openKey;
    this.keyCodec = config.keyCodec();
    this.readsNeedQuorum = config.partitionMode() == PartitionMode.CONSISTENCY && !config.readsWithoutQuorum();
    this.hasLoader = config.loader().isPresent();
    this.valueCodec = config.valueCodec();
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    String n = config.name();
    this.rpc = Endpoint.of("dstk.cache." + n, PayloadCodec.bytes(), PayloadCodec.bytes());
    this.resultTopic = Topic.of("dstk.cache." + n + ".result", PayloadCodec.bytes());
    Caffeine<Object, Object> b = Caffeine.newBuilder().executor(Runnable::run)
        .ticker(config.ticker()::getAsLong);
    if (config.fullPolicy() == FullPolicy.EVICT) {
      if (config.maximumWeight() > 0) {
        Weigher<K, V> w = config.weigher().orElseThrow();
        b.maximumWeight(config.maximumWeight());
        Caffeine<K, Entry> typed = b.<K, Entry>weigher((k, e) -> weightOf(w, k, e));
        this.live = withExpiry(typed).evictionListener(this::onEvicted).build();
      } else {
        b.maximumSize(config.maximumSize());
        this.live = withExpiry(b.<K, Entry>evictionListener(this::onEvicted)).build();
      }
    } else {
      this.live = withExpiry(b.<K, Entry>evictionListener(this::onEvicted)).build();
    }
    this.recentOps = Caffeine.newBuilder().expireAfterWrite(config.operationIdRetention())
        .maximumSize(1_000_000).executor(Runnable::run).ticker(config.ticker()::getAsLong).build();
    this.dumpSessions = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(2)).maximumSize(64)
        .executor(Runnable::run).ticker(config.ticker()::getAsLong).build();
    this.permits = new Semaphore(config.maxPendingWrites());
    RequestPolicy base = RequestPolicy.defaults().withCircuitBreaker(0, Duration.ofSeconds(1));
    this.replicationPolicy = base.withTimeout(config.replicationTimeout());
    this.transferPolicy = base.withTimeout(config.writeTimeout());
    this.control = Executors.newSingleThreadExecutor(threads("dstk-cache-control-" + n));
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, threads("dstk-cache-timer-" + n));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    this.events = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000),
        threads("dstk-cache-events-" + n), (r, ex) -> droppedEvents.increment());
  }

  private Caffeine<K, Entry> withExpiry(Caffeine<K, Entry> b) {
    config.expireAfterWrite().ifPresent(b::expireAfterWrite);
    return b;
  }

  private int weightOf(Weigher<K, V> w, K k, Entry e) {
    V v = decodeOrNull(e);
    int weight = v == null ? e.bytes.length : w.weigh(k, v);
    if (weight < 0) {
      throw new IllegalArgumentException("weigher returned a negative weight for key " + k + ": " + weight);
    }
    return weight;
  }

  private static ThreadFactory threads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private void start() {
    registrations.add(cluster.serve(rpc, this::onRequest));
    registrations.add(cluster.subscribe(resultTopic, this::onResult));
    registrations.add(cluster.addListener(this::onMembership));
    long period = Math.max(1000, config.tombstoneRetention().toMillis() / 4);
    timer.scheduleWithFixedDelay(this::purgeTombstones, period, period, TimeUnit.MILLISECONDS);
    control.execute(() -> handleView(cluster.view(), null, true));
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  private void checkReadable() {
    if (!ready || readsNeedQuorum && !cluster.hasQuorum()) {
      failRead();
    }
  }

  private void failRead() {
    if (!ready) {
      throw new CacheNotReadyException("cache '" + config.name() + "' on '" + cluster.self().name()
          + "' has not received the cluster's state yet");
    }
    throw new NoQuorumException("cache '" + config.name() + "': this member's partition has no quorum");
  }

  @Override
  public V get(K key) {
    Objects.requireNonNull(key, "key");
    checkReadable();
    Entry e = live.getIfPresent(key);
    if (e != null) {
      hits.increment();
      return decode(e);
    }
    misses.increment();
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

  @SuppressWarnings("unchecked")
  private V decode(Entry e) {
    Object d = e.decoded;
    if (d != UNDECODED) {
      return (V) d;
    }
    try {
      V v = valueCodec.decode(e.bytes);
      e.decoded = v;
      return v;
    } catch (RuntimeException ex) {
      throw new CacheCodecException("cache '" + config.name() + "': stored value of version " + e.version
          + " cannot be decoded: " + ex.getMessage(), ex);
    }
  }

  private V decodeOrNull(Entry e) {
    try {
      return decode(e);
    } catch (CacheCodecException ex) {
      return null;
    }
  }

  @Override
  public Optional<VersionedValue<V>> getVersioned(K key) {
    Objects.requireNonNull(key, "key");
    checkReadable();
    Entry e = current(key);
    if (e == null) {
      return Optional.empty();
    }
    return Optional.of(new VersionedValue<>(e.tomb() ? null : decode(e), e.version));
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    checkReadable();
    Map<K, V> out = new LinkedHashMap<>();
    for (K k : keys) {
      Entry e = live.getIfPresent(Objects.requireNonNull(k, "key"));
      if (e != null) {
        hits.increment();
        out.put(k, decode(e));
      } else {
        misses.increment();
      }
    }
    return Map.copyOf(out);
  }

  @Override
  public long size() {
    return live.estimatedSize();
  }

  @Override
  public Map<K, V> snapshot() {
    checkReadable();
    Map<K, V> out = new LinkedHashMap<>();
    live.asMap().forEach((k, e) -> {
      V v = decodeOrNull(e);
      if (v != null) {
        out.put(k, v);
      }
    });
    return Map.copyOf(out);
  }

  private Entry current(K key) {
    Entry e = live.getIfPresent(key);
    return e != null ? e : tombs.get(key);
  }

  // ---- writes: the caller's side ----------------------------------------------------------------------------------

  private byte[] encodeKey(K key) {
    Objects.requireNonNull(key, "key");
    byte[] b;
    try {
      b = keyCodec.encode(key);
    } catch (RuntimeException e) {
      throw new CacheCodecException("cache '" + config.name() + "': key codec failed: " + e.getMessage(), e);
    }
    if (b.length > Wire.MAX_KEY_BYTES) {
      throw new ValueTooLargeException("key of " + b.length + " bytes exceeds " + Wire.MAX_KEY_BYTES + " bytes");
    }
    return b;
  }

  private byte[] encodeValue(V value, String name) {
    Objects.requireNonNull(value, name);
    byte[] b;
    try {
      b = valueCodec.encode(value);
    } catch (RuntimeException e) {
      throw new CacheCodecException("cache '" + config.name() + "': value codec failed: " + e.getMessage(), e);
    }
    if (b.length > config.maxValueBytes()) {
      throw new ValueTooLargeException(name + " of " + b.length + " bytes exceeds maxValueBytes "
          + config.maxValueBytes());
    }
    return b;
  }

  private OpId newOpId() {
    return new OpId(instanceId, opCounter.incrementAndGet());
  }

  private <T> CompletableFuture<T> failed(RuntimeException e) {
    rejections.increment();
    return CompletableFuture.failedFuture(e);
  }

  @Override
  public CompletableFuture<Void> putAsync(K key, V value) {
    Op<K> op;
    try {
      op = new Op<>(newOpId(), key, encodeKey(key), COND_NONE, null, null, encodeValue(value, "value"));
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    return submit(op).thenApply(r -> {
      puts.increment();
      return null;
    });
  }

  @Override
  public CompletableFuture<Boolean> putIfAbsentAsync(K key, V value) {
    Op<K> op;
    try {
      op = new Op<>(newOpId(), key, encodeKey(key), COND_ABSENT, null, null, encodeValue(value, "value"));
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    return submit(op).thenApply(r -> countPut(r.status() == APPLIED));
  }

  @Override
  public CompletableFuture<Boolean> replaceAsync(K key, V expected, V value) {
    Op<K> op;
    try {
      op = new Op<>(newOpId(), key, encodeKey(key), COND_VALUE, encodeValue(expected, "expected"), null,
          encodeValue(value, "value"));
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    return submit(op).thenApply(r -> countPut(r.status() == APPLIED));
  }

  private boolean countPut(boolean applied) {
    if (applied) {
      puts.increment();
    }
    return applied;
  }

  @Override
  public CompletableFuture<Boolean> removeAsync(K key) {
    Op<K> op;
    try {
      op = new Op<>(newOpId(), key, encodeKey(key), COND_PRESENT, null, null, null);
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    return submit(op).thenApply(r -> {
      if (r.status() == APPLIED) {
        removals.increment();
        return true;
      }
      return false;
    });
  }

  @Override
  public CompletableFuture<V> computeAsync(K key, BiFunction<? super K, ? super V, ? extends V> function) {
    Objects.requireNonNull(function, "function");
    byte[] keyBytes;
    try {
      keyBytes = encodeKey(key);
    } catch (CacheException | IllegalArgumentException e) {
      return failed(e);
    }
    Entry cur = current(key);
    CompletableFuture<V> result = new CompletableFuture<>();
    computeAttempt(key, keyBytes, function, cur == null ? Version.ZERO : cur.version,
        cur == null || cur.tomb() ? null : decode(cur), config.ticker().getAsLong()
            + config.writeTimeout().toNanos(), result);
    return result;
  }

  private void computeAttempt(K key, byte[] keyBytes, BiFunction<? super K, ? super V, ? extends V> function,
      Version seen, V old, long deadline, CompletableFuture<V> result) {
    V next;
    byte[] nextBytes;
    try {
      next = function.apply(key, old);
      nextBytes = next == null ? null : encodeValue(next, "computed value");
    } catch (RuntimeException e) {
      rejections.increment();
      result.completeExceptionally(e);
      return;
    }
    if (next == null && old == null) {
      result.complete(null);
      return;
    }
    Op<K> op = new Op<>(newOpId(), key, keyBytes, COND_VERSION, null, seen, nextBytes);
    submit(op).whenComplete((r, err) -> {
      if (err != null) {
        result.completeExceptionally(unwrap(err));
      } else if (r.status() == APPLIED) {
        if (next == null) {
          removals.increment();
        } else {
          puts.increment();
        }
        result.complete(next);
      } else if (config.ticker().getAsLong() - deadline > 0) {
        result.completeExceptionally(new CacheException("compute on cache '" + config.name()
            + "' kept conflicting with concurrent writes until writeTimeout " + config.writeTimeout()));
      } else {
        V current;
        try {
          current = r.tomb() ? null : valueCodec.decode(r.value());
        } catch (RuntimeException e) {
          result.completeExceptionally(new CacheCodecException("cache '" + config.name()
              + "': current value cannot be decoded: " + e.getMessage(), e));
          return;
        }
        computeAttempt(key, keyBytes, function, r.version(), current, deadline, result);
      }
    });
  }

  @Override
  public CompletableFuture<Void> retry(IndeterminateWriteException failure) {
    Objects.requireNonNull(failure, "failure");
    if (!(failure.operation() instanceof Op<?> op) || op.id().hi() != instanceId) {
      throw new IllegalArgumentException("exception for operation " + failure.operationId()
          + " was not thrown by this cache");
    }
    @SuppressWarnings("unchecked")
    Op<K> typed = (Op<K>) op;
    return submit(typed).thenApply(r -> null);
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
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (K k : new ArrayList<>(live.asMap().keySet())) {
      all.add(removeAsync(k));
    }
    join(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted while waiting for a write", e);
    } catch (ExecutionException e) {
      Throwable t = unwrap(e);
      if (t instanceof RuntimeException r) {
        throw r;
      }
      if (t instanceof Error err) {
        throw err;
      }
      throw new CacheException("write failed", t);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Sends a write to the orderer, retrying on a lost or busy orderer until the write timeout. */
  private CompletableFuture<Result> submit(Op<K> op) {
    CompletableFuture<Result> out = new CompletableFuture<>();
    attempt(op, config.ticker().getAsLong() + config.writeTimeout().toNanos(), out);
    return out.handle((r, err) -> {
      if (err != null) {
        Throwable t = unwrap(err);
        if (t instanceof IndeterminateWriteException) {
          indeterminate.increment();
        } else {
          rejections.increment();
        }
        throw t instanceof RuntimeException re ? re : new CompletionException(t);
      }
      return r;
    });
  }

  private void attempt(Op<K> op, long deadline, CompletableFuture<Result> out) {
    if (closed.get()) {
      out.completeExceptionally(new CacheException("cache '" + config.name() + "' is closed"));
      return;
    }
    if (config.partitionMode() == PartitionMode.CONSISTENCY && !cluster.hasQuorum()) {
      out.completeExceptionally(new NoQuorumException("cache '" + config.name() + "': this member's partition ("
          + cluster.members().size() + " members) has no quorum; writes are refused"));
      return;
    }
    Member coordinator = cluster.coordinator();
    CompletableFuture<Result> r;
    if (coordinator.equals(cluster.self())) {
      r = order(op, cluster.self());
    } else {
      r = new CompletableFuture<>();
      long req = reqCounter.incrementAndGet();
      PendingResult pending = new PendingResult(coordinator.name(), r);
      pendingResults.put(req, pending);
      CompletableFuture<Result> resultFuture = r;
      resultFuture.whenComplete((x, e) -> pendingResults.remove(req, pending));
      cluster.request(coordinator, rpc, encodeOrder(req, op), replicationPolicy).whenComplete((ack, err) -> {
        if (err == null) {
          return; // accepted: the result follows on the result topic
        }
        Throwable t = unwrap(err);
        if (t instanceof RemoteHandlerException && String.valueOf(t.getMessage()).contains("no handler")) {
          resultFuture.complete(Result.of(RETRY, "coordinator does not host the cache yet"));
        } else {
          resultFuture.complete(Result.of(RETRY, String.valueOf(t)));
        }
      });
      long wait = Math.max(1, deadline - config.ticker().getAsLong());
      try {
        ScheduledFuture<?> expiry = timer.schedule(
            () -> resultFuture.complete(Result.of(RETRY, "no result from the coordinator in time")), wait,
            TimeUnit.NANOSECONDS);
        resultFuture.whenComplete((x, e) -> expiry.cancel(false));
      } catch (RejectedExecutionException e) {
        resultFuture.complete(Result.of(RETRY, "closed"));
      }
    }
    r.whenComplete((result, err) -> {
      if (err != null) {
        out.completeExceptionally(err);
        return;
      }
      switch (result.status()) {
        case APPLIED, CONDITION_FAILED -> out.complete(result);
        case NOT_READY, BUSY, RETRY -> {
          long left = deadline - config.ticker().getAsLong();
          if (left <= 0) {
            out.completeExceptionally(new IndeterminateWriteException("cache '" + config.name()
                + "': no coordinator completed the write within writeTimeout " + config.writeTimeout() + " (last: "
                + result.message() + ")", op.id().toString(), op));
          } else {
            try {
              timer.schedule(() -> attempt(op, deadline, out), Math.min(50, Math.max(1, left / 1_000_000)),
                  TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
              out.completeExceptionally(new CacheException("cache '" + config.name() + "' is closed"));
            }
          }
        }
        case NO_QUORUM -> out.completeExceptionally(new NoQuorumException("cache '" + config.name()
            + "': the coordinator's partition has no quorum"));
        case FULL -> out.completeExceptionally(new CacheFullException(result.message()));
        case WRITER_FAILED -> out.completeExceptionally(new CacheWriterException(result.message()));
        case CODEC_FAILED -> out.completeExceptionally(new CacheCodecException(result.message()));
        default -> out.completeExceptionally(new IndeterminateWriteException("cache '" + config.name() + "': "
            + result.message(), op.id().toString(), op));
      }
    });
  }

  // ---- writes: the orderer's side ---------------------------------------------------------------------------------

  private Object stripe(K key) {
    int h = key.hashCode();
    return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }

  private CompletableFuture<Result> order(Op<K> op, Member origin) {
    if (closed.get() || !cluster.isCoordinator()) {
      return CompletableFuture.completedFuture(Result.of(RETRY, "not the coordinator"));
    }
    if (config.partitionMode() == PartitionMode.CONSISTENCY && !cluster.hasQuorum()) {
      return CompletableFuture.completedFuture(Result.of(NO_QUORUM, "no quorum"));
    }
    if (!orderingReady || readyViewId != cluster.view().id()) {
      return CompletableFuture.completedFuture(Result.of(NOT_READY, "coordinator is reconciling state"));
    }
    CompletableFuture<Result> running = inflight.get(op.id());
    if (running != null) {
      return running;
    }
    Version done = recentOps.getIfPresent(op.id());
    if (done != null) {
      return CompletableFuture.completedFuture(new Result(APPLIED, done, null, false, "duplicate"));
    }
    if (!permits.tryAcquire()) {
      return CompletableFuture.completedFuture(Result.of(BUSY, "too many writes in flight"));
    }
    boolean handedOff = false;
    try {
      K key = op.key();
      if (key == null) {
        try {
          key = keyCodec.decode(op.keyBytes());
        } catch (RuntimeException e) {
          return CompletableFuture.completedFuture(Result.of(CODEC_FAILED, "cache '" + config.name()
              + "': the coordinator cannot decode the key: " + e.getMessage()));
        }
      }
      Entry entry;
      synchronized (stripe(key)) {
        Entry cur = current(key);
        boolean present = cur != null && !cur.tomb();
        boolean ok = switch (op.cond()) {
          case COND_ABSENT -> !present;
          case COND_PRESENT -> present;
          case COND_VALUE -> present && Arrays.equals(cur.bytes, op.expected());
          case COND_VERSION -> (cur == null ? Version.ZERO : cur.version).equals(op.expectedVersion());
          default -> true;
        };
        if (!ok) {
          return CompletableFuture.completedFuture(new Result(CONDITION_FAILED,
              cur == null ? Version.ZERO : cur.version, cur == null ? null : cur.bytes, !present, "condition"));
        }
        if (!present && op.value() != null && isFull()) {
          return CompletableFuture.completedFuture(Result.of(FULL, "cache '" + config.name() + "' is full ("
              + live.estimatedSize() + " entries) and rejects new keys"));
        }
        V decoded = null;
        if (op.value() != null && (config.writer().isPresent() || config.weigher().isPresent())) {
          try {
            decoded = valueCodec.decode(op.value());
          } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Result.of(CODEC_FAILED, "cache '" + config.name()
                + "': the coordinator cannot decode the value: " + e.getMessage()));
          }
        }
        if (config.writer().isPresent() && (op.value() != null || present)) {
          try {
            if (op.value() != null) {
              config.writer().get().write(key, decoded);
            } else {
              config.writer().get().delete(key);
            }
          } catch (Exception e) {
            return CompletableFuture.completedFuture(Result.of(WRITER_FAILED, "writer of cache '" + config.name()
                + "' failed: " + e));
          }
        }
        Version v = new Version(epoch, sequence.incrementAndGet());
        entry = new Entry(v, op.value(), op.id().hi(), op.id().lo(), config.ticker().getAsLong());
        if (decoded != null) {
          entry.decoded = decoded;
        }
        applyLocked(key, entry);
      }
      recentOps.put(op.id(), entry.version);
      emit(key, entry, op.id().hi() == instanceId);
      CompletableFuture<Result> f = replicate(op.keyBytes(), entry);
      inflight.put(op.id(), f);
      f.whenComplete((r, e) -> {
        inflight.remove(op.id(), f);
        permits.release();
      });
      handedOff = true;
      return config.writeMode() == WriteMode.ASYNC
          ? CompletableFuture.completedFuture(new Result(APPLIED, entry.version, null, false, "async"))
          : f;
    } finally {
      if (!handedOff) {
        permits.release();
      }
    }
  }

  private boolean isFull() {
    if (config.fullPolicy() != FullPolicy.REJECT) {
      return false;
    }
    if (config.maximumWeight() > 0) {
      return rejectWeight.get() >= config.maximumWeight();
    }
    return live.estimatedSize() >= config.maximumSize();
  }

  private CompletableFuture<Result> replicate(byte[] keyBytes, Entry entry) {
    long start = config.ticker().getAsLong();
    Out out = Wire.message(Wire.APPLY, 64 + keyBytes.length + (entry.bytes == null ? 0 : entry.bytes.length));
    Wire.writeEntry(out, new WireEntry(keyBytes, entry.version.epoch(), entry.version.sequence(), entry.opHi,
        entry.opLo, entry.bytes));
    byte[] message = out.toArray();
    List<CompletableFuture<String>> acks = new ArrayList<>();
    for (Member m : cluster.members()) {
      if (m.equals(cluster.self())) {
        continue;
      }
      acks.add(cluster.request(m, rpc, message, replicationPolicy).handle((resp, err) -> replicaOutcome(m, resp,
          err)));
    }
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).thenApply(x -> {
      replicationCount.increment();
      replicationNanos.add(config.ticker().getAsLong() - start);
      List<String> problems = new ArrayList<>();
      for (CompletableFuture<String> a : acks) {
        String p = a.join();
        if (p != null) {
          problems.add(p);
        }
      }
      if (!problems.isEmpty()) {
        return Result.of(INDETERMINATE, "write " + entry.version + " not confirmed by every member: " + problems);
      }
      if (config.partitionMode() == PartitionMode.CONSISTENCY && !cluster.hasQuorum()) {
        return Result.of(INDETERMINATE, "quorum was lost while write " + entry.version + " was replicated");
      }
      return new Result(APPLIED, entry.version, null, false, "applied");
    });
  }

  /** Returns null if the member applied the write or is no longer in the view, else what went wrong. */
  private String replicaOutcome(Member m, byte[] resp, Throwable err) {
    if (err == null) {
      try {
        In in = Wire.open(resp, Wire.ACK);
        int status = in.u8();
        return status == 0 ? null : status == 2 ? "'" + m.name() + "' follows another orderer"
            : "'" + m.name() + "' could not decode the key";
      } catch (IllegalArgumentException e) {
        return "'" + m.name() + "' sent a malformed acknowledgement";
      }
    }
    Throwable t = unwrap(err);
    if (t instanceof MemberUnavailableException || !inView(m)) {
      return null;
    }
    if (t instanceof RemoteHandlerException && String.valueOf(t.getMessage()).contains("no handler")) {
      return null; // the member does not host this cache (yet): it will pull the state when it creates it
    }
    if (t instanceof StaleViewException) {
      // the receiver does not know this member yet: a joiner that has not installed its first view, so it cannot
      // host the cache yet either; it pulls the state once it creates the cache
      return null;
    }
    if (t instanceof RequestTimeoutException || t instanceof TimeoutException) {
      return "'" + m.name() + "' did not acknowledge within " + config.replicationTimeout() + " and is still in the view";
    }
    return "'" + m.name() + "' failed: " + t;
  }

  private boolean inView(Member m) {
    return cluster.members().contains(m);
  }

  // ---- applying -------------------------------------------------------------------------------------------------

  /** Applies an entry if it is newer than what is held; returns whether it was applied. Caller holds the stripe. */
  private boolean applyLocked(K key, Entry e) {
    Entry cur = current(key);
    if (cur != null) {
      int c = e.version.compareTo(cur.version);
      if (c < 0) {
        return false;
      }
      if (c == 0 && (cur.opLo == e.opLo && cur.opHi == e.opHi || tieBreak(cur, e) >= 0)) {
        return false; // duplicate, or the same version from another partition that loses the tie
      }
    }
    if (config.fullPolicy() == FullPolicy.REJECT && config.maximumWeight() > 0) {
      long delta = (e.tomb() ? 0 : weightOf(config.weigher().orElseThrow(), key, e))
          - (cur == null || cur.tomb() ? 0 : weightOf(config.weigher().orElseThrow(), key, cur));
      rejectWeight.addAndGet(delta);
    }
    if (e.tomb()) {
      live.invalidate(key);
      tombs.put(key, e);
    } else {
      live.put(key, e);
      tombs.remove(key);
    }
    return true;
  }

  /** Orders two entries of equal version deterministically (only partitions in availability mode produce these). */
  private static int tieBreak(Entry a, Entry b) {
    if (a.tomb() != b.tomb()) {
      return a.tomb() ? 1 : -1; // a deletion wins
    }
    int c = a.tomb() ? 0 : Arrays.compare(a.bytes, b.bytes);
    return c != 0 ? c : Long.compare(a.opLo ^ a.opHi, b.opLo ^ b.opHi);
  }

  private boolean apply(K key, Entry e) {
    boolean applied;
    synchronized (stripe(key)) {
      applied = applyLocked(key, e);
    }
    if (applied) {
      if (e.opHi != 0 || e.opLo != 0) {
        recentOps.put(new OpId(e.opHi, e.opLo), e.version);
      }
      emit(key, e, e.opHi == instanceId);
    }
    return applied;
  }

  private void emit(K key, Entry e, boolean local) {
    if (listeners.isEmpty()) {
      return;
    }
    if (e.tomb()) {
      dispatch(new CacheEvent.Removed<>(key, e.version, local));
    } else {
      V v = decodeOrNull(e);
      if (v != null) {
        dispatch(new CacheEvent.Written<>(key, v, e.version, local));
      }
    }
  }

  private void dispatch(CacheEvent<K, V> event) {
    if (listeners.isEmpty() || closed.get()) {
      return;
    }
    events.execute(() -> {
      for (CacheListener<K, V> l : listeners) {
        try {
          l.onEvent(event);
        } catch (RuntimeException ex) {
          LOG.warn("listener of cache '{}' failed on {}", config.name(), event, ex);
        }
      }
    });
  }

  private void onEvicted(K key, Entry e, RemovalCause cause) {
    if (cause.wasEvicted()) {
      evictions.increment();
      dispatch(new CacheEvent.Evicted<>(key, cause == RemovalCause.EXPIRED));
    }
  }

  private void purgeTombstones() {
    long now = config.ticker().getAsLong();
    long retention = config.tombstoneRetention().toNanos();
    tombs.forEach((k, e) -> {
      if (now - e.bornNanos > retention) {
        synchronized (stripe(k)) {
          tombs.remove(k, e);
        }
      }
    });
  }

  /**
   * Drops this member's state before it is replaced. The remembered operation ids go too: an id whose write is dropped
   * here must not make a retry look already applied; ids of the writes that come back return with them.
   */
  private void clearLocal() {
    live.invalidateAll();
    tombs.clear();
    recentOps.invalidateAll();
    rejectWeight.set(0);
  }

  // ---- messages ---------------------------------------------------------------------------------------------------

  private byte[] encodeOrder(long req, Op<K> op) {
    Out out = Wire.message(Wire.ORDER, 64 + op.keyBytes().length + (op.value() == null ? 0 : op.value().length));
    out.i64(req).i64(op.id().hi()).i64(op.id().lo()).u8(op.cond()).bytes(op.keyBytes());
    if (op.cond() == COND_VALUE) {
      out.bytes(op.expected());
    } else if (op.cond() == COND_VERSION) {
      out.i64(op.expectedVersion().epoch()).i64(op.expectedVersion().sequence());
    }
    out.u8(op.value() == null ? 0 : 1);
    if (op.value() != null) {
      out.bytes(op.value());
    }
    return out.toArray();
  }

  private byte[] onRequest(Member from, byte[] message) {
    int type = Wire.type(message);
    return switch (type) {
      case Wire.ORDER -> onOrder(from, message);
      case Wire.APPLY -> onApply(from, message);
      case Wire.DUMP -> onDump(from, message);
      case Wire.INSTALL -> onInstall(from, message);
      default -> throw new IllegalArgumentException("unknown cache message type " + type);
    };
  }

  private byte[] onOrder(Member from, byte[] message) {
    In in = Wire.open(message, Wire.ORDER);
    long req = in.i64();
    OpId id = new OpId(in.i64(), in.i64());
    int cond = in.u8();
    byte[] key = in.bytes();
    byte[] expected = null;
    Version expectedVersion = null;
    if (cond == COND_VALUE) {
      expected = in.bytes();
    } else if (cond == COND_VERSION) {
      expectedVersion = new Version(in.i64(), in.i64());
    } else if (cond > COND_PRESENT) {
      throw new IllegalArgumentException("unknown condition " + cond);
    }
    byte[] value = in.u8() == 1 ? in.bytes() : null;
    order(new Op<>(id, null, key, cond, expected, expectedVersion, value), from).whenComplete((r, err) -> {
      Result result = err != null ? Result.of(INDETERMINATE, String.valueOf(unwrap(err))) : r;
      Out out = Wire.message(Wire.RESULT, 64 + (result.value() == null ? 0 : result.value().length));
      out.i64(req).u8(result.status()).i64(result.version().epoch()).i64(result.version().sequence());
      out.u8(result.value() == null ? 0 : 1);
      if (result.value() != null) {
        out.bytes(result.value());
      }
      out.bytes(String.valueOf(result.message()).getBytes(StandardCharsets.UTF_8));
      try {
        cluster.send(from, resultTopic, out.toArray());
      } catch (RuntimeException e) {
        LOG.debug("cache '{}': could not send a result to {}", config.name(), from.name(), e);
      }
    });
    return Wire.message(Wire.ACCEPT, 2).toArray();
  }

  private void onResult(Member from, byte[] message) {
    In in;
    long req;
    Result r;
    try {
      in = Wire.open(message, Wire.RESULT);
      req = in.i64();
      int status = in.u8();
      Version v = new Version(in.i64(), in.i64());
      byte[] value = in.u8() == 1 ? in.bytes() : null;
      String text = new String(in.bytes(), StandardCharsets.UTF_8);
      r = new Result(status, v, value, value == null, text);
    } catch (IllegalArgumentException e) {
      LOG.warn("cache '{}': malformed result from {}: {}", config.name(), from.name(), e.getMessage());
      return;
    }
    PendingResult p = pendingResults.get(req);
    if (p != null && p.target().equals(from.name())) {
      p.future().complete(r);
    }
  }

  private byte[] onApply(Member from, byte[] message) {
    In in = Wire.open(message, Wire.APPLY);
    WireEntry we = Wire.readEntry(in);
    int status;
    fenceLock.readLock().lock();
    try {
      Member orderer = fence;
      boolean accepted = orderer != null ? orderer.equals(from) : from.equals(cluster.coordinator());
      status = !accepted ? 2 : applyWire(we) ? 0 : 1;
    } finally {
      fenceLock.readLock().unlock();
    }
    return Wire.message(Wire.ACK, 3).u8(status).toArray();
  }

  /**
   * From now on accept replicated writes only from {@code orderer}: called when a new coordinator reads or installs
   * this member's state, so that late writes of a previous orderer can no longer land after its read.
   */
  private void fenceTo(Member orderer) {
    fenceLock.writeLock().lock();
    try {
      fence = orderer;
    } finally {
      fenceLock.writeLock().unlock();
    }
  }

  /** Applies a received entry; returns false only if its key cannot be decoded (the entry is then skipped). */
  private boolean applyWire(WireEntry we) {
    K key;
    try {
      key = keyCodec.decode(we.key());
    } catch (RuntimeException e) {
      LOG.warn("cache '{}': skipping an entry whose key cannot be decoded: {}", config.name(), e.getMessage());
      return false;
    }
    apply(key, new Entry(new Version(we.epoch(), we.seq()), we.value(), we.opHi(), we.opLo(),
        config.ticker().getAsLong()));
    return true;
  }

  private byte[] onDump(Member from, byte[] message) {
    In in = Wire.open(message, Wire.DUMP);
    long session = in.i64();
    int fromIndex = in.i32();
    boolean reconciling = in.remaining() > 0 && in.u8() == 1;
    if (reconciling && fromIndex == 0) {
      fenceTo(from);
    }
    String sessionKey = from.name() + "/" + session;
    List<Map.Entry<K, Entry>> all = dumpSessions.get(sessionKey, k -> {
      List<Map.Entry<K, Entry>> list = new ArrayList<>(live.asMap().entrySet().size() + tombs.size());
      live.asMap().forEach((key, e) -> list.add(Map.entry(key, e)));
      tombs.forEach((key, e) -> list.add(Map.entry(key, e)));
      return list;
    });
    Out out = Wire.message(Wire.CHUNK, 1024);
    int count = 0;
    int i = Math.max(0, fromIndex);
    Out body = new Out(1024);
    while (i < all.size() && count < config.stateTransferChunkEntries()
        && (count == 0 || body.size() < config.stateTransferChunkBytes())) {
      Map.Entry<K, Entry> me = all.get(i++);
      Entry e = me.getValue();
      byte[] kb;
      try {
        kb = keyCodec.encode(me.getKey());
      } catch (RuntimeException ex) {
        continue;
      }
      Wire.writeEntry(body, new WireEntry(kb, e.version.epoch(), e.version.sequence(), e.opHi, e.opLo, e.bytes));
      count++;
    }
    boolean last = i >= all.size();
    if (last) {
      dumpSessions.invalidate(sessionKey);
    }
    out.i32(last ? -1 : i).i32(count);
    byte[] head = out.toArray();
    byte[] tail = body.toArray();
    byte[] msg = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, msg, head.length, tail.length);
    return msg;
  }

  private byte[] onInstall(Member from, byte[] message) {
    In in = Wire.open(message, Wire.INSTALL);
    if (!from.equals(fence)) {
      fenceTo(from);
    }
    int flags = in.u8();
    int count = in.i32();
    if ((flags & 1) != 0) {
      setReady(false);
      clearLocal();
    }
    transferBytes.add(message.length);
    for (int i = 0; i < count; i++) {
      applyWire(Wire.readEntry(in));
    }
    if ((flags & 2) != 0) {
      setReady(true);
    }
    return Wire.message(Wire.ACK, 3).u8(0).toArray();
  }

  private void setReady(boolean r) {
    synchronized (this) {
      if (r && !ready) {
        ready = true;
        readyLatch.countDown();
      } else if (!r && ready) {
        ready = false;
        readyLatch = new CountDownLatch(1);
      }
    }
  }

  // ---- membership: state transfer and reconciliation ---------------------------------------------------------------

  private void onMembership(MembershipEvent event) {
    if (closed.get()) {
      return;
    }
    ClusterView view = event.newView();
    for (PendingResult p : pendingResults.values()) {
      if (!view.contains(p.target())) {
        p.future().complete(Result.of(RETRY, "coordinator '" + p.target() + "' left the view"));
      }
    }
    List<List<Member>> subgroups = event instanceof MembershipEvent.PartitionHealed h ? h.subgroups() : null;
    if (subgroups == null && view.id() == lastHandledViewId) {
      return;
    }
    lastHandledViewId = view.id();
    try {
      control.execute(() -> handleView(cluster.view(), subgroups, false));
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void handleView(ClusterView view, List<List<Member>> subgroups, boolean initial) {
    if (closed.get() || view.members().isEmpty()) {
      return;
    }
    boolean coordinator = cluster.isCoordinator();
    if (coordinator) {
      if (subgroups != null || !orderingReady || initial) {
        reconcileUntilDone(view, subgroups);
      } else {
        readyViewId = view.id();
      }
    } else {
      orderingReady = false;
      if (initial || !ready) {
        pullFromCoordinator();
      }
    }
  }

  /** A joiner (or a member whose state was dropped) pulls the whole state from the coordinator in chunks. */
  private void pullFromCoordinator() {
    long start = config.ticker().getAsLong();
    while (!closed.get() && !ready) {
      if (cluster.isCoordinator()) {
        reconcileUntilDone(cluster.view(), null);
        return;
      }
      Member coordinator = cluster.coordinator();
      try {
        pull(coordinator, false, this::applyWire);
        setReady(true);
        transferNanos.add(config.ticker().getAsLong() - start);
        return;
      } catch (NotHostingException e) {
        if (noOtherHosts()) {
          setReady(true);
          return;
        }
      } catch (RuntimeException e) {
        LOG.debug("cache '{}': state transfer from {} failed, retrying", config.name(), coordinator.name(), e);
      }
      if (!pause(100)) {
        return;
      }
    }
  }

  private boolean noOtherHosts() {
    for (Member m : cluster.members()) {
      if (m.equals(cluster.self())) {
        continue;
      }
      try {
        cluster.request(m, rpc, Wire.message(Wire.DUMP, 16).i64(-1).i32(Integer.MAX_VALUE).u8(0).toArray(),
            transferPolicy).get(config.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return false;
      } catch (ExecutionException e) {
        Throwable t = unwrap(e);
        if (!(t instanceof RemoteHandlerException && String.valueOf(t.getMessage()).contains("no handler"))
            && !(t instanceof MemberUnavailableException)) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (TimeoutException e) {
        return false;
      }
    }
    return true;
  }

  private boolean pause(long millis) {
    try {
      Thread.sleep(millis); // a retry back-off on the control thread, not a wait for a condition
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static final class NotHostingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotHostingException() {
      super(null, null, false, false);
    }
  }

  /** Pulls one member's whole state, chunk by chunk, handing each entry to the sink. */
  private long pull(Member m, boolean reconciling, Predicate<WireEntry> sink) {
    long session = reqCounter.incrementAndGet();
    int from = 0;
    long entries = 0;
    while (from >= 0) {
      byte[] chunk;
      try {
        chunk = cluster.request(m, rpc, Wire.message(Wire.DUMP, 16).i64(session).i32(from).u8(reconciling ? 1 : 0).toArray(),
            transferPolicy).get(config.writeTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable t = unwrap(e);
        if (t instanceof RemoteHandlerException && String.valueOf(t.getMessage()).contains("no handler")) {
          throw new NotHostingException();
        }
        throw new CacheException("state transfer from '" + m.name() + "' failed: " + t, t);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheException("interrupted", e);
      } catch (TimeoutException e) {
        throw new CacheException("state transfer from '" + m.name() + "' timed out", e);
      }
      transferBytes.add(chunk.length);
      In in = Wire.open(chunk, Wire.CHUNK);
      from = in.i32();
      int count = in.i32();
      for (int i = 0; i < count; i++) {
        sink.test(Wire.readEntry(in));
        entries++;
      }
    }
    return entries;
  }

  /**
   * Makes this member the orderer: reads the state of every authoritative member, merges it, starts an epoch above
   * every version seen and pushes the result to every member (replacing the state of non-authoritative ones).
   */
  private void reconcileUntilDone(ClusterView view, List<List<Member>> subgroups) {
    while (!closed.get() && cluster.isCoordinator() && cluster.view().id() == view.id()) {
      if (reconcile(view, subgroups) || !pause(200)) {
        return;
      }
    }
  }

  /** Returns true once this member orders writes; false if a member could not be read or written (retry). */
  private boolean reconcile(ClusterView view, List<List<Member>> subgroups) {
    orderingReady = false;
    long start = config.ticker().getAsLong();
    Set<String> authoritative = authoritative(view, subgroups);
    String self = cluster.self().name();
    if (authoritative != null && !authoritative.contains(self)) {
      clearLocal();
    }
    AtomicLong maxEpoch = new AtomicLong(maxLocalEpoch());
    AtomicLong read = new AtomicLong();
    AtomicLong updated = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    List<Map.Entry<K, V>> fresh = new ArrayList<>();
    int membersRead = 0;
    boolean merging = subgroups != null;
    boolean custom = config.partitionMode() == PartitionMode.AVAILABILITY;
    for (Member m : view.members()) {
      if (m.equals(cluster.self()) || (authoritative != null && !authoritative.contains(m.name()))) {
        continue;
      }
      try {
        read.addAndGet(pull(m, true, we -> {
          maxEpoch.accumulateAndGet(we.epoch(), Math::max);
          K key;
          try {
            key = keyCodec.decode(we.key());
          } catch (RuntimeException e) {
            return false;
          }
          Entry incoming = new Entry(new Version(we.epoch(), we.seq()), we.value(), we.opHi(), we.opLo(),
              config.ticker().getAsLong());
          if (we.opHi() != 0 || we.opLo() != 0) {
            recentOps.put(new OpId(we.opHi(), we.opLo()), incoming.version);
          }
          Entry mine = current(key);
          if (custom && merging && mine != null && !mine.version.equals(incoming.version)) {
            conflicts.incrementAndGet();
            VersionedValue<V> a = new VersionedValue<>(mine.tomb() ? null : decodeOrNull(mine), mine.version);
            VersionedValue<V> b = new VersionedValue<>(incoming.tomb() ? null : decodeOrNull(incoming),
                incoming.version);
            VersionedValue<V> chosen = config.mergePolicy().merge(key, a, b);
            if (chosen == b || chosen.equals(b)) {
              if (forceApply(key, incoming)) {
                updated.incrementAndGet();
              }
            } else if (chosen != a && !chosen.equals(a)) {
              fresh.add(new AbstractMap.SimpleEntry<>(key, chosen.value()));
            }
            return true;
          }
          if (mine != null && incoming.version.isNewerThan(mine.version) && merging) {
            conflicts.incrementAndGet();
          }
          if (apply(key, incoming)) {
            updated.incrementAndGet();
          }
          return true;
        }));
        membersRead++;
      } catch (NotHostingException e) {
        // not hosting: nothing to read
      } catch (RuntimeException e) {
        LOG.warn("cache '{}': could not read the state of '{}' while reconciling, will retry: {}", config.name(),
            m.name(), e.getMessage());
        return false; // never order with a partial picture of the survivors' state
      }
      if (cluster.view().id() != view.id()) {
        return false; // a newer view arrived; its handler reconciles again
      }
    }
    epoch = Math.max(view.id(), maxEpoch.get() + 1);
    sequence.set(0);
    for (Map.Entry<K, V> f : fresh) {
      byte[] bytes = f.getValue() == null ? null : valueCodec.encode(f.getValue());
      OpId id = newOpId();
      forceApply(f.getKey(), new Entry(new Version(epoch, sequence.incrementAndGet()), bytes, id.hi(), id.lo(),
          config.ticker().getAsLong()));
      updated.incrementAndGet();
    }
    int replaced = 0;
    for (Member m : view.members()) {
      if (m.equals(cluster.self())) {
        continue;
      }
      boolean replace = authoritative != null && !authoritative.contains(m.name());
      try {
        push(m, replace);
        if (replace) {
          replaced++;
        }
      } catch (NotHostingException e) {
        // not hosting
      } catch (RuntimeException e) {
        LOG.warn("cache '{}': could not push state to '{}', will retry: {}", config.name(), m.name(),
            e.getMessage());
        return false;
      }
    }
    if (cluster.view().id() != view.id()) {
      return false;
    }
    transferNanos.add(config.ticker().getAsLong() - start);
    readyViewId = view.id();
    orderingReady = true;
    setReady(true);
    if (merging || membersRead > 0) {
      dispatch(new CacheEvent.Merged<>(membersRead, read.get(), updated.get(), conflicts.get(), replaced));
    }
    return true;
  }

  private boolean forceApply(K key, Entry e) {
    boolean applied;
    synchronized (stripe(key)) {
      Entry cur = current(key);
      if (cur != null && cur.version.isNewerThan(e.version)) {
        // the policy chose the older side: keep its value but give it a version above the newer one
        e = new Entry(new Version(cur.version.epoch(), cur.version.sequence() + 1), e.bytes, e.opHi, e.opLo,
            e.bornNanos);
      }
      applied = applyLocked(key, e);
    }
    if (applied) {
      emit(key, e, false);
    }
    return applied;
  }

  private long maxLocalEpoch() {
    long max = 0;
    for (Entry e : live.asMap().values()) {
      max = Math.max(max, e.version.epoch());
    }
    for (Entry e : tombs.values()) {
      max = Math.max(max, e.version.epoch());
    }
    return max;
  }

  /**
   * In consistency mode after a merge: the members of the one subgroup that held a strict majority of the expected
   * members (the only side that could acknowledge writes during the split); null means "every member, newest version
   * wins". Null when no subgroup held a majority (no side accepted writes during the split, so nothing a side holds
   * can be newer than an acknowledged write of another; a subgroup may still hold writes acknowledged before a cascade
   * of failures shrank it, which the version merge keeps), and when more than one did (possible only if more members
   * run than expected: both sides accepted writes, and a version merge keeps the most). Without a configured
   * expected size, quorum is not tracked and the majority of the merged view decides, as the best available guess.
   */
  private Set<String> authoritative(ClusterView view, List<List<Member>> subgroups) {
    if (subgroups == null || config.partitionMode() == PartitionMode.AVAILABILITY) {
      return null;
    }
    int expected = cluster.expectedMembers();
    int base = expected > 0 ? expected : view.size();
    List<Member> majority = null;
    for (List<Member> g : subgroups) {
      if (g.size() * 2 > base) {
        if (majority != null) {
          LOG.warn("cache '{}': two sides of a partition both held a majority of {} expected members ({} and {}); "
              + "merging them by version", config.name(), base, majority, g);
          return null;
        }
        majority = g;
      }
    }
    if (majority == null) {
      return null;
    }
    Set<String> names = new HashSet<>();
    majority.forEach(m -> names.add(m.name()));
    return names;
  }

  private void push(Member m, boolean replace) {
    List<Map.Entry<K, Entry>> all = new ArrayList<>();
    live.asMap().forEach((key, e) -> all.add(Map.entry(key, e)));
    tombs.forEach((key, e) -> all.add(Map.entry(key, e)));
    int i = 0;
    boolean first = true;
    do {
      Out body = new Out(1024);
      int count = 0;
      while (i < all.size() && count < config.stateTransferChunkEntries()
          && (count == 0 || body.size() < config.stateTransferChunkBytes())) {
        Map.Entry<K, Entry> me = all.get(i++);
        Entry e = me.getValue();
        Wire.writeEntry(body, new WireEntry(keyCodec.encode(me.getKey()), e.version.epoch(), e.version.sequence(),
            e.opHi, e.opLo, e.bytes));
        count++;
      }
      int flags = (first && replace ? 1 : 0) | (i >= all.size() ? 2 : 0);
      Out head = Wire.message(Wire.INSTALL, 8).u8(flags).i32(count);
      byte[] h = head.toArray();
      byte[] t = body.toArray();
      byte[] msg = Arrays.copyOf(h, h.length + t.length);
      System.arraycopy(t, 0, msg, h.length, t.length);
      try {
        cluster.request(m, rpc, msg, transferPolicy).get(config.writeTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable t2 = unwrap(e);
        if (t2 instanceof RemoteHandlerException && String.valueOf(t2.getMessage()).contains("no handler")) {
          throw new NotHostingException();
        }
        throw new CacheException("install on '" + m.name() + "' failed: " + t2, t2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheException("interrupted", e);
      } catch (TimeoutException e) {
        throw new CacheException("install on '" + m.name() + "' timed out", e);
      }
      first = false;
    } while (i < all.size());
  }

  // ---- the rest ---------------------------------------------------------------------------------------------------

  @Override
  public CacheConfig<K, V> config() {
    return config;
  }

  @Override
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      CountDownLatch l = readyLatch;
      if (ready) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || !l.await(left, TimeUnit.NANOSECONDS)) {
        return ready;
      }
    }
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public Registration addListener(CacheListener<K, V> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public CacheStats stats() {
    long weight = config.maximumWeight() > 0
        ? (config.fullPolicy() == FullPolicy.REJECT ? rejectWeight.get()
            : live.policy().eviction().map(ev -> ev.weightedSize().orElse(0L)).orElse(0L))
        : live.estimatedSize();
    return new CacheStats(hits.sum(), misses.sum(), puts.sum(), removals.sum(), evictions.sum(), rejections.sum(),
        indeterminate.sum(), replicationCount.sum(), replicationNanos.sum(), transferBytes.sum(), transferNanos.sum(),
        live.estimatedSize(), weight, tombs.size(), droppedEvents.sum());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Registration r : registrations) {
      try {
        r.close();
      } catch (RuntimeException e) {
        LOG.debug("cache '{}': unregistering failed", config.name(), e);
      }
    }
    for (PendingResult p : pendingResults.values()) {
      p.future().complete(Result.of(RETRY, "closed"));
    }
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

  @Override
  public String toString() {
    return "ReplicatedCache[" + config.name() + " on " + cluster.self().name() + ", " + size() + " entries]";
  }
}
