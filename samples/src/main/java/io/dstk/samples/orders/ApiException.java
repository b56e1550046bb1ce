package io.dstk.samples.orders;

/**
 * A request the service refuses: carries the HTTP status, the message for the JSON error body and, for 429, the
 * seconds to put in {@code Retry-After}.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final long retryAfterSeconds;

  /**
   * Creates a refusal without {@code Retry-After}.
   *
   * @param status the HTTP status, 400..599
   * @param message the error message for the client
   */
  public ApiException(int status, String message) {
    this(status, message, -1);
  }

  /**
   * Creates a refusal.
   *
   * @param status the HTTP status, 400..599
   * @param message the error message for the client
   * @param retryAfterSeconds seconds for the {@code Retry-After} header, or -1 for none
   */
  public ApiException(int status, String message, long retryAfterSeconds) {
    super(message);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be in 400..599: " + status);
    }
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * Returns the HTTP status.
   *
   * @return 400..599
   */
  public int status() {
    return status;
  }

  /**
   * Returns the seconds for {@code Retry-After}.
   *
   * @return the seconds, or -1 for none
   */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
