package io.dstk.membership;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link Cluster}'s state and counters to Micrometer. Meters are pull-based and hold the cluster weakly, so
 * binding costs nothing on the message path except one timer record per request. Micrometer is an optional
 * dependency: only this class needs it.
 *
 * <p>Meters (tags: {@code cluster}, {@code node}, plus the ones listed):
 *
 * <ul>
 *   <li>{@value #MEMBERS} gauge: members in the current view
 *   <li>{@value #QUORUM} gauge: 1 while the view has quorum, else 0
 *   <li>{@value #VIEW_CHANGES}, {@value #SUSPICIONS}, {@value #REMOVALS}, {@value #MERGES} counters
 *   <li>{@value #MESSAGES} and {@value #BYTES} counters, tags {@code topic} and {@code direction=in|out}
 *   <li>{@value #DROPPED} counter; {@value #REQUEST_FAILURES} counter
 *   <li>{@value #REQUEST_LATENCY} timer: request to response (or failure), retries included
 * </ul>
 */
public final class ClusterMetrics implements MeterBinder {
  /** Gauge: members in the current view. */
  public static final String MEMBERS = "dstk.membership.members";
  /** Gauge: 1 with quorum, 0 without. */
  public static final String QUORUM = "dstk.membership.quorum";
  /** Counter: views installed. */
  public static final String VIEW_CHANGES = "dstk.membership.view.changes";
  /** Counter: suspicions raised by failure detection (before verification). */
  public static final String SUSPICIONS = "dstk.membership.suspicions";
  /** Counter: members removed without a graceful leave. */
  public static final String REMOVALS = "dstk.membership.removals";
  /** Counter: merge views installed. */
  public static final String MERGES = "dstk.membership.merges";
  /** Counter: messages and requests per topic and direction. */
  public static final String MESSAGES = "dstk.membership.messages";
  /** Counter: payload bytes per topic and direction. */
  public static final String BYTES = "dstk.membership.bytes";
  /** Counter: incoming messages dropped. */
  public static final String DROPPED = "dstk.membership.messages.dropped";
  /** Counter: requests that failed. */
  public static final String REQUEST_FAILURES = "dstk.membership.request.failures";
  /** Timer: request latency. */
  public static final String REQUEST_LATENCY = "dstk.membership.request.latency";

  private final DefaultCluster cluster;
  private final Tags tags;

  /**
   * Creates a binder for a cluster joined with {@link Cluster#join}.
   *
   * @param cluster the cluster
   * @param extraTags tags added to every meter
   * @throws IllegalArgumentException if {@code cluster} was not created by {@link Cluster#join}
   */
  public ClusterMetrics(Cluster cluster, Iterable<Tag> extraTags) {
    Objects.requireNonNull(cluster, "cluster");
    if (!(cluster instanceof DefaultCluster d)) {
      throw new IllegalArgumentException("cluster must come from Cluster.join: " + cluster.getClass().getName());
    }
    this.cluster = d;
    this.tags = Tags.of("cluster", d.config().clusterName(), "node", d.config().nodeName()).and(extraTags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    WeakReference<DefaultCluster> ref = new WeakReference<>(cluster);
    gauge(registry, MEMBERS, ref, c -> c.view().size());
    gauge(registry, QUORUM, ref, c -> c.hasQuorum() ? 1 : 0);
    counter(registry, VIEW_CHANGES, ref, c -> c.stats().viewChanges(), tags);
    counter(registry, SUSPICIONS, ref, DefaultCluster::suspicions, tags);
    counter(registry, REMOVALS, ref, c -> c.stats().removals(), tags);
    counter(registry, MERGES, ref, c -> c.stats().merges(), tags);
    counter(registry, DROPPED, ref, c -> c.stats().messagesDropped(), tags);
    counter(registry, REQUEST_FAILURES, ref, c -> c.stats().requestFailures(), tags);
    Timer latency = Timer.builder(REQUEST_LATENCY).tags(tags).register(registry);
    cluster.latencyObserver(nanos -> latency.record(nanos, TimeUnit.NANOSECONDS));
    cluster.topicObserver(topic -> bindTopic(registry, ref, topic));
    for (String topic : cluster.topicCounters.keySet()) {
      bindTopic(registry, ref, topic);
    }
  }

  private void bindTopic(MeterRegistry registry, WeakReference<DefaultCluster> ref, String topic) {
    Tags in = tags.and("topic", topic, "direction", "in");
    Tags out = tags.and("topic", topic, "direction", "out");
    counter(registry, MESSAGES, ref, c -> topic(c, topic).messagesIn.sum(), in);
    counter(registry, MESSAGES, ref, c -> topic(c, topic).messagesOut.sum(), out);
    counter(registry, BYTES, ref, c -> topic(c, topic).bytesIn.sum(), in);
    counter(registry, BYTES, ref, c -> topic(c, topic).bytesOut.sum(), out);
  }

  private static DefaultCluster.TopicCounters topic(DefaultCluster c, String topic) {
    return c.topicCounters.computeIfAbsent(topic, t -> new DefaultCluster.TopicCounters());
  }

  private void gauge(MeterRegistry registry, String name, WeakReference<DefaultCluster> ref,
      ToDoubleFunction<DefaultCluster> f) {
    Gauge.builder(name, ref, r -> {
      DefaultCluster c = r.get();
      return c == null ? Double.NaN : f.applyAsDouble(c);
    }).tags(tags).strongReference(false).register(registry);
  }

  private static void counter(MeterRegistry registry, String name, WeakReference<DefaultCluster> ref,
      ToDoubleFunction<DefaultCluster> f, Tags t) {
    FunctionCounter.builder(name, ref, r -> {
      DefaultCluster c = r.get();
      return c == null ? 0 : f.applyAsDouble(c);
    }).tags(t).register(registry);
  }
}
