package io.dstk.membership;

/**
 * A secured join was refused: members of the cluster exist, but they and this member do not accept each other's
 * credentials (an untrusted or mismatched TLS certificate, or a different shared key).
 *
 * <p>{@link Cluster#join} throws it when this member would otherwise have ended alone in its own view although
 * discovery showed it members it could not talk to:
 *
 * <ul>
 *   <li>TLS (TCP presets): after joining alone, the member probes the addresses discovery knows ({@code localhost}
 *       port range, {@code staticSeeds}) with a TLS handshake; a handshake refused by either side fails the join.
 *       With {@code dns} the probe is not made: such a member still ends alone.
 *   <li>Shared key (UDP, or TCP without TLS): discovery found a coordinator, but every join request went unanswered
 *       because the coordinator could not decrypt it, or {@code AUTH} rejected it.
 * </ul>
 *
 * <p>A member that finds nobody at all (no other member running, or unreachable) still ends alone without error;
 * use {@link ClusterConfig.Builder#expectedMembers} or {@link ClusterConfig.Builder#voters} and
 * {@link Cluster#hasQuorum()} where acting alone would be wrong.
 */
public class AuthenticationFailedException extends JoinFailedException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member and the peers involved
   */
  public AuthenticationFailedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public AuthenticationFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
