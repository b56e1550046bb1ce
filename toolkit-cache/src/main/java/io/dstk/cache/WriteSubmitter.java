package io.dstk.cache;

import io.dstk.cache.Wire.In;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterView;
import io.dstk.membership.Member;
import io.dstk.membership.MemberUnavailableException;
import io.dstk.membership.StaleViewException;
import io.dstk.membership.internal.DeadlineBuckets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The writer's side of a write. Sends it to the coordinator (one-way once the coordinator is known to order for this
 * cache, else as a request answered ACCEPT, so that a coordinator without the cache answers "no handler" at once), or
 * orders it here when this member coordinates, and collects the confirmations itself: the coordinator's APPLY reaching
 * this member tells the version and the members it was sent to (the targets), and every target acknowledges straight
 * to this member. The write completes when every target confirmed it or left the view.
 *
 * Timers, per write (one bucketed timer task per 10 ms of deadlines, not one per write):
 *   - no APPLY or RESULT replicationTimeout after the ORDER: the ORDER is sent again, as a request (same id: the
 *     coordinator answers DUPLICATE if it ordered it already);
 *   - a target has not acknowledged replicationTimeout after the ORDER: it is asked with a PROBE request whether it
 *     holds the version (lost acknowledgement), does not host the cache (no handler: not waited for) or does not answer
 *     (suspected, paused, cut off: the write waits for the view to exclude it);
 *   - writeTimeout after the write was submitted: the write fails as indeterminate.
 * A coordinator that leaves the view before the write completed: the write is sent again, same id, to the next one,
 * which reconciles first and answers DUPLICATE (its confirmation is then probed) or orders it anew if no survivor holds
 * it. At most maxPendingWrites writes of this member are tracked at once; beyond it callers back off and retry.
 */
