package io.dstk.membership;

/**
 * The receiver of a view-checked request is on a different view than the sender; re-read the membership and route the request again.
 */
public final class StaleViewException extends MembershipException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member or setting involved
   */
  public StaleViewException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public StaleViewException(String message, Throwable cause) {
    super(message, cause);
  }
}
