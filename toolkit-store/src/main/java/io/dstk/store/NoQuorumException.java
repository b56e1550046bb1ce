package io.dstk.store;

/**
 * This side of the cluster does not hold a majority of the store's voters, or no leader is known and none can be elected: the operation was refused at once. If it was already handed to a leader that then lost its majority, it may or may not have been applied; read before retrying a non-idempotent write.
 */
public final class NoQuorumException extends StoreException {
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
   * @param cause the underlying failure, may be null
   */
  public NoQuorumException(String message, Throwable cause) {
    super(message, cause);
  }
}
