package io.dstk.membership;

/**
 * The remote member's request handler failed, or it has no handler for the topic; the message carries the remote error text.
 */
public final class RemoteHandlerException extends MembershipException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member or setting involved
   */
  public RemoteHandlerException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public RemoteHandlerException(String message, Throwable cause) {
    super(message, cause);
  }
}
