package io.dstk.cache;

/**
 * Thrown in {@link PartitionMode#CONSISTENCY} mode when this member's view does not hold a strict majority of the
 * cluster's expected members: writes are refused (and reads too unless {@link CacheConfig#readsWithoutQuorum()}). The
 * write was not applied anywhere; retry once the partition heals.
 */
public class NoQuorumException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public NoQuorumException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the cause
   */
  public NoQuorumException(String message, Throwable cause) {
    super(message, cause);
  }
}
