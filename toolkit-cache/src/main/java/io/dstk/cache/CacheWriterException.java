package io.dstk.cache;

/**
 * Thrown when the configured {@link CacheWriter} failed on the member ordering the write; the write was not applied
 * anywhere.
 */
public class CacheWriterException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public CacheWriterException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the cause
   */
  public CacheWriterException(String message, Throwable cause) {
    super(message, cause);
  }
}
