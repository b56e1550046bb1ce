package io.dstk.cache;

/**
 * Thrown when the outcome of a write is unknown: a member of the view neither acknowledged it within
 * {@link CacheConfig#replicationTimeout()} nor left the view within {@link CacheConfig#writeTimeout()}, the ordering
 * member was lost and retries ran out of
 * {@link CacheConfig#writeTimeout()}, or quorum was lost while the write was in flight.
 *
 * <p>The write may be applied on some or all members, or on none. Retrying it with
 * {@link ReplicatedCache#retry(IndeterminateWriteException)} reuses {@link #operationId()}, so a write that was in fact
 * ordered is not applied a second time (de-duplication holds for {@link CacheConfig#operationIdRetention()}).
 */
public class IndeterminateWriteException extends CacheException {
  private static final long serialVersionUID = 1L;

  private final String operationId;
  private final transient Object operation;

  /**
   * Creates the exception.
   *
   * @param message what happened
   * @param operationId the id of the write, as text
   * @param operation the internal operation to retry, or null
   */
  public IndeterminateWriteException(String message, String operationId, Object operation) {
    super(message + " (operation " + operationId + ")");
    this.operationId = operationId;
    this.operation = operation;
  }

  /**
   * Returns the id of the write whose outcome is unknown.
   *
   * @return 32 hex digits
   */
  public String operationId() {
    return operationId;
  }

  Object operation() {
    return operation;
  }
}
