package io.dstk.store;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a store's {@link ClusterStore#stats()} to Micrometer as pull-based meters, tagged {@code store=<name>}; the
 * store is held weakly, so binding it does not keep it alive, and nothing runs on the operation path.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@value #LEADER}</td><td>gauge</td><td>1 if this member is the raft leader</td></tr>
 *   <tr><td>{@value #QUORUM}</td><td>gauge</td><td>1 if {@link ClusterStore#hasQuorum()}</td></tr>
 *   <tr><td>{@value #TERM}</td><td>gauge</td><td>the raft term</td></tr>
 *   <tr><td>{@value #COMMIT_INDEX}</td><td>gauge</td><td>the raft commit index</td></tr>
 *   <tr><td>{@value #LOG_SIZE}</td><td>gauge</td><td>entries in the local raft log</td></tr>
 *   <tr><td>{@value #OPERATIONS}</td><td>function timer</td><td>completed operations and their latency</td></tr>
 *   <tr><td>{@value #FAILURES}</td><td>function counter</td><td>failed operations, tag
 *       {@code reason=no_quorum|timeout|other}</td></tr>
 * </table>
 *
 * <p>Micrometer is an optional dependency of this module: only this class needs it. Thread-safe.
 */
public final class StoreMeterBinder implements MeterBinder {
  /** Gauge: 1 if this member leads. */
  public static final String LEADER = "dstk.store.leader";
  /** Gauge: 1 if the store has quorum from here. */
  public static final String QUORUM = "dstk.store.quorum";
  /** Gauge: the raft term. */
  public static final String TERM = "dstk.store.term";
  /** Gauge: the raft commit index. */
  public static final String COMMIT_INDEX = "dstk.store.commit.index";
  /** Gauge: entries in the local log. */
  public static final String LOG_SIZE = "dstk.store.log.size";
  /** Function timer: operations and their latency. */
  public static final String OPERATIONS = "dstk.store.operations";
  /** Function counter: failed operations by reason. */
  public static final String FAILURES = "dstk.store.failures";
  /** Function counter: retried writes answered from the table of recent requests (voters). */
  public static final String DUPLICATES = "dstk.store.duplicates";

  private final ClusterStore store;
  private final Tags tags;

  /**
   * Creates a binder.
   *
   * @param store the store
   * @param extraTags tags added to every meter
   */
  public StoreMeterBinder(ClusterStore store, Tag... extraTags) {
    this.store = Objects.requireNonNull(store, "store");
    this.tags = Tags.of(extraTags).and("store", store.config().storeName());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, LEADER, "1 if this member is the store's raft leader", s -> s.stats().leader() ? 1 : 0);
    gauge(registry, QUORUM, "1 if operations can make progress from this member", s -> s.hasQuorum() ? 1 : 0);
    gauge(registry, TERM, "the raft term", s -> s.stats().term());
    gauge(registry, COMMIT_INDEX, "the raft commit index", s -> s.stats().commitIndex());
    gauge(registry, LOG_SIZE, "entries in the local raft log", s -> s.stats().logSize());
    FunctionTimer.builder(OPERATIONS, store, s -> s.stats().operations(), s -> s.stats().totalLatencyNanos(),
            TimeUnit.NANOSECONDS)
        .description("completed store operations and their latency").tags(tags).register(registry);
    FunctionCounter.builder(DUPLICATES, store, s -> s.stats().duplicates())
        .description("retried writes answered with their first result instead of being applied again").tags(tags)
        .register(registry);
    failures(registry, "no_quorum", s -> s.stats().noQuorum());
    failures(registry, "timeout", s -> s.stats().timeouts());
    failures(registry, "other", s -> {
      StoreStats st = s.stats();
      return st.failures() - st.noQuorum() - st.timeouts();
    });
  }

  private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<ClusterStore> f) {
    Gauge.builder(name, store, f).description(description).tags(tags).register(registry);
  }

  private void failures(MeterRegistry registry, String reason, ToDoubleFunction<ClusterStore> f) {
    FunctionCounter.builder(FAILURES, store, f).description("failed store operations").tags(tags)
        .tag("reason", reason).register(registry);
  }
}
