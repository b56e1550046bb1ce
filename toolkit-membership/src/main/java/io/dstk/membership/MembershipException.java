package io.dstk.membership;

/**
 * Base class of the typed failures of this module.
 */
public class MembershipException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member or setting involved
   */
  public MembershipException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public MembershipException(String message, Throwable cause) {
    super(message, cause);
  }
}
