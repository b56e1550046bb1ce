package io.dstk.membership;

/**
 * A message or request was addressed to a member that is not in the current view (it left, crashed or is in another partition).
 */
public final class MemberUnavailableException extends MembershipException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member or setting involved
   */
  public MemberUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public MemberUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
