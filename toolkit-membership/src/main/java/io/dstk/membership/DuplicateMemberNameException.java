package io.dstk.membership;

/**
 * The join was refused because a member with the same node name is already in the view.
 */
public final class DuplicateMemberNameException extends JoinFailedException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member or setting involved
   */
  public DuplicateMemberNameException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public DuplicateMemberNameException(String message, Throwable cause) {
    super(message, cause);
  }
}
