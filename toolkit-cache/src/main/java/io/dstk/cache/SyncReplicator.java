package io.dstk.cache;

import io.dstk.cache.Wire.In;
import io.dstk.cache.Wire.Out;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterView;
import io.dstk.membership.Member;
import io.dstk.membership.MemberUnavailableException;
import io.dstk.membership.RequestTimeoutException;
import io.dstk.membership.StaleViewException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/*
 * Both ends of replication. The orderer sends each write (APPLY) to every other member of the view and tracks their
 * acknowledgements: the write is confirmed when every member applied it or left the view (or does not host the cache,
 * in which case it pulls the state when it creates it). A member still in the view that does not answer within
 * replicationTimeout (suspected, paused, cut off) delays the write further until the view excludes it, which confirms
 * the write, or until writeTimeout has passed since replication started, which makes it indeterminate. The receiving
 * end applies the write by version if it comes from the member it accepts writes from (see OrdererFence).
 */
final class SyncReplicator<K, V> {
  private final CacheContext<K, V> ctx;
  private final Cluster cluster;
  private final LocalStore<K, V> store;
  private final OrdererFence fence;
  private final ScheduledExecutorService timer;
  /** Writes waiting for the view to exclude a member that did not acknowledge in time. */
  private final Set<Exclusion> exclusions = ConcurrentHashMap.newKeySet();

  /** Completes with null when {@code member} leaves the view, or with {@code problem} at the deadline. */
  private record Exclusion(Member member, String problem, CompletableFuture<String> future) {}

  SyncReplicator(CacheContext<K, V> ctx, LocalStore<K, V> store, OrdererFence fence, ScheduledExecutorService timer) {
    this.ctx = ctx;
    this.cluster = ctx.cluster;
    this.store = store;
    this.fence = fence;
    this.timer = timer;
  }

  /** Confirms, for writes waiting on them, the members a new view no longer holds. */
  void onView(ClusterView view) {
    for (Exclusion e : exclusions) {
      if (!view.members().contains(e.member())) {
        e.future().complete(null);
      }
    }
  }

  /** Sends an ordered write to every other member; completes when all confirmed it, or with INDETERMINATE. */
  CompletableFuture<WriteResult> replicate(byte[] keyBytes, StoredEntry entry) {
    long start = ctx.now();
    Out out = Wire.message(Wire.APPLY, 64 + keyBytes.length + (entry.bytes == null ? 0 : entry.bytes.length));
    Wire.writeEntry(out, entry.toWire(keyBytes));
    byte[] message = out.toArray();
    List<CompletableFuture<String>> acks = new ArrayList<>();
    for (Member m : cluster.members()) {
      if (m.equals(cluster.self())) {
        continue;
      }
      acks.add(cluster.request(m, ctx.rpc, message, ctx.replicationPolicy)
          .handle((resp, err) -> outcome(m, resp, err, start))
          .thenCompose(f -> f));
    }
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).thenApply(x -> {
      ctx.counters.replicationCount.increment();
      ctx.counters.replicationNanos.add(ctx.now() - start);
      List<String> problems = new ArrayList<>();
      for (CompletableFuture<String> a : acks) {
        String p = a.join();
        if (p != null) {
          problems.add(p);
        }
      }
      if (!problems.isEmpty()) {
        return WriteResult.of(WriteResult.INDETERMINATE, "write " + entry.version + " not confirmed by every member: "
            + problems);
      }
      if (ctx.lacksQuorum()) {
        return WriteResult.of(WriteResult.INDETERMINATE, "quorum was lost while write " + entry.version
            + " was replicated");
      }
      return new WriteResult(WriteResult.APPLIED, entry.version, null, false, "applied");
    });
  }

  /**
   * Returns null if the member applied the write or is no longer in the view, else what went wrong; a member that
   * timed out is given until the write's deadline to leave the view.
   */
  private CompletableFuture<String> outcome(Member m, byte[] resp, Throwable err, long start) {
    String problem = problem(m, resp, err);
    Throwable t = err == null ? null : CacheContext.unwrap(err);
    if (problem == null || !(t instanceof RequestTimeoutException || t instanceof TimeoutException)) {
      return CompletableFuture.completedFuture(problem);
    }
    long left = start + ctx.config.writeTimeout().toNanos() - ctx.now();
    if (left <= 0) {
      return CompletableFuture.completedFuture(problem);
    }
    Exclusion e = new Exclusion(m, problem + " nor left it within writeTimeout " + ctx.config.writeTimeout(),
        new CompletableFuture<>());
    exclusions.add(e);
    e.future().whenComplete((x, y) -> exclusions.remove(e));
    if (!cluster.members().contains(m)) {
      e.future().complete(null); // excluded before the waiter was registered
    } else {
      try {
        ScheduledFuture<?> expiry = timer.schedule(() -> e.future().complete(e.problem()), left, TimeUnit.NANOSECONDS);
        e.future().whenComplete((x, y) -> expiry.cancel(false));
      } catch (RejectedExecutionException closed) {
        e.future().complete(e.problem());
      }
    }
    return e.future();
  }

  private String problem(Member m, byte[] resp, Throwable err) {
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
    Throwable t = CacheContext.unwrap(err);
    if (t instanceof MemberUnavailableException || !cluster.members().contains(m)) {
      return null;
    }
    if (CacheContext.notHosting(t)) {
      return null; // the member does not host this cache (yet): it will pull the state when it creates it
    }
    if (t instanceof StaleViewException) {
      // the receiver does not know this member yet: a joiner that has not installed its first view, so it cannot
      // host the cache yet either; it pulls the state once it creates the cache
      return null;
    }
    if (t instanceof RequestTimeoutException || t instanceof TimeoutException) {
      return "'" + m.name() + "' did not acknowledge within " + ctx.config.replicationTimeout()
          + " and is still in the view";
    }
    return "'" + m.name() + "' failed: " + t;
  }

  /** The receiving end: applies an APPLY from the accepted orderer and answers its ACK. */
  byte[] onApply(Member from, byte[] message) {
    In in = Wire.open(message, Wire.APPLY);
    Wire.WireEntry we = Wire.readEntry(in);
    int status = fence.applyIfAccepted(from, cluster, () -> store.applyReceived(we));
    return Wire.message(Wire.ACK, 3).u8(status).toArray();
  }
}
