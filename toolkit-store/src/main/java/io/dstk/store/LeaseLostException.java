package io.dstk.store;

/**
 * A lease is no longer held: it expired (by the holder's own clock, see {@link Lease}), a renewal was refused, or it was released.
 */
public final class LeaseLostException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public LeaseLostException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public LeaseLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
