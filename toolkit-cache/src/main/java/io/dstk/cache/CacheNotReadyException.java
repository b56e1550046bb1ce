package io.dstk.cache;

/**
 * Thrown by reads on a member that has not yet received the cluster's state after joining, or that is replacing its
 * state after a partition healed. Wait with {@link ReplicatedCache#awaitReady(java.time.Duration)}.
 */
public class CacheNotReadyException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public CacheNotReadyException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the cause
   */
  public CacheNotReadyException(String message, Throwable cause) {
    super(message, cause);
  }
}
