package io.dstk.membership;

/**
 * Requests to this member are not sent for now because recent requests to it failed too often.
 */
public final class CircuitOpenException extends MembershipException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member or setting involved
   */
  public CircuitOpenException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public CircuitOpenException(String message, Throwable cause) {
    super(message, cause);
  }
}
