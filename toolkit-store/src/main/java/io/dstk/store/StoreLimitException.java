package io.dstk.store;

/**
 * The store refused a write that would exceed {@link StoreConfig#maxKeys()}; nothing was changed.
 */
public final class StoreLimitException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public StoreLimitException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public StoreLimitException(String message, Throwable cause) {
    super(message, cause);
  }
}
