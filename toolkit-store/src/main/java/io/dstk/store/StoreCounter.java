package io.dstk.store;

import java.util.concurrent.CompletableFuture;

/**
 * A named 64-bit counter in a {@link ClusterStore}; linearizable like every store operation. A counter that was never
 * written reads 0; additions overflow with an {@link IllegalArgumentException}-style failure
 * ({@link StoreException}) and leave the counter unchanged. Thread-safe; the handle holds no state.
 */
public interface StoreCounter {

  /**
   * Returns the counter's name.
   *
   * @return the name
   */
  String name();

  /**
   * Reads the counter.
   *
   * @return the value
   */
  long get();

  /**
   * Reads the counter.
   *
   * @return a future of the value
   */
  CompletableFuture<Long> getAsync();

  /**
   * Adds to the counter.
   *
   * @param delta the amount, may be negative
   * @return the value after the addition
   */
  long addAndGet(long delta);

  /**
   * Adds to the counter.
   *
   * @param delta the amount
   * @return a future of the value after the addition
   */
  CompletableFuture<Long> addAndGetAsync(long delta);

  /**
   * Sets the counter to {@code update} if it equals {@code expect}.
   *
   * @param expect the expected value
   * @param update the new value
   * @return whether it was set
   */
  boolean compareAndSet(long expect, long update);

  /**
   * Asynchronous {@link #compareAndSet}.
   *
   * @param expect the expected value
   * @param update the new value
   * @return a future of whether it was set
   */
  CompletableFuture<Boolean> compareAndSetAsync(long expect, long update);
}