final class WriteSubmitter<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(WriteSubmitter.class);
  /** How soon a member that answered a PROBE with "not yet" is asked again. */
  private static final long REPROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** An acknowledgement: the version a member processed and its status (0 applied or older). */
  private record Ack(Version version, int status) {}

  /** One write until it completes. Fields other than the final ones are guarded by the tracker's lock. */
  private final class Tracker {
    final WriteOp op;
    final long deadline;
    final CompletableFuture<WriteResult> out = new CompletableFuture<>();
    int round;
    /** The member the current round's ORDER went to; null while waiting to retry. */
    String orderer;
    long roundStart;
    long nextCheck = Long.MAX_VALUE;
    Version version;
    List<String> targets;
    long viewId;
    final Map<String, Ack> acks = new HashMap<>();
    final Set<String> excused = new HashSet<>();
    /** This member's view was older than the orderer's: acknowledgements of members it did not know were dropped. */
    boolean viewBehind;

    Tracker(WriteOp op, long deadline) {
      this.op = op;
      this.deadline = deadline;
    }
  }

  private final CacheContext<K, V> ctx;
  private final Cluster cluster;
  private final WriteOrderer<K, V> orderer;
  private final SyncReplicator<K, V> replicator;
  private final ScheduledExecutorService timer;
  private final boolean sync;
  private final long replicationNanos;
  private final ConcurrentHashMap<OpId, Tracker> trackers = new ConcurrentHashMap<>();
  private final Semaphore permits;
  private final DeadlineBuckets checks;
  /** The member last seen ordering this cache's writes: ORDERs to it go one-way. */
  private volatile Member knownOrderer;

  WriteSubmitter(CacheContext<K, V> ctx, WriteOrderer<K, V> orderer, SyncReplicator<K, V> replicator,
      ScheduledExecutorService timer) {
    this.ctx = ctx;
    this.cluster = ctx.cluster;
    this.orderer = orderer;
    this.replicator = replicator;
    this.timer = timer;
    this.sync = ctx.config.writeMode() == WriteMode.SYNC;
    this.replicationNanos = ctx.config.replicationTimeout().toNanos();
    this.permits = new Semaphore(ctx.config.maxPendingWrites());
    this.checks = new DeadlineBuckets(timer, TimeUnit.MILLISECONDS.toNanos(10), this::check);
  }

  /** Sends a write to the orderer and waits for its confirmation, retrying as needed until the write timeout. */
  CompletableFuture<WriteResult> submit(WriteOp op) {
    Tracker running = trackers.get(op.id());
    CompletableFuture<WriteResult> raw;
    if (running != null) {
      raw = running.out; // the same operation submitted again while in flight (a retry of a retry)
    } else {
      Tracker t = new Tracker(op, ctx.now() + ctx.config.writeTimeout().toNanos());
      admit(t);
      raw = t.out;
    }
    return raw.handle((r, err) -> {
      if (err != null) {
        Throwable t = CacheContext.unwrap(err);
        if (t instanceof IndeterminateWriteException) {
          ctx.counters.indeterminate.increment();
        } else {
          ctx.counters.rejections.increment();
        }
        throw t instanceof RuntimeException re ? re : new CompletionException(t);
      }
      return r;
    });
  }

  /** Starts tracking once a permit is free (at most maxPendingWrites writes of this member at once). */
  private void admit(Tracker t) {
    if (!permits.tryAcquire()) {
      later(t, this::admit, "too many writes in flight on this member");
      return;
    }
    if (trackers.putIfAbsent(t.op.id(), t) != null) {
      permits.release();
      Tracker other = trackers.get(t.op.id());
      if (other == null) {
        later(t, this::admit, "the same operation was in flight");
      } else {
        other.out.whenComplete((r, e) -> {
          if (e != null) {
            t.out.completeExceptionally(e);
          } else {
            t.out.complete(r);
          }
        });
      }
      return;
    }
    t.out.whenComplete((r, e) -> {
      trackers.remove(t.op.id(), t);
      permits.release();
    });
    attempt(t);
  }

  private void attempt(Tracker t) {
    if (ctx.closed.get()) {
      t.out.completeExceptionally(new CacheException("cache '" + ctx.name + "' is closed"));
      return;
    }
    if (ctx.lacksQuorum()) {
      t.out.completeExceptionally(new NoQuorumException("cache '" + ctx.name + "': this member's partition ("
          + cluster.members().size() + " members) has no quorum; writes are refused"));
      return;
    }
    Member coordinator = cluster.coordinator();
    long now = ctx.now();
    int round;
    synchronized (t) {
      if (t.out.isDone()) {
        return;
      }
      round = ++t.round;
      t.orderer = coordinator.name();
      t.roundStart = now;
      t.nextCheck = now + replicationNanos;
      t.version = null;
      t.targets = null;
      t.acks.clear();
      t.excused.clear();
    }
    if (!ensureCheck(t, Math.min(t.deadline, now + replicationNanos), now)) {
      return;
    }
    if (coordinator.equals(cluster.self())) {
      handle(t, round, orderer.order(t.op, coordinator));
    } else if (coordinator.equals(knownOrderer)) {
      try {
        cluster.send(coordinator, ctx.writeTopic, t.op.encodeOrder());
      } catch (RuntimeException e) {
        retryRound(t, round, "could not send to the coordinator: " + e);
      }
    } else {
      cluster.request(coordinator, ctx.rpc, t.op.encodeOrder(), ctx.replicationPolicy).whenComplete((ack, err) -> {
        if (err == null) {
          knownOrderer = coordinator; // it orders for this cache: the next ORDERs go one-way
          return;
        }
        Throwable e = CacheContext.unwrap(err);
        retryRound(t, round, CacheContext.notHosting(e) ? "coordinator does not host the cache yet" : String.valueOf(e));
      });
    }
  }

  /** Schedules another round unless the round has moved on (an answer or a view change came first). */
  private void retryRound(Tracker t, int round, String why) {
    synchronized (t) {
      if (t.round != round || t.version != null || t.out.isDone()) {
        return;
      }
      t.orderer = null;
      t.nextCheck = Long.MAX_VALUE;
    }
    later(t, this::attempt, why);
  }

  private void later(Tracker t, Consumer<Tracker> next, String last) {
    long left = t.deadline - ctx.now();
    if (left <= 0) {
      t.out.completeExceptionally(new IndeterminateWriteException("cache '" + ctx.name
          + "': no coordinator completed the write within writeTimeout " + ctx.config.writeTimeout() + " (last: "
          + last + ")", t.op.id().toString(), t.op));
      return;
    }
    try {
      timer.schedule(() -> next.accept(t), Math.min(50, Math.max(1, left / 1_000_000)), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      t.out.completeExceptionally(new CacheException("cache '" + ctx.name + "' is closed"));
    }
  }

  private boolean ensureCheck(Tracker t, long when, long now) {
    try {
      checks.ensure(when, now);
      return true;
    } catch (RejectedExecutionException e) {
      t.out.completeExceptionally(new CacheException("cache '" + ctx.name + "' is closed"));
      return false;
    }
  }

  /** What an orderer answered (locally, or in a RESULT) for round {@code round}. */
  private void handle(Tracker t, int round, WriteResult result) {
    switch (result.status()) {
      case WriteResult.ORDERED, WriteResult.DUPLICATE -> ordered(t, round, result);
      case WriteResult.APPLIED, WriteResult.CONDITION_FAILED -> t.out.complete(result);
      case WriteResult.NOT_READY, WriteResult.BUSY, WriteResult.RETRY -> retryRound(t, round, result.message());
      case WriteResult.NO_QUORUM -> t.out.completeExceptionally(new NoQuorumException("cache '" + ctx.name
          + "': the coordinator's partition has no quorum"));
      case WriteResult.FULL -> t.out.completeExceptionally(new CacheFullException(result.message()));
      case WriteResult.WRITER_FAILED -> t.out.completeExceptionally(new CacheWriterException(result.message()));
      case WriteResult.CODEC_FAILED -> t.out.completeExceptionally(new CacheCodecException(result.message()));
      default -> t.out.completeExceptionally(new IndeterminateWriteException("cache '" + ctx.name + "': "
          + result.message(), t.op.id().toString(), t.op));
    }
  }

  /** The write holds a version: ordered now by this member, or earlier (DUPLICATE, whose confirmation is probed). */
  private void ordered(Tracker t, int round, WriteResult r) {
    boolean duplicate = r.status() == WriteResult.DUPLICATE;
    String self = cluster.self().name();
    List<String> toProbe = new ArrayList<>();
    synchronized (t) {
      if (t.round != round || t.version != null || t.orderer == null) {
        return; // a stale round, the APPLY told the version first, or the round is being retried
      }
      t.version = r.version();
      t.targets = r.targets();
      t.viewId = r.viewId();
      t.viewBehind = cluster.view().id() < r.viewId();
      if (!duplicate || t.orderer.equals(self)) {
        t.acks.put(self, new Ack(r.version(), 0)); // the orderer applied it and holds it
      }
      if (duplicate) {
        for (String m : t.targets) {
          Ack a = t.acks.get(m);
          if (a == null || !a.version().equals(t.version)) {
            toProbe.add(m);
          }
        }
      }
    }
    if (!sync) {
      t.out.complete(new WriteResult(WriteResult.APPLIED, r.version(), null, false, "async"));
      return;
    }
    for (String m : toProbe) {
      probe(t, m, r.version());
    }
    evaluate(t);
  }

  /** A RESULT from an orderer. */
  void onResult(Member from, byte[] message) {
    OpId op;
    WriteResult r;
    try {
      In in = Wire.open(message, Wire.RESULT);
      op = new OpId(in.i64(), in.i64());
      r = WriteResult.decode(in);
    } catch (IllegalArgumentException e) {
      LOG.warn("cache '{}': malformed result from {}: {}", ctx.name, from.name(), e.getMessage());
      return;
    }
    knownOrderer = from;
    Tracker t = trackers.get(op);
    if (t == null) {
      return;
    }
    int round;
    synchronized (t) {
      if (!from.name().equals(t.orderer)) {
        return; // from the orderer of an earlier round
      }
      round = t.round;
    }
    handle(t, round, r);
  }

  /** The orderer's APPLY of a write of this member reached it (and was applied here, or refused). */
  void onOwnApply(Member from, SyncReplicator.OwnApply a) {
    knownOrderer = from;
    Tracker t = trackers.get(a.op());
    if (t == null) {
      return;
    }
    synchronized (t) {
      if (!from.name().equals(t.orderer) || t.version != null && !t.version.equals(a.version())) {
        return;
      }
      if (t.version == null) {
        t.version = a.version();
        t.targets = a.targets();
        t.viewId = a.viewId();
        t.viewBehind = cluster.view().id() < a.viewId();
      }
      t.acks.put(cluster.self().name(), new Ack(a.version(), a.status()));
    }
    if (!a.acknowledged()) {
      t.out.complete(new WriteResult(WriteResult.APPLIED, a.version(), null, false, "async"));
      return;
    }
    evaluate(t);
  }

  /** An ACK from a member that received the APPLY of a write of this member. */
  void onAck(Member from, byte[] message) {
    OpId op;
    Version v;
    int status;
    try {
      In in = Wire.open(message, Wire.ACK);
      op = new OpId(in.i64(), in.i64());
      v = new Version(in.i64(), in.i64());
      status = in.u8();
    } catch (IllegalArgumentException e) {
      LOG.warn("cache '{}': malformed acknowledgement from {}: {}", ctx.name, from.name(), e.getMessage());
      return;
    }
    if (orderer.isOrdering()) {
      orderer.addHost(from); // it applies writes: it hosts the cache
    }
    Tracker t = trackers.get(op);
    if (t == null) {
      return;
    }
    synchronized (t) {
      t.acks.put(from.name(), new Ack(v, status));
    }
    evaluate(t);
  }

  /** Completes the write if every target confirmed it, refused it or left the view. */
  private void evaluate(Tracker t) {
    WriteResult outcome;
    synchronized (t) {
      if (t.version == null || t.targets == null || t.out.isDone()) {
        return;
      }
      Ack own = t.acks.get(cluster.self().name());
      List<String> problems = new ArrayList<>();
      if (own != null && own.version().equals(t.version) && own.status() != 0) {
        problems.add(describe(cluster.self().name(), own.status()));
      }
      ClusterView view = cluster.view();
      for (String m : t.targets) {
        Ack a = t.acks.get(m);
        if (a != null && a.version().equals(t.version)) {
          if (a.status() != 0 && !m.equals(cluster.self().name())) {
            problems.add(describe(m, a.status()));
          }
          continue;
        }
        if (t.excused.contains(m) || view.id() >= t.viewId && !view.contains(m)) {
          continue;
        }
        return; // still waiting for m
      }
      if (!problems.isEmpty()) {
        outcome = WriteResult.of(WriteResult.INDETERMINATE, "write " + t.version + " not confirmed by every member: "
            + problems);
      } else if (ctx.lacksQuorum()) {
        outcome = WriteResult.of(WriteResult.INDETERMINATE, "quorum was lost while write " + t.version
            + " was replicated");
      } else {
        ctx.counters.replicationCount.increment();
        ctx.counters.replicationNanos.add(ctx.now() - t.roundStart);
        outcome = new WriteResult(WriteResult.APPLIED, t.version, null, false, "applied");
      }
    }
    handle(t, -1, outcome);
  }

  private static String describe(String member, int status) {
    return status == 2 ? "'" + member + "' follows another orderer" : "'" + member + "' could not decode the key";
  }

  /** Asks {@code member} whether it holds version {@code v} of the write's key (or a newer one). */
  private void probe(Tracker t, String member, Version v) {
    if (member.equals(cluster.self().name())) {
      int h = replicator.holds(t.op.keyBytes(), v);
      if (h != 1) {
        synchronized (t) {
          t.acks.put(member, new Ack(v, h == 0 ? 0 : 1));
        }
      } else {
        reprobeSoon(t);
      }
      return;
    }
    Optional<Member> m = cluster.view().member(member);
    if (m.isEmpty()) {
      return; // not in this member's view: left (or not seen yet); evaluate decides by view id
    }
    cluster.request(m.get(), ctx.rpc, SyncReplicator.probe(t.op.keyBytes(), v), ctx.replicationPolicy)
        .whenComplete((resp, err) -> {
          if (err == null) {
            int h;
            try {
              h = Wire.open(resp, Wire.PROBE_STATE).u8();
            } catch (IllegalArgumentException e) {
              return;
            }
            if (h == 1) {
              reprobeSoon(t);
              return;
            }
            synchronized (t) {
              t.acks.put(member, new Ack(v, h == 0 ? 0 : 1));
            }
          } else {
            Throwable e = CacheContext.unwrap(err);
            if (!(CacheContext.notHosting(e) || e instanceof StaleViewException
                || e instanceof MemberUnavailableException)) {
              return; // no answer: the write waits for the view to exclude it, or fails at its deadline
            }
            synchronized (t) {
              t.excused.add(member); // does not host the cache (or left): not waited for
            }
          }
          evaluate(t);
        });
  }

  private void reprobeSoon(Tracker t) {
    long now = ctx.now();
    long when;
    synchronized (t) {
      when = Math.min(t.nextCheck, now + REPROBE_NANOS);
      t.nextCheck = when;
    }
    ensureCheck(t, when, now);
  }

  /** Timer: expires writes, sends unanswered ORDERs again and probes members that have not acknowledged. */
  private void check(long end) {
    long now = ctx.now();
    for (Tracker t : trackers.values()) {
      if (t.out.isDone()) {
        continue;
      }
      boolean resend = false;
      Version v = null;
      List<String> toProbe = null;
      String missing = null;
      synchronized (t) {
        if (t.deadline <= end) {
          missing = missing(t);
        } else if (t.orderer != null && t.nextCheck <= end) {
          if (t.version == null) {
            resend = true;
            t.orderer = null;
          } else {
            v = t.version;
            toProbe = new ArrayList<>();
            for (String m : t.targets) {
              Ack a = t.acks.get(m);
              if ((a == null || !a.version().equals(t.version)) && !t.excused.contains(m)) {
                toProbe.add(m);
              }
            }
            t.nextCheck = now + replicationNanos;
          }
        }
      }
      if (missing != null) {
        t.out.completeExceptionally(new IndeterminateWriteException("cache '" + ctx.name + "': " + missing,
            t.op.id().toString(), t.op));
        continue;
      }
      if (resend) {
        knownOrderer = null; // ask it with a request: a coordinator without the cache answers at once
        attempt(t);
        continue;
      }
      if (toProbe != null) {
        for (String m : toProbe) {
          probe(t, m, v);
        }
      }
      long next;
      synchronized (t) {
        next = Math.min(t.deadline, t.nextCheck);
      }
      if (toProbe != null || next <= end) {
        ensureCheck(t, Math.max(next, end + 1), now); // every other next check was scheduled when it was set
      }
    }
  }

  /** Why a write that reached its deadline is indeterminate. Caller holds the tracker's lock. */
  private String missing(Tracker t) {
    if (t.version == null) {
      return "no coordinator completed the write within writeTimeout " + ctx.config.writeTimeout();
    }
    List<String> waiting = new ArrayList<>();
    for (String m : t.targets) {
      Ack a = t.acks.get(m);
      if ((a == null || !a.version().equals(t.version)) && !t.excused.contains(m)) {
        waiting.add("'" + m + "'");
      }
    }
    return "write " + t.version + " not confirmed by every member: " + waiting + " did not acknowledge within "
        + ctx.config.replicationTimeout() + " nor left the view within writeTimeout " + ctx.config.writeTimeout();
  }

  /** A new view: confirms writes waiting on members it excludes; resends writes whose coordinator left. */
  void onView(ClusterView view) {
    Member known = knownOrderer;
    if (known != null && !view.members().contains(known)) {
      knownOrderer = null;
    }
    for (Tracker t : trackers.values()) {
      evaluate(t);
      List<String> toProbe = new ArrayList<>();
      Version v;
      synchronized (t) {
        v = t.version;
        if (t.viewBehind && v != null && view.id() >= t.viewId && !t.out.isDone()) {
          t.viewBehind = false; // members this member did not know may have acknowledged in vain: ask them
          for (String m : t.targets) {
            Ack a = t.acks.get(m);
            if ((a == null || !a.version().equals(v)) && !t.excused.contains(m) && view.contains(m)) {
              toProbe.add(m);
            }
          }
        }
      }
      for (String m : toProbe) {
        probe(t, m, v);
      }
      int round;
      String gone;
      synchronized (t) {
        if (t.out.isDone() || t.orderer == null || view.contains(t.orderer)) {
          continue;
        }
        round = t.round;
        gone = t.orderer;
        t.version = null; // resent to the next coordinator, which answers DUPLICATE if it holds the write
      }
      retryRound(t, round, "coordinator '" + gone + "' left the view");
    }
  }

  void close() {
    for (Tracker t : trackers.values()) {
      t.out.completeExceptionally(new CacheException("cache '" + ctx.name + "' is closed"));
    }
  }
}
