package io.dstk.cache;

import java.util.concurrent.atomic.LongAdder;

/** One cache instance's counters; thread-safe, read into a {@link CacheStats} snapshot off the hot path. */
final class CacheCounters {
  final StripedCounter hits = new StripedCounter();
  final StripedCounter misses = new StripedCounter();
  final LongAdder puts = new LongAdder();
  final LongAdder removals = new LongAdder();
  final LongAdder evictions = new LongAdder();
  final LongAdder rejections = new LongAdder();
  final LongAdder indeterminate = new LongAdder();
  final LongAdder replicationCount = new LongAdder();
  final LongAdder replicationNanos = new LongAdder();
  final LongAdder transferBytes = new LongAdder();
  final LongAdder transferNanos = new LongAdder();
  final LongAdder droppedEvents = new LongAdder();

  CacheStats snapshot(long entries, long weight, long tombstones) {
    return new CacheStats(hits.sum(), misses.sum(), puts.sum(), removals.sum(), evictions.sum(), rejections.sum(),
        indeterminate.sum(), replicationCount.sum(), replicationNanos.sum(), transferBytes.sum(), transferNanos.sum(),
        entries, weight, tombstones, droppedEvents.sum());
  }
}
