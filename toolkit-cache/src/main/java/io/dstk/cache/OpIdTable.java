package io.dstk.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/*
 * The ids of recently applied operations with the version each got, for de-duplicating retries. An id is remembered
 * for the retention, and at most maxSize ids are kept (the oldest go first). Thread-safe.
 *
 * A map plus an insertion-order queue rather than a second Caffeine cache: a JVM whose Caffeine caches have different
 * configurations compiles Caffeine's shared read path with polymorphic calls, which slowed every get of the cache.
 */
final class OpIdTable {
  private record Stamp(Version version, long atNanos) {}

  private record Added(OpId id, Stamp stamp) {}

  private final ConcurrentHashMap<OpId, Stamp> versions = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Added> insertionOrder = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final ReentrantLock purging = new ReentrantLock();
  private final long retentionNanos;
  private final int maxSize;
  private final LongSupplier ticker;

  OpIdTable(long retentionNanos, int maxSize, LongSupplier ticker) {
    this.retentionNanos = retentionNanos;
    this.maxSize = maxSize;
    this.ticker = ticker;
  }

  /** The version the operation got, or null if it is unknown or older than the retention. */
  Version get(OpId id) {
    Stamp s = versions.get(id);
    return s == null || ticker.getAsLong() - s.atNanos() >= retentionNanos ? null : s.version();
  }

  void put(OpId id, Version version) {
    long now = ticker.getAsLong();
    Stamp s = new Stamp(version, now);
    versions.put(id, s);
    insertionOrder.add(new Added(id, s));
    queued.incrementAndGet();
    purge(now);
  }

  /** Drops the ids past their retention, and the oldest beyond maxSize; skipped while another thread purges. */
  private void purge(long now) {
    if (!purging.tryLock()) {
      return;
    }
    try {
      for (Added head = insertionOrder.peek(); head != null; head = insertionOrder.peek()) {
        if (queued.get() <= maxSize && now - head.stamp().atNanos() < retentionNanos) {
          return;
        }
        insertionOrder.poll();
        queued.decrementAndGet();
        versions.remove(head.id(), head.stamp());
      }
    } finally {
      purging.unlock();
    }
  }

  int size() {
    return versions.size();
  }

  void clear() {
    purging.lock();
    try {
      insertionOrder.clear();
      queued.set(0);
      versions.clear();
    } finally {
      purging.unlock();
    }
  }
}
