package io.dstk.membership;

/**
 * A handle on something registered with a {@link Cluster} (a listener or a handler); closing it removes the
 * registration. Closing is idempotent and thread-safe.
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {

  /** Removes the registration; later calls do nothing. */
  @Override
  void close();
}
