package io.dstk.cache;

import io.dstk.cache.Wire.In;
import io.dstk.membership.Cluster;
import io.dstk.membership.Member;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The coordinator's side of a write. The coordinator of the current view orders every write (one orderer for all
 * keys: the membership layer already elects exactly one per partition). Under the key's stripe it checks the
 * condition, calls the writer, assigns the next version (epoch, sequence) and applies the write locally; replication
 * runs outside the lock. It orders only once a reconciliation for the current view has set its epoch above every
 * version any member holds (beginEpoch), so versions are never reused. Retries are answered from the write in flight
 * or from the remembered operation ids instead of being applied twice.
 *
 * ORDER requests are answered ACCEPT at once and the result follows on the result topic, so no messaging thread ever
 * blocks on replication.
 */
final class WriteOrderer<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(WriteOrderer.class);

  private final CacheContext<K, V> ctx;
  private final CacheConfig<K, V> config;
  private final Cluster cluster;
  private final LocalStore<K, V> store;
  private final SyncReplicator<K, V> replicator;
  private final ConcurrentHashMap<OpId, CompletableFuture<WriteResult>> inflight = new ConcurrentHashMap<>();
  private final Semaphore permits;
  private final AtomicLong sequence = new AtomicLong();
  private volatile long epoch;
  private volatile boolean orderingReady;
  private volatile long readyViewId = -1;

  WriteOrderer(CacheContext<K, V> ctx, LocalStore<K, V> store, SyncReplicator<K, V> replicator) {
    this.ctx = ctx;
    this.config = ctx.config;
    this.cluster = ctx.cluster;
    this.store = store;
    this.replicator = replicator;
    this.permits = new Semaphore(config.maxPendingWrites());
  }

  boolean isOrdering() {
    return orderingReady;
  }

  /** Stops ordering until the next {@link #beginEpoch} (a reconciliation started, or another member coordinates). */
  void stopOrdering() {
    orderingReady = false;
  }

  /** Starts the epoch a reconciliation chose; returns it. Writes are ordered only after {@link #serveView}. */
  long beginEpoch(long newEpoch) {
    epoch = newEpoch;
    sequence.set(0);
    return newEpoch;
  }

  /** The next version of the current epoch (also used for values a merge policy creates). */
  Version nextVersion() {
    return new Version(epoch, sequence.incrementAndGet());
  }

  /** Orders writes in this view (state is reconciled for it). */
  void serveView(long viewId) {
    readyViewId = viewId;
    orderingReady = true;
  }

  /** Keeps ordering in a new view that needs no reconciliation (a member left or joined, the coordinator stayed). */
  void continueInView(long viewId) {
    readyViewId = viewId;
  }

  CompletableFuture<WriteResult> order(WriteOp<K> op) {
    if (ctx.closed.get() || !cluster.isCoordinator()) {
      return CompletableFuture.completedFuture(WriteResult.of(WriteResult.RETRY, "not the coordinator"));
    }
    if (ctx.lacksQuorum()) {
      return CompletableFuture.completedFuture(WriteResult.of(WriteResult.NO_QUORUM, "no quorum"));
    }
    if (!orderingReady || readyViewId != cluster.view().id()) {
      return CompletableFuture.completedFuture(WriteResult.of(WriteResult.NOT_READY,
          "coordinator is reconciling state"));
    }
    CompletableFuture<WriteResult> running = inflight.get(op.id());
    if (running != null) {
      return running;
    }
    Version done = store.appliedVersion(op.id());
    if (done != null) {
      return CompletableFuture.completedFuture(new WriteResult(WriteResult.APPLIED, done, null, false, "duplicate"));
    }
    if (!permits.tryAcquire()) {
      return CompletableFuture.completedFuture(WriteResult.of(WriteResult.BUSY, "too many writes in flight"));
    }
    boolean handedOff = false;
    try {
      K key = op.key();
      if (key == null) {
        try {
          key = ctx.keyCodec.decode(op.keyBytes());
        } catch (RuntimeException e) {
          return CompletableFuture.completedFuture(WriteResult.of(WriteResult.CODEC_FAILED, "cache '" + ctx.name
              + "': the coordinator cannot decode the key: " + e.getMessage()));
        }
      }
      StoredEntry entry;
      synchronized (store.stripe(key)) {
        StoredEntry cur = store.current(key);
        WriteResult refused = check(key, op, cur);
        if (refused != null) {
          return CompletableFuture.completedFuture(refused);
        }
        V decoded = null;
        if (op.value() != null && (config.writer().isPresent() || config.weigher().isPresent())) {
          try {
            decoded = ctx.valueCodec.decode(op.value());
          } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(WriteResult.of(WriteResult.CODEC_FAILED, "cache '" + ctx.name
                + "': the coordinator cannot decode the value: " + e.getMessage()));
          }
        }
        WriteResult writerFailed = callWriter(key, op, decoded, cur != null && !cur.tomb());
        if (writerFailed != null) {
          return CompletableFuture.completedFuture(writerFailed);
        }
        entry = new StoredEntry(nextVersion(), op.value(), op.id().hi(), op.id().lo(), ctx.now());
        if (decoded != null) {
          entry.decoded = decoded;
        }
        store.applyLocked(key, entry);
      }
      store.rememberOp(op.id(), entry.version);
      store.emit(key, entry, op.id().hi() == ctx.instanceId);
      CompletableFuture<WriteResult> f = replicator.replicate(op.keyBytes(), entry);
      inflight.put(op.id(), f);
      f.whenComplete((r, e) -> {
        inflight.remove(op.id(), f);
        permits.release();
      });
      handedOff = true;
      return config.writeMode() == WriteMode.ASYNC
          ? CompletableFuture.completedFuture(new WriteResult(WriteResult.APPLIED, entry.version, null, false, "async"))
          : f;
    } finally {
      if (!handedOff) {
        permits.release();
      }
    }
  }

  /** Checks the write's condition and the budget against the current entry; null if it may proceed. */
  private WriteResult check(K key, WriteOp<K> op, StoredEntry cur) {
    boolean present = cur != null && !cur.tomb();
    boolean ok = switch (op.cond()) {
      case WriteOp.COND_ABSENT -> !present;
      case WriteOp.COND_PRESENT -> present;
      case WriteOp.COND_VALUE -> present && Arrays.equals(cur.bytes, op.expected());
      case WriteOp.COND_VERSION -> (cur == null ? Version.ZERO : cur.version).equals(op.expectedVersion());
      default -> true;
    };
    if (!ok) {
      return new WriteResult(WriteResult.CONDITION_FAILED, cur == null ? Version.ZERO : cur.version,
          cur == null ? null : cur.bytes, !present, "condition");
    }
    if (!present && op.value() != null && store.isFull()) {
      return WriteResult.of(WriteResult.FULL, "cache '" + ctx.name + "' is full (" + store.size()
          + " entries) and rejects new keys");
    }
    return null;
  }

  /** Calls the configured writer, if any; returns a failure result or null. */
  private WriteResult callWriter(K key, WriteOp<K> op, V decoded, boolean present) {
    if (config.writer().isEmpty() || op.value() == null && !present) {
      return null;
    }
    try {
      if (op.value() != null) {
        config.writer().get().write(key, decoded);
      } else {
        config.writer().get().delete(key);
      }
      return null;
    } catch (Exception e) {
      return WriteResult.of(WriteResult.WRITER_FAILED, "writer of cache '" + ctx.name + "' failed: " + e);
    }
  }

  /** An ORDER from another member: accepted at once; the result follows on the result topic. */
  byte[] onOrder(Member from, byte[] message) {
    In in = Wire.open(message, Wire.ORDER);
    long req = in.i64();
    WriteOp<K> op = WriteOp.decodeOrder(in);
    order(op).whenComplete((r, err) -> {
      WriteResult result = err != null
          ? WriteResult.of(WriteResult.INDETERMINATE, String.valueOf(CacheContext.unwrap(err))) : r;
      try {
        cluster.send(from, ctx.resultTopic, result.encode(req));
      } catch (RuntimeException e) {
        LOG.debug("cache '{}': could not send a result to {}", ctx.name, from.name(), e);
      }
    });
    return Wire.message(Wire.ACCEPT, 2).toArray();
  }
}
