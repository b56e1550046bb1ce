package io.dstk.membership;

/**
 * Joining the cluster failed: the transport could not start, the join timed out, or the join was refused.
 */
public class JoinFailedException extends MembershipException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member or setting involved
   */
  public JoinFailedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public JoinFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
