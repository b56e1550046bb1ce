package io.dstk.store;

/**
 * The base of the store's exceptions: an operation could not be completed. Subclasses say why.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public StoreException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
