package io.dstk.cache;

/**
 * Thrown by a write that would add a new key to a cache that is full under {@link FullPolicy#REJECT}. The write was
 * not applied; updates and removals of existing keys still succeed.
 */
public class CacheFullException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public CacheFullException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the cause
   */
  public CacheFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
