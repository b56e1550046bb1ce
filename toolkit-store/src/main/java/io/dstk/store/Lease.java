package io.dstk.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A lease held in a {@link ClusterStore}: at most one holder at a time per name, with an epoch that only grows.
 *
 * <p><b>Epoch (fencing token).</b> Each grant of a name gets an epoch larger than every earlier grant of that name.
 * Pass it to whatever the lease protects and have that resource refuse requests with a smaller epoch than it has
 * seen: a holder that lost its lease while paused is then fenced off even if it acts late.
 *
 * <p><b>Expiry and the clock-drift rule.</b> The store's leader decides expiry: a grant made at the leader's time
 * {@code T} (its monotonic clock, stamped into the replicated command) with TTL {@code t} lets another holder in
 * only at leader time {@code T + t} or later. The holder reads its own clock {@code s} before sending the request and
 * treats the lease as lost at {@code s + t - maxClockDrift} ({@link StoreConfig#maxClockDrift()}); since {@code s} is
 * earlier than {@code T}, the holder stops before anyone else can start, as long as the two clocks' rates differ by
 * less than {@code maxClockDrift} over one TTL. {@link #isValid()} and {@link #checkValid()} read the holder's clock on
 * every call: check right before each action. A renewal moves the holder's deadline to
 * {@code s' + t - maxClockDrift} for its own send time {@code s'}.
 *
 * <p><b>Loss.</b> {@link #lost()} completes when the holder's deadline passes without a renewal, when a renewal is
 * refused, or on {@link #release()}; afterwards the lease stays invalid. Thread-safe.
 */
public interface Lease {

  /**
   * Returns the lease name.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the epoch of this grant, the fencing token.
   *
   * @return the epoch, positive
   */
  long epoch();

  /**
   * Returns whether the lease is still held by the holder's clock.
   *
   * @return true until the deadline, a refused renewal or a release
   */
  boolean isValid();

  /**
   * Throws if the lease is no longer held; call right before acting on it.
   *
   * @throws LeaseLostException if the lease is not valid
   */
  void checkValid();

  /**
   * Returns how long the lease is still held by the holder's clock.
   *
   * @return the remaining time, zero once lost
   */
  Duration remaining();

  /**
   * Returns the holder-side expiry: the instant, on the store's monotonic clock ({@link StoreConfig#ticker()},
   * {@code System.nanoTime()} by default), at which the holder treats the lease as lost unless it is renewed before
   * — its send time plus the TTL minus {@link StoreConfig#maxClockDrift()} (see the class comment). Compare it with
   * the same clock: the lease is held while {@code ticker - expiresAtNanos() < 0} (and it was not released or
   * refused a renewal; {@link #isValid()} checks both). A renewal moves it.
   *
   * @return the deadline in the ticker's nanoseconds
   */
  long expiresAtNanos();

  /**
   * Extends the lease by {@code ttl} from now.
   *
   * @param ttl the new TTL, within the configured bounds
   * @throws LeaseLostException if the lease was lost (expired, taken over or released)
   */
  void renew(Duration ttl);

  /**
   * Asynchronous {@link #renew}.
   *
   * @param ttl the new TTL
   * @return a future completing when renewed, or exceptionally with {@link LeaseLostException}
   */
  CompletableFuture<Void> renewAsync(Duration ttl);

  /**
   * Releases the lease so another holder can take it at once; does nothing if it was already lost. The lease is
   * invalid from the call on, whatever the outcome; if the release fails (no quorum, timeout), the lease stays
   * granted in the store until its expiry.
   *
   * @throws NoQuorumException if this side has no quorum
   * @throws StoreTimeoutException if the release was not answered within the operation timeout
   */
  void release();

  /**
   * Asynchronous {@link #release()}; the lease is invalid as soon as this is called.
   *
   * @return a future completing when the store has released the lease (at once if it was already lost)
   */
  CompletableFuture<Void> releaseAsync();

  /**
   * Returns a future that completes when the lease is lost or released (see the class comment).
   *
   * @return the loss notification
   */
  CompletableFuture<Void> lost();
}
