package io.dstk.cache;

/**
 * Thrown when a key or value codec fails: encoding a value given to a write (nothing was sent), or decoding the
 * stored bytes of one entry on {@code get} (other entries are unaffected; replication never decodes values).
 */
public class CacheCodecException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public CacheCodecException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the cause
   */
  public CacheCodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
