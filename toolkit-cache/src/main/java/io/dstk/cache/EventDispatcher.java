package io.dstk.cache;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers cache events to the listeners on one thread per cache, in order, through a queue of 10 000; overflow is
 * dropped and counted. A failing listener is logged and does not stop the others.
 */
final class EventDispatcher<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  private final CacheContext<K, V> ctx;
  private final List<CacheListener<K, V>> listeners = new CopyOnWriteArrayList<>();
  private final ThreadPoolExecutor events;

  EventDispatcher(CacheContext<K, V> ctx) {
    this.ctx = ctx;
    this.events = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000),
        DefaultReplicatedCache.threads("dstk-cache-events-" + ctx.name),
        (r, ex) -> ctx.counters.droppedEvents.increment());
  }

  boolean hasListeners() {
    return !listeners.isEmpty();
  }

  void add(CacheListener<K, V> listener) {
    listeners.add(listener);
  }

  void remove(CacheListener<K, V> listener) {
    listeners.remove(listener);
  }

  void dispatch(CacheEvent<K, V> event) {
    if (listeners.isEmpty() || ctx.closed.get()) {
      return;
    }
    events.execute(() -> {
      for (CacheListener<K, V> l : listeners) {
        try {
          l.onEvent(event);
        } catch (RuntimeException ex) {
          LOG.warn("listener of cache '{}' failed on {}", ctx.name, event, ex);
        }
      }
    });
  }

  void shutdown() {
    events.shutdown();
  }
}
