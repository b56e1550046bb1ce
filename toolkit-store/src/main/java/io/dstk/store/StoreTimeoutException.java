package io.dstk.store;

/**
 * The operation did not complete within {@link StoreConfig#operationTimeout()}. Its outcome is unknown: it may have been applied; read before retrying a non-idempotent write.
 */
public final class StoreTimeoutException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public StoreTimeoutException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public StoreTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
