package io.dstk.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * This member's copy of the cache: live entries in Caffeine (bounded in EVICT mode), tombstones in a map purged after
 * their retention, and the ids of recently applied operations (for de-duplicating retries). Values are kept as their
 * encoded bytes and decoded lazily on first read, so replication never runs a value codec. A striped lock per key
 * makes "compare versions, store" atomic; whoever orders or applies a write holds the key's stripe.
 */
final class LocalStore<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStore.class);
  private static final int STRIPES = 256;
  /**
   * Caffeine keeps an entry's write time when it is overwritten less than this long after its last write (a
   * write-order optimisation), so its own expiry can come up to this much early. The store gives Caffeine this much
   * slack and decides expiry itself from the entry's write time.
   */
  static final long CAFFEINE_WRITE_TOLERANCE_NANOS = 1_000_000_000L;
  /** At most this many operation ids are remembered (the oldest are forgotten first). */
  static final int MAX_OPERATION_IDS = 1_000_000;

  private final CacheContext<K, V> ctx;
  private final CacheConfig<K, V> config;
  private final EventDispatcher<K, V> events;
  private final Cache<K, StoredEntry> live;
  private final ConcurrentHashMap<K, StoredEntry> tombs = new ConcurrentHashMap<>();
  private final Object[] stripes = new Object[STRIPES];
  private final AtomicLong rejectWeight = new AtomicLong();
  private final OpIdTable recentOps;
  /** expireAfterWrite in nanos, 0 if entries do not expire. */
  private final long expiryNanos;

  LocalStore(CacheContext<K, V> ctx, EventDispatcher<K, V> events) {
    this.ctx = ctx;
    this.config = ctx.config;
    this.events = events;
    this.expiryNanos = config.expireAfterWrite().map(LocalStore::saturatedNanos).orElse(0L);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    // maintenance (eviction, removal of expired entries, their events) on Caffeine's default executor, the common
    // pool, as raw Caffeine does: running it on the reading thread made reads measurably slower
    Caffeine<Object, Object> b = Caffeine.newBuilder().ticker(config.ticker()::getAsLong);
    if (config.fullPolicy() == FullPolicy.EVICT) {
      if (config.maximumWeight() > 0) {
        Weigher<K, V> w = config.weigher().orElseThrow();
        b.maximumWeight(config.maximumWeight());
        Caffeine<K, StoredEntry> typed = b.<K, StoredEntry>weigher((k, e) -> weightOf(w, k, e));
        this.live = withExpiry(typed).evictionListener(this::onEvicted).build();
      } else {
        b.maximumSize(config.maximumSize());
        this.live = withExpiry(b.<K, StoredEntry>evictionListener(this::onEvicted)).build();
      }
    } else {
      this.live = withExpiry(b.<K, StoredEntry>evictionListener(this::onEvicted)).build();
    }
    this.recentOps = new OpIdTable(saturatedNanos(config.operationIdRetention()), MAX_OPERATION_IDS,
        config.ticker());
  }

  private static long saturatedNanos(Duration d) {
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  private Caffeine<K, StoredEntry> withExpiry(Caffeine<K, StoredEntry> b) {
    if (expiryNanos > 0) {
      b.expireAfterWrite(Math.max(expiryNanos, expiryNanos + CAFFEINE_WRITE_TOLERANCE_NANOS), TimeUnit.NANOSECONDS);
    }
    return b;
  }

  private int weightOf(Weigher<K, V> w, K k, StoredEntry e) {
    V v = decodeOrNull(e);
    int weight = v == null ? e.bytes.length : w.weigh(k, v);
    if (weight < 0) {
      throw new IllegalArgumentException("weigher returned a negative weight for key " + k + ": " + weight);
    }
    return weight;
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  /** The live entry of a key, or null. */
  StoredEntry live(K key) {
    return unexpired(live.getIfPresent(key));
  }

  /** The entry, or null if it is null or past expireAfterWrite. */
  StoredEntry unexpired(StoredEntry e) {
    return e == null || expiryNanos == 0 || !expired(e, ctx.now()) ? e : null;
  }

  /**
   * The Caffeine cache of live entries, for {@code get}'s hit path only: an entry read from it may be past
   * expireAfterWrite unless {@link #entriesExpire()} is false.
   */
  Cache<K, StoredEntry> liveEntries() {
    return live;
  }

  /** Whether entries expire (expireAfterWrite is configured). */
  boolean entriesExpire() {
    return expiryNanos != 0;
  }

  /** The live entry or tombstone of a key, or null. */
  StoredEntry current(K key) {
    StoredEntry e = live(key);
    return e != null ? e : tombs.get(key);
  }

  /** Whether an entry is past expireAfterWrite; Caffeine removes it later (at most its write tolerance). */
  private boolean expired(StoredEntry e, long now) {
    return expiryNanos != 0 && now - e.bornNanos >= expiryNanos;
  }

  @SuppressWarnings("unchecked")
  V decode(StoredEntry e) {
    Object d = e.decoded;
    return d != StoredEntry.UNDECODED ? (V) d : decodeFirst(e);
  }

  /** Decodes an entry's value the first time it is read, and keeps it. */
  private V decodeFirst(StoredEntry e) {
    try {
      V v = ctx.valueCodec.decode(e.bytes);
      e.decoded = v;
      return v;
    } catch (RuntimeException ex) {
      throw new CacheCodecException("cache '" + ctx.name + "': stored value of version " + e.version
          + " cannot be decoded: " + ex.getMessage(), ex);
    }
  }

  V decodeOrNull(StoredEntry e) {
    try {
      return decode(e);
    } catch (CacheCodecException ex) {
      return null;
    }
  }

  Map<K, V> snapshot() {
    Map<K, V> out = new LinkedHashMap<>();
    long now = ctx.now();
    live.asMap().forEach((k, e) -> {
      V v = expired(e, now) ? null : decodeOrNull(e);
      if (v != null) {
        out.put(k, v);
      }
    });
    return Map.copyOf(out);
  }

  List<K> liveKeys() {
    return new ArrayList<>(live.asMap().keySet());
  }

  /** Every live entry and tombstone, for state transfer. */
  List<Map.Entry<K, StoredEntry>> entries() {
    List<Map.Entry<K, StoredEntry>> list = new ArrayList<>(live.asMap().size() + tombs.size());
    long now = ctx.now();
    live.asMap().forEach((key, e) -> {
      if (!expired(e, now)) {
        list.add(Map.entry(key, e));
      }
    });
    tombs.forEach((key, e) -> list.add(Map.entry(key, e)));
    return list;
  }

  long maxEpoch() {
    long max = 0;
    for (StoredEntry e : live.asMap().values()) {
      max = Math.max(max, e.version.epoch());
    }
    for (StoredEntry e : tombs.values()) {
      max = Math.max(max, e.version.epoch());
    }
    return max;
  }

  long size() {
    return live.estimatedSize();
  }

  long tombstones() {
    return tombs.size();
  }

  long weight() {
    if (config.maximumWeight() <= 0) {
      return live.estimatedSize();
    }
    return config.fullPolicy() == FullPolicy.REJECT ? rejectWeight.get()
        : live.policy().eviction().map(ev -> ev.weightedSize().orElse(0L)).orElse(0L);
  }

  /** Whether a new key must be refused ({@link FullPolicy#REJECT} and the budget is used up). */
  boolean isFull() {
    if (config.fullPolicy() != FullPolicy.REJECT) {
      return false;
    }
    if (config.maximumWeight() > 0) {
      return rejectWeight.get() >= config.maximumWeight();
    }
    return live.estimatedSize() >= config.maximumSize();
  }

  // ---- operation ids ----------------------------------------------------------------------------------------------

  /**
   * The version an operation on this key got, or null if this member does not know it was applied. The operation id of
   * a key's entry (expired or not) lives in the entry; the table holds the ids that entries no longer carry (displaced
   * by a newer write, evicted or expired), so a write that is never overwritten costs the table nothing.
   */
  Version appliedVersion(K key, OpId id) {
    StoredEntry e = live.policy().getIfPresentQuietly(key); // not a read: leaves eviction order alone
    if (e == null) {
      e = tombs.get(key);
    }
    if (e != null && e.opHi == id.hi() && e.opLo == id.lo()) {
      return e.version;
    }
    return recentOps.get(id);
  }

  /** How many operation ids the table holds apart from those the entries carry. */
  int rememberedOperationIds() {
    return recentOps.size();
  }

  /** Remembers that an entry's operation was applied somewhere, unless this member already knows it. */
  void rememberOp(K key, StoredEntry e) {
    if (e.hasOpId()) {
      OpId id = new OpId(e.opHi, e.opLo);
      if (appliedVersion(key, id) == null) {
        recentOps.put(id, e.version);
      }
    }
  }

  /**
   * Remembers the id of an entry that is about to go. With expiry every id was remembered when applied (see
   * {@link #applyLocked}), so it is not added twice.
   */
  private void rememberGone(StoredEntry gone) {
    if (gone != null && gone.hasOpId() && expiryNanos == 0) {
      recentOps.put(new OpId(gone.opHi, gone.opLo), gone.version);
    }
  }

  // ---- writes -----------------------------------------------------------------------------------------------------

  Object stripe(K key) {
    int h = key.hashCode();
    return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }

  /** Applies an entry if it is newer than what is held; returns whether it was applied. Caller holds the stripe. */
  boolean applyLocked(K key, StoredEntry e) {
    StoredEntry cur = current(key);
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
    // the displaced id is remembered before the entry that carries it goes, so a concurrent lookup finds one of them
    StoredEntry held = live.policy().getIfPresentQuietly(key);
    held = held != null ? held : tombs.get(key);
    if (held != null && (held.opHi != e.opHi || held.opLo != e.opLo)) {
      rememberGone(held);
    }
    if (expiryNanos > 0 && e.hasOpId()) {
      // Caffeine hides an entry past its expiry before it reports the removal: remembered now, not then
      recentOps.put(new OpId(e.opHi, e.opLo), e.version);
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
  private static int tieBreak(StoredEntry a, StoredEntry b) {
    if (a.tomb() != b.tomb()) {
      return a.tomb() ? 1 : -1; // a deletion wins
    }
    int c = a.tomb() ? 0 : Arrays.compare(a.bytes, b.bytes);
    return c != 0 ? c : Long.compare(a.opLo ^ a.opHi, b.opLo ^ b.opHi);
  }

  /** Applies a replicated entry if newer, remembers its operation id and emits its event. */
  boolean apply(K key, StoredEntry e) {
    boolean applied;
    synchronized (stripe(key)) {
      applied = applyLocked(key, e);
    }
    if (applied) {
      emit(key, e, e.opHi == ctx.instanceId);
    }
    return applied;
  }

  /** Applies a received entry; returns false only if its key cannot be decoded (the entry is then skipped). */
  boolean applyReceived(Wire.WireEntry we) {
    K key;
    try {
      key = ctx.keyCodec.decode(we.key());
    } catch (RuntimeException e) {
      LOG.warn("cache '{}': skipping an entry whose key cannot be decoded: {}", ctx.name, e.getMessage());
      return false;
    }
    apply(key, StoredEntry.fromWire(we, ctx.now()));
    return true;
  }

  /**
   * Applies a merge policy's choice: if it is older than what is held, it keeps its value but gets a version just
   * above the held one.
   */
  boolean forceApply(K key, StoredEntry e) {
    boolean applied;
    synchronized (stripe(key)) {
      StoredEntry cur = current(key);
      if (cur != null && cur.version.isNewerThan(e.version)) {
        e = new StoredEntry(new Version(cur.version.epoch(), cur.version.sequence() + 1), e.bytes, e.opHi, e.opLo,
            e.bornNanos);
      }
      applied = applyLocked(key, e);
    }
    if (applied) {
      emit(key, e, false);
    }
    return applied;
  }

  void emit(K key, StoredEntry e, boolean local) {
    if (!events.hasListeners()) {
      return;
    }
    if (e.tomb()) {
      events.dispatch(new CacheEvent.Removed<>(key, e.version, local));
    } else {
      V v = decodeOrNull(e);
      if (v != null) {
        events.dispatch(new CacheEvent.Written<>(key, v, e.version, local));
      }
    }
  }

  /** Caffeine runs this within the atomic removal, so the evicted id is in the table before a lookup misses it. */
  private void onEvicted(K key, StoredEntry e, RemovalCause cause) {
    rememberGone(e);
    if (cause.wasEvicted()) {
      ctx.counters.evictions.increment();
      events.dispatch(new CacheEvent.Evicted<>(key, cause == RemovalCause.EXPIRED));
    }
  }

  void purgeTombstones() {
    long now = ctx.now();
    long retention = config.tombstoneRetention().toNanos();
    tombs.forEach((k, e) -> {
      if (now - e.bornNanos > retention) {
        synchronized (stripe(k)) {
          if (tombs.get(k) == e) {
            rememberGone(e);
            tombs.remove(k, e);
          }
        }
      }
    });
  }

  /**
   * Drops this member's state before it is replaced. The remembered operation ids go too: an id whose write is dropped
   * here must not make a retry look already applied; ids of the writes that come back return with them.
   */
  void clear() {
    live.invalidateAll();
    tombs.clear();
    recentOps.clear();
    rejectWeight.set(0);
  }
}
