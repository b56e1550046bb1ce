package io.dstk.cache;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link ReplicatedCache}'s {@link CacheStats} to Micrometer. Meters are pull-based (function counters and
 * gauges read {@link ReplicatedCache#stats()} when scraped) and hold the cache weakly: binding adds nothing to the read
 * or write path. Micrometer is an optional dependency: only this class needs it.
 *
 * <p>Meters, all tagged {@code cache=<name>} plus the extra tags:
 *
 * <ul>
 *   <li>{@value #GETS} counter, tag {@code result=hit|miss}
 *   <li>{@value #PUTS}, {@value #REMOVALS}, {@value #EVICTIONS}, {@value #REJECTIONS}, {@value #INDETERMINATE}
 *       counters
 *   <li>{@value #REPLICATIONS} counter and {@value #REPLICATION_SECONDS} counter (total seconds; their ratio is the
 *       mean replication latency)
 *   <li>{@value #TRANSFER_BYTES} counter and {@value #TRANSFER_SECONDS} counter: state transfer
 *   <li>{@value #ENTRIES}, {@value #WEIGHT} and {@value #TOMBSTONES} gauges
 * </ul>
 */
public final class CacheMetrics implements MeterBinder {
  /** Counter: reads, tagged by result. */
  public static final String GETS = "dstk.cache.gets";
  /** Counter: acknowledged puts issued here. */
  public static final String PUTS = "dstk.cache.puts";
  /** Counter: acknowledged removals issued here. */
  public static final String REMOVALS = "dstk.cache.removals";
  /** Counter: local evictions and expirations. */
  public static final String EVICTIONS = "dstk.cache.evictions";
  /** Counter: refused writes. */
  public static final String REJECTIONS = "dstk.cache.rejections";
  /** Counter: writes with an unknown outcome. */
  public static final String INDETERMINATE = "dstk.cache.writes.indeterminate";
  /** Counter: writes ordered and replicated by this member. */
  public static final String REPLICATIONS = "dstk.cache.replications";
  /** Counter: total seconds from ordering to the last acknowledgement. */
  public static final String REPLICATION_SECONDS = "dstk.cache.replication.seconds";
  /** Counter: state-transfer bytes received. */
  public static final String TRANSFER_BYTES = "dstk.cache.state.transfer.bytes";
  /** Counter: seconds spent receiving state. */
  public static final String TRANSFER_SECONDS = "dstk.cache.state.transfer.seconds";
  /** Gauge: live entries. */
  public static final String ENTRIES = "dstk.cache.entries";
  /** Gauge: estimated weight. */
  public static final String WEIGHT = "dstk.cache.weight";
  /** Gauge: tombstones held. */
  public static final String TOMBSTONES = "dstk.cache.tombstones";

  private final ReplicatedCache<?, ?> cache;
  private final Tags tags;

  /**
   * Creates a binder.
   *
   * @param cache the cache
   * @param extraTags tags added to every meter
   */
  public CacheMetrics(ReplicatedCache<?, ?> cache, Iterable<Tag> extraTags) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.tags = Tags.of("cache", cache.config().name()).and(extraTags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    WeakReference<ReplicatedCache<?, ?>> ref = new WeakReference<>(cache);
    counter(registry, GETS, ref, s -> s.hits(), tags.and("result", "hit"));
    counter(registry, GETS, ref, s -> s.misses(), tags.and("result", "miss"));
    counter(registry, PUTS, ref, s -> s.puts(), tags);
    counter(registry, REMOVALS, ref, s -> s.removals(), tags);
    counter(registry, EVICTIONS, ref, s -> s.evictions(), tags);
    counter(registry, REJECTIONS, ref, s -> s.rejections(), tags);
    counter(registry, INDETERMINATE, ref, s -> s.indeterminateWrites(), tags);
    counter(registry, REPLICATIONS, ref, s -> s.replicationCount(), tags);
    counter(registry, REPLICATION_SECONDS, ref, s -> s.replicationNanos() / 1e9, tags);
    counter(registry, TRANSFER_BYTES, ref, s -> s.stateTransferBytes(), tags);
    counter(registry, TRANSFER_SECONDS, ref, s -> s.stateTransferNanos() / 1e9, tags);
    gauge(registry, ENTRIES, ref, s -> s.entries());
    gauge(registry, WEIGHT, ref, s -> s.weight());
    gauge(registry, TOMBSTONES, ref, s -> s.tombstones());
  }

  private static ToDoubleFunction<WeakReference<ReplicatedCache<?, ?>>> read(ToDoubleFunction<CacheStats> f) {
    return r -> {
      ReplicatedCache<?, ?> c = r.get();
      return c == null ? Double.NaN : f.applyAsDouble(c.stats());
    };
  }

  private static void counter(MeterRegistry registry, String name, WeakReference<ReplicatedCache<?, ?>> ref,
      ToDoubleFunction<CacheStats> f, Tags tags) {
    FunctionCounter.builder(name, ref, read(f)).tags(tags).register(registry);
  }

  private void gauge(MeterRegistry registry, String name, WeakReference<ReplicatedCache<?, ?>> ref,
      ToDoubleFunction<CacheStats> f) {
    Gauge.builder(name, ref, read(f)).tags(tags).strongReference(true).register(registry);
  }
}
