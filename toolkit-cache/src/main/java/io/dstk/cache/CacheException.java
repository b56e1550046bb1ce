package io.dstk.cache;

/**
 * Base class of the exceptions a {@link ReplicatedCache} throws for conditions of the cache itself (as opposed to
 * {@link NullPointerException} or {@link IllegalArgumentException} for bad arguments). Nothing stored is changed by an
 * operation that fails with one of these, except where {@link IndeterminateWriteException} says otherwise.
 */
public class CacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public CacheException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the cause
   */
  public CacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
