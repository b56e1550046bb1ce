package io.dstk.membership;

/**
 * Receives the one-way messages of a {@link Topic}. Called on a messaging thread of the cluster (never a JGroups
 * thread), possibly concurrently for messages from different members; messages from one sender to one topic may be
 * handled concurrently too, so make the handler thread-safe. Exceptions are logged and counted.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface MessageHandler<T> {

  /**
   * Handles one message.
   *
   * @param from the sender
   * @param message the decoded payload
   */
  void onMessage(Member from, T message);
}
