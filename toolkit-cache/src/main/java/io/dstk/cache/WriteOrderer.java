package io.dstk.cache;

import io.dstk.cache.Wire.In;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterView;
import io.dstk.membership.Member;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The coordinator's side of a write. The coordinator of the current view orders every write (one orderer for all
 * keys: the membership layer already elects exactly one per partition). Under the key's stripe it checks the
 * condition, calls the writer, assigns the next version (epoch, sequence) and applies the write locally; then it sends
 * the write one-way to every member it knows to host the cache (the hosts), naming the writer, which collects the
 * members' acknowledgements itself (WriteSubmitter). The orderer keeps no state per write once the APPLYs are sent.
 * It orders only once a reconciliation for the current view has set its epoch above every version any member holds
 * (beginEpoch), so versions are never reused. A retry of an operation already ordered is answered DUPLICATE with its
 * version and the hosts, never applied twice.
 *
 * Hosts: every member that can serve reads is one, by construction. A member is added when this member reads or
 * installs its state while reconciling, when it pulls state from this member (before the snapshot is taken, so a
 * write is either in the snapshot or sent to it), and when it sends an ORDER; it is removed when it leaves the view or
 * closes its cache (BYE). A member of the view that does not host the cache is not sent writes and not waited for.
 */
final class WriteOrderer<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(WriteOrderer.class);

  private final CacheContext<K, V> ctx;
  private final CacheConfig<K, V> config;
  private final Cluster cluster;
  private final LocalStore<K, V> store;
  private final SyncReplicator<K, V> replicator;
  /** Operations being ordered right now: a concurrent retry of the same id waits instead of ordering it twice. */
  private final ConcurrentHashMap<OpId, Boolean> ordering = new ConcurrentHashMap<>();
  private final Set<Member> hosts = ConcurrentHashMap.newKeySet();
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
  }

  /** Forgets every host (a reconciliation starts and learns them again). */
  void resetHosts() {
    hosts.clear();
  }

  /** {@code m} hosts the cache: writes are sent to it from now on. */
  void addHost(Member m) {
    if (!m.equals(cluster.self())) {
      hosts.add(m);
    }
  }

  /** {@code m} closed its cache. */
  void removeHost(Member m) {
    hosts.remove(m);
  }

  /** Drops the hosts that are not in the new view. */
  void onView(ClusterView view) {
    hosts.retainAll(view.members());
  }

  /** The members a write is sent to: the hosts in the current view. */
  private List<Member> targets() {
    List<Member> out = new ArrayList<>(hosts.size());
    for (Member m : cluster.members()) {
      if (hosts.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  private static List<String> names(List<Member> members) {
    List<String> out = new ArrayList<>(members.size());
    for (Member m : members) {
      out.add(m.name());
    }
    return out;
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

  /**
   * Orders a write of {@code writer}: returns ORDERED (the APPLYs are sent; SYNC: the writer collects the
   * acknowledgements), APPLIED (ASYNC, this member is the writer), DUPLICATE, or a refusal.
   */
  WriteResult order(WriteOp op, Member writer) {
    if (ctx.closed.get() || !cluster.isCoordinator()) {
      return WriteResult.of(WriteResult.RETRY, "not the coordinator");
    }
    if (ctx.lacksQuorum()) {
      return WriteResult.of(WriteResult.NO_QUORUM, "no quorum");
    }
    long viewId = cluster.view().id();
    if (!orderingReady || readyViewId != viewId) {
      return WriteResult.of(WriteResult.NOT_READY, "coordinator is reconciling state");
    }
    addHost(writer); // it hosts the cache: it sent a write
    if (ordering.putIfAbsent(op.id(), Boolean.TRUE) != null) {
      return WriteResult.of(WriteResult.RETRY, "the same operation is being ordered");
    }
    StoredEntry entry;
    K key;
    try {
      try {
        key = ctx.keyCodec.decode(op.keyBytes());
      } catch (RuntimeException e) {
        return WriteResult.of(WriteResult.CODEC_FAILED, "cache '" + ctx.name
            + "': the coordinator cannot decode the key: " + e.getMessage());
      }
      Version done = store.appliedVersion(key, op.id());
      if (done != null) {
        return duplicate(done, viewId);
      }
      synchronized (store.stripe(key)) {
        StoredEntry cur = store.current(key);
        WriteResult refused = check(key, op, cur);
        if (refused != null) {
          return refused;
        }
        V decoded = null;
        if (op.value() != null && (config.writer().isPresent() || config.weigher().isPresent())) {
          try {
            decoded = ctx.valueCodec.decode(op.value());
          } catch (RuntimeException e) {
            return WriteResult.of(WriteResult.CODEC_FAILED, "cache '" + ctx.name
                + "': the coordinator cannot decode the value: " + e.getMessage());
          }
        }
        WriteResult writerFailed = callWriter(key, op, decoded, cur != null && !cur.tomb());
        if (writerFailed != null) {
          return writerFailed;
        }
        entry = new StoredEntry(nextVersion(), op.value(), op.id().hi(), op.id().lo(), ctx.now());
        if (decoded != null) {
          entry.decoded = decoded;
        }
        store.applyLocked(key, entry); // the entry carries its operation id
      }
    } finally {
      ordering.remove(op.id());
    }
    store.emit(key, entry, op.id().hi() == ctx.instanceId);
    boolean sync = config.writeMode() == WriteMode.SYNC;
    List<Member> targets = targets();
    replicator.sendApply(op.keyBytes(), entry, writer, targets, viewId, sync);
    if (!sync && writer.equals(cluster.self())) {
      return new WriteResult(WriteResult.APPLIED, entry.version, null, false, "async");
    }
    return new WriteResult(WriteResult.ORDERED, entry.version, null, false, "ordered", names(targets), viewId);
  }

  private WriteResult duplicate(Version done, long viewId) {
    return new WriteResult(WriteResult.DUPLICATE, done, null, false, "duplicate", names(targets()), viewId);
  }

  /** Checks the write's condition and the budget against the current entry; null if it may proceed. */
  private WriteResult check(K key, WriteOp op, StoredEntry cur) {
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
  private WriteResult callWriter(K key, WriteOp op, V decoded, boolean present) {
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

  /** An ORDER request from a member that does not know yet that this member orders: answered ACCEPT at once. */
  byte[] onOrderRequest(Member from, byte[] message) {
    onOrder(from, message);
    return Wire.message(Wire.ACCEPT, 2).toArray();
  }

  /**
   * An ORDER from another member. Once ordered, the APPLY to the writer tells it the version; anything else (a
   * refusal, a failed condition, a duplicate) is answered with one RESULT.
   */
  void onOrder(Member from, byte[] message) {
    In in = Wire.open(message, Wire.ORDER);
    WriteOp op = WriteOp.decodeOrder(in);
    WriteResult r;
    try {
      r = order(op, from);
    } catch (RuntimeException e) {
      r = WriteResult.of(WriteResult.INDETERMINATE, String.valueOf(e));
    }
    if (r.status() == WriteResult.ORDERED) {
      return;
    }
    try {
      cluster.send(from, ctx.writeTopic, r.encode(op.id()));
    } catch (RuntimeException e) {
      LOG.debug("cache '{}': could not send a result to {}", ctx.name, from.name(), e);
    }
  }
}
