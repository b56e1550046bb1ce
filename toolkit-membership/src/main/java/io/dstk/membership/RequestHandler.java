package io.dstk.membership;

/**
 * Answers the requests of an {@link Endpoint}. Called on a messaging thread of the cluster (never a JGroups thread),
 * possibly concurrently. A thrown exception is sent back and surfaces at the caller as a
 * {@link RemoteHandlerException} carrying the exception's class name and message.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
@FunctionalInterface
public interface RequestHandler<Q, R> {

  /**
   * Handles one request.
   *
   * @param from the sender
   * @param request the decoded request
   * @return the response, not null
   * @throws Exception to answer with a failure
   */
  R handle(Member from, Q request) throws Exception;
}
