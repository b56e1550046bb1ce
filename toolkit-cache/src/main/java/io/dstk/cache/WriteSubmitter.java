package io.dstk.cache;

import io.dstk.cache.Wire.In;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterView;
import io.dstk.membership.Member;
import io.dstk.membership.internal.DeadlineBuckets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The caller's side of a write: sends it to the coordinator (or orders it here when this member coordinates) and
 * resends it, with the same operation id, while the coordinator is lost, busy or reconciling, until writeTimeout; then
 * the write is indeterminate. A remote coordinator answers ORDER with ACCEPT and sends the result on the result topic;
 * results are matched to their request id and must come from the member the request went to.
 */
final class WriteSubmitter<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(WriteSubmitter.class);

  private record PendingResult(String target, long deadline, CompletableFuture<WriteResult> future) {}

  private final CacheContext<K, V> ctx;
  private final Cluster cluster;
  private final WriteOrderer<K, V> orderer;
  private final ScheduledExecutorService timer;
  private final AtomicLong reqCounter = new AtomicLong();
  private final ConcurrentHashMap<Long, PendingResult> pendingResults = new ConcurrentHashMap<>();
  /** Deadlines of results awaited from a coordinator: one timer task per 10 ms of deadlines, not one per write. */
  private final DeadlineBuckets resultDeadlines;

  WriteSubmitter(CacheContext<K, V> ctx, WriteOrderer<K, V> orderer, ScheduledExecutorService timer) {
    this.ctx = ctx;
    this.cluster = ctx.cluster;
    this.orderer = orderer;
    this.timer = timer;
    this.resultDeadlines = new DeadlineBuckets(timer, TimeUnit.MILLISECONDS.toNanos(10), this::expireResults);
  }

  /** Sends a write to the orderer, retrying on a lost or busy orderer until the write timeout. */
  CompletableFuture<WriteResult> submit(WriteOp<K> op) {
    CompletableFuture<WriteResult> out = new CompletableFuture<>();
    attempt(op, ctx.now() + ctx.config.writeTimeout().toNanos(), out);
    return out.handle((r, err) -> {
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

  private void attempt(WriteOp<K> op, long deadline, CompletableFuture<WriteResult> out) {
    if (ctx.closed.get()) {
      out.completeExceptionally(new CacheException("cache '" + ctx.name + "' is closed"));
      return;
    }
    if (ctx.lacksQuorum()) {
      out.completeExceptionally(new NoQuorumException("cache '" + ctx.name + "': this member's partition ("
          + cluster.members().size() + " members) has no quorum; writes are refused"));
      return;
    }
    Member coordinator = cluster.coordinator();
    CompletableFuture<WriteResult> r = coordinator.equals(cluster.self()) ? orderer.order(op)
        : sendToCoordinator(op, coordinator, deadline);
    r.whenComplete((result, err) -> {
      if (err != null) {
        out.completeExceptionally(err);
        return;
      }
      switch (result.status()) {
        case WriteResult.APPLIED, WriteResult.CONDITION_FAILED -> out.complete(result);
        case WriteResult.NOT_READY, WriteResult.BUSY, WriteResult.RETRY -> retryLater(op, deadline, out, result);
        case WriteResult.NO_QUORUM -> out.completeExceptionally(new NoQuorumException("cache '" + ctx.name
            + "': the coordinator's partition has no quorum"));
        case WriteResult.FULL -> out.completeExceptionally(new CacheFullException(result.message()));
        case WriteResult.WRITER_FAILED -> out.completeExceptionally(new CacheWriterException(result.message()));
        case WriteResult.CODEC_FAILED -> out.completeExceptionally(new CacheCodecException(result.message()));
        default -> out.completeExceptionally(new IndeterminateWriteException("cache '" + ctx.name + "': "
            + result.message(), op.id().toString(), op));
      }
    });
  }

  private void retryLater(WriteOp<K> op, long deadline, CompletableFuture<WriteResult> out, WriteResult last) {
    long left = deadline - ctx.now();
    if (left <= 0) {
      out.completeExceptionally(new IndeterminateWriteException("cache '" + ctx.name
          + "': no coordinator completed the write within writeTimeout " + ctx.config.writeTimeout() + " (last: "
          + last.message() + ")", op.id().toString(), op));
      return;
    }
    try {
      timer.schedule(() -> attempt(op, deadline, out), Math.min(50, Math.max(1, left / 1_000_000)),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      out.completeExceptionally(new CacheException("cache '" + ctx.name + "' is closed"));
    }
  }

  private CompletableFuture<WriteResult> sendToCoordinator(WriteOp<K> op, Member coordinator, long deadline) {
    CompletableFuture<WriteResult> r = new CompletableFuture<>();
    long req = reqCounter.incrementAndGet();
    long now = ctx.now();
    PendingResult pending = new PendingResult(coordinator.name(), Math.max(deadline, now + 1), r);
    pendingResults.put(req, pending);
    r.whenComplete((x, e) -> pendingResults.remove(req, pending));
    cluster.request(coordinator, ctx.rpc, op.encodeOrder(req), ctx.replicationPolicy).whenComplete((ack, err) -> {
      if (err == null) {
        return; // accepted: the result follows on the result topic
      }
      Throwable t = CacheContext.unwrap(err);
      if (CacheContext.notHosting(t)) {
        r.complete(WriteResult.of(WriteResult.RETRY, "coordinator does not host the cache yet"));
      } else {
        r.complete(WriteResult.of(WriteResult.RETRY, String.valueOf(t)));
      }
    });
    try {
      resultDeadlines.ensure(pending.deadline(), now);
    } catch (RejectedExecutionException e) {
      r.complete(WriteResult.of(WriteResult.RETRY, "closed"));
    }
    return r;
  }

  private void expireResults(long end) {
    for (PendingResult p : pendingResults.values()) {
      if (p.deadline() <= end) {
        p.future().complete(WriteResult.of(WriteResult.RETRY, "no result from the coordinator in time"));
      }
    }
  }

  /** A RESULT from a coordinator. */
  void onResult(Member from, byte[] message) {
    long req;
    WriteResult r;
    try {
      In in = Wire.open(message, Wire.RESULT);
      req = in.i64();
      r = WriteResult.decode(in);
    } catch (IllegalArgumentException e) {
      LOG.warn("cache '{}': malformed result from {}: {}", ctx.name, from.name(), e.getMessage());
      return;
    }
    PendingResult p = pendingResults.get(req);
    if (p != null && p.target().equals(from.name())) {
      p.future().complete(r);
    }
  }

  /** Resends the writes waiting on a coordinator that is not in the new view. */
  void onView(ClusterView view) {
    for (PendingResult p : pendingResults.values()) {
      if (!view.contains(p.target())) {
        p.future().complete(WriteResult.of(WriteResult.RETRY, "coordinator '" + p.target() + "' left the view"));
      }
    }
  }

  void close() {
    for (PendingResult p : pendingResults.values()) {
      p.future().complete(WriteResult.of(WriteResult.RETRY, "closed"));
    }
  }
}
