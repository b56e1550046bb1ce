package io.dstk.membership;

/**
 * No response arrived within the request timeout (after all retries).
 */
public final class RequestTimeoutException extends MembershipException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member or setting involved
   */
  public RequestTimeoutException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public RequestTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
