package io.dstk.store;

import io.dstk.store.internal.Codec.Op;
import io.dstk.store.internal.Codec.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A held lease: its holder-side deadline by the holder's ticker, and a timer that reports the loss. */
final class DefaultLease implements Lease {
  private final DefaultClusterStore store;
  private final String name;
  private final long epoch;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private volatile long deadline;
  private ScheduledFuture<?> timer;

  DefaultLease(DefaultClusterStore store, String name, long epoch, long deadline) {
    this.store = store;
    this.name = name;
    this.epoch = epoch;
    setDeadline(deadline);
  }

  private synchronized void setDeadline(long d) {
    deadline = d;
    if (timer != null) {
      timer.cancel(false);
    }
    long delay = d - store.ticker().getAsLong();
    try {
      timer = store.scheduler().schedule(this::isValid, Math.max(0, delay), TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      lost.complete(null); // store closed
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public boolean isValid() {
    if (lost.isDone()) {
      return false;
    }
    if (store.ticker().getAsLong() - deadline >= 0) {
      lost.complete(null);
      return false;
    }
    return true;
  }

  @Override
  public void checkValid() {
    if (!isValid()) {
      throw new LeaseLostException("lease '" + name + "' (epoch " + epoch + ") is no longer held");
    }
  }

  @Override
  public Duration remaining() {
    long left = deadline - store.ticker().getAsLong();
    return isValid() && left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  @Override
  public void renew(Duration ttl) {
    DefaultClusterStore.join(renewAsync(ttl));
  }

  @Override
  public CompletableFuture<Void> renewAsync(Duration ttl) {
    long ttlNanos = store.checkTtl(ttl);
    if (!isValid()) {
      return CompletableFuture.failedFuture(new LeaseLostException("lease '" + name + "' (epoch " + epoch
          + ") was lost before the renewal"));
    }
    long start = store.ticker().getAsLong();
    return store.execute(DefaultClusterStore.cmd(Op.LEASE_RENEW, name, epoch, ttlNanos, store.holderId(), null))
        .thenAccept(r -> {
          if (r.status() != Status.OK) {
            lost.complete(null);
            throw new LeaseLostException("lease '" + name + "' (epoch " + epoch + ") was lost: "
                + (r.text() == null ? "expired" : "now held by " + r.text() + " at epoch " + r.version()));
          }
          if (!lost.isDone()) {
            setDeadline(start + ttlNanos - store.config().maxClockDrift().toNanos());
          }
        });
  }

  @Override
  public long expiresAtNanos() {
    return deadline;
  }

  @Override
  public void release() {
    DefaultClusterStore.join(releaseAsync());
  }

  @Override
  public CompletableFuture<Void> releaseAsync() {
    if (!lost.complete(null)) {
      return CompletableFuture.completedFuture(null);
    }
    synchronized (this) {
      if (timer != null) {
        timer.cancel(false);
      }
    }
    return store.execute(DefaultClusterStore.cmd(Op.LEASE_RELEASE, name, epoch, 0, store.holderId(), null))
        .thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> lost() {
    return lost.copy();
  }

  @Override
  public String toString() {
    return "Lease[" + name + ", epoch=" + epoch + (isValid() ? ", held" : ", lost") + "]";
  }
}
