package io.dstk.membership;

/**
 * The join was refused because a member of the view speaks a wire version this node cannot read (a member accepts its own version and the previous one).
 */
public final class IncompatibleWireVersionException extends JoinFailedException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member or setting involved
   */
  public IncompatibleWireVersionException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public IncompatibleWireVersionException(String message, Throwable cause) {
    super(message, cause);
  }
}
