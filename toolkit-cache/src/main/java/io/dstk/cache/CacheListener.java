package io.dstk.cache;

/**
 * Receives the {@link CacheEvent}s of one member's copy of a cache. Called on one thread owned by the cache
 * ({@code dstk-cache-events-<name>}), one event at a time, never on a replication thread; a slow listener delays only
 * the other listeners of this cache. Events are queued in a bounded queue (10 000); on overflow, events are dropped and
 * counted in {@link CacheStats#droppedEvents()}. A listener that throws is logged and keeps receiving.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface CacheListener<K, V> {

  /**
   * Handles one event.
   *
   * @param event the event
   */
  void onEvent(CacheEvent<K, V> event);
}
