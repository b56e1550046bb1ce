package io.dstk.cache;

/**
 * Thrown when an encoded key or value exceeds its configured limit ({@link CacheConfig#maxValueBytes()}, or 16 KiB
 * for keys). Nothing was sent or stored.
 */
public class ValueTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public ValueTooLargeException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the cause
   */
  public ValueTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
