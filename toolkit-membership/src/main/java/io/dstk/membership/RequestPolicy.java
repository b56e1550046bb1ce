package io.dstk.membership;

import java.time.Duration;
import java.util.Objects;

/**
 * How a request is sent: its per-attempt timeout, retries with backoff, whether it is checked against the receiver's
 * view, and when the per-member circuit breaker opens.
 *
 * <p>Only {@link RequestTimeoutException} is retried: a handler failure, a stale view or a departed member are
 * answers, not transient faults. The circuit breaker is kept per target member name; it opens after
 * {@code circuitBreakerFailures} consecutive timeouts and lets one trial request through after
 * {@code circuitBreakerDelay}. Immutable and thread-safe.
 *
 * @param timeout time to wait for each attempt's response, positive
 * @param maxAttempts total attempts including the first, 1..10
 * @param backoff delay before the first retry (doubled on each further retry, at most 10x), not negative
 * @param viewChecked if true, the request carries the sender's view id and a receiver on another view answers with
 *     {@link StaleViewException}
 * @param circuitBreakerFailures consecutive failures that open the breaker; 0 disables circuit breaking
 * @param circuitBreakerDelay how long an open breaker waits before a trial request, positive
 */
public record RequestPolicy(
    Duration timeout,
    int maxAttempts,
    Duration backoff,
    boolean viewChecked,
    int circuitBreakerFailures,
    Duration circuitBreakerDelay) {

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException naming the setting that is out of range
   * @throws NullPointerException if a duration is null
   */
  public RequestPolicy {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(circuitBreakerDelay, "circuitBreakerDelay");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new IllegalArgumentException("maxAttempts must be in 1..10: " + maxAttempts);
    }
    if (backoff.isNegative()) {
      throw new IllegalArgumentException("backoff must not be negative: " + backoff);
    }
    if (circuitBreakerFailures < 0) {
      throw new IllegalArgumentException("circuitBreakerFailures must be >= 0: " + circuitBreakerFailures);
    }
    if (circuitBreakerDelay.isNegative() || circuitBreakerDelay.isZero()) {
      throw new IllegalArgumentException("circuitBreakerDelay must be positive: " + circuitBreakerDelay);
    }
  }

  /**
   * Returns the defaults: 5 s timeout, one attempt, 100 ms backoff, not view-checked, breaker opening after 5
   * consecutive failures for 5 s.
   *
   * @return the default policy
   */
  public static RequestPolicy defaults() {
    return new RequestPolicy(Duration.ofSeconds(5), 1, Duration.ofMillis(100), false, 5, Duration.ofSeconds(5));
  }

  /**
   * Returns a copy with another per-attempt timeout.
   *
   * @param newTimeout the timeout, positive
   * @return the new policy
   */
  public RequestPolicy withTimeout(Duration newTimeout) {
    return new RequestPolicy(newTimeout, maxAttempts, backoff, viewChecked, circuitBreakerFailures,
        circuitBreakerDelay);
  }

  /**
   * Returns a copy with retries.
   *
   * @param newMaxAttempts total attempts, 1..10
   * @param newBackoff delay before the first retry
   * @return the new policy
   */
  public RequestPolicy withRetries(int newMaxAttempts, Duration newBackoff) {
    return new RequestPolicy(timeout, newMaxAttempts, newBackoff, viewChecked, circuitBreakerFailures,
        circuitBreakerDelay);
  }

  /**
   * Returns a copy that is (or is not) checked against the receiver's view.
   *
   * @param checked whether to carry the view id
   * @return the new policy
   */
  public RequestPolicy withViewCheck(boolean checked) {
    return new RequestPolicy(timeout, maxAttempts, backoff, checked, circuitBreakerFailures, circuitBreakerDelay);
  }

  /**
   * Returns a copy with other circuit-breaker settings.
   *
   * @param failures consecutive failures that open the breaker, 0 to disable
   * @param delay how long it stays open before a trial request
   * @return the new policy
   */
  public RequestPolicy withCircuitBreaker(int failures, Duration delay) {
    return new RequestPolicy(timeout, maxAttempts, backoff, viewChecked, failures, delay);
  }
}
