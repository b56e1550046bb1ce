package io.dstk.samples.orders;

import io.dstk.cache.CacheConfig;
import io.dstk.cache.CacheException;
import io.dstk.cache.CacheFullException;
import io.dstk.cache.CacheMetrics;
import io.dstk.cache.CacheStats;
import io.dstk.cache.FullPolicy;
import io.dstk.cache.IndeterminateWriteException;
import io.dstk.cache.ReplicatedCache;
import io.dstk.cache.WriteMode;
import io.dstk.idgen.IdGenerator;
import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.SnowflakeLayout;
import io.dstk.idgen.cluster.ClusterWorkerIdSource;
import io.dstk.idgen.micrometer.SnowflakeMetrics;
import io.dstk.idgen.micrometer.WorkerIdLeaseMetrics;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.ClusterMetrics;
import io.dstk.membership.ClusterRing;
import io.dstk.membership.Member;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.Topic;
import io.dstk.ratelimit.Budget;
import io.dstk.ratelimit.BudgetState;
import io.dstk.ratelimit.BudgetStoreException;
import io.dstk.ratelimit.RateLimitDecision;
import io.dstk.ratelimit.cluster.ClusterBudget;
import io.dstk.ratelimit.cluster.ClusterRateLimiter;
import io.dstk.ratelimit.cluster.ClusterRateLimiterStats;
import io.dstk.ratelimit.micrometer.ClusterRateLimitMetrics;
import io.dstk.ratelimit.micrometer.RateLimitMetrics;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreConfig;
import io.dstk.store.StoreMeterBinder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One node of the order service: every dstk module wired together. Orders get a Snowflake id (worker id leased in
 * the cluster store), pass a per-customer cluster rate limit and a cluster budget on order volume, and are stored in
 * a SYNC replicated cache that refuses new keys when full; a consistent-hash ring of the members decides which node
 * processes which order.
 *
 * <p>Thread-safe. {@link #start} blocks until the node has joined, the store has a leader and the cache holds the
 * cluster's state. {@link #close()} leaves the cluster; idempotent.
 */
public final class OrderService implements AutoCloseable {
  private static final Topic<String> KILL_SWITCH = Topic.of("orders.kill-switch", PayloadCodec.utf8());
  private static final Duration STARTUP = Duration.ofSeconds(90);
  /** How long an order waits for this node's first rate-limit lease of its customer (a round trip, normally). */
  private static final Duration LEASE_WAIT = Duration.ofMillis(500);
  private static final Duration LEASE_TTL = Duration.ofSeconds(2);

  private final NodeOptions options;
  private final InstantSource clock;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<String> stopped = new AtomicReference<>();
  private final Map<String, Counter> placed = new LinkedHashMap<>();
  private Cluster cluster;
  private ClusterStore store;
  private SnowflakeGenerator ids;
  private ReplicatedCache<Long, Order> cache;
  private ClusterRateLimiter limiter;
  private Budget budget;
  private ClusterRing ring;
  private OrderProcessor processor;

  private OrderService(NodeOptions options, InstantSource clock) {
    this.options = options;
    this.clock = clock;
  }

  /**
   * Starts a node and waits until it is ready.
   *
   * @param options the node's settings
   * @param clock the wall clock for order timestamps
   * @return the running node
   * @throws IllegalStateException if the store finds no leader or the cache gets no state within 90 s
   * @throws InterruptedException if interrupted while waiting
   */
  public static OrderService start(NodeOptions options, InstantSource clock) throws InterruptedException {
    OrderService service = new OrderService(options, clock);
    try {
      service.open();
      return service;
    } catch (RuntimeException | InterruptedException e) {
      service.close();
      throw e;
    }
  }

  private void open() throws InterruptedException {
    int expected = options.voters().size();
    cluster = add(Cluster.join(ClusterConfig.localhost(options.cluster()).nodeName(options.name())
        .ports(options.basePort(), options.portRange()).expectedMembers(expected).build()));
    cluster.subscribe(KILL_SWITCH, (from, reason) -> stopAccepting(reason));

    // Built first: its warm-up (below) runs while the store and the cache start.
    limiter = add(ClusterRateLimiter.builder(cluster, "orders-per-customer", options.customerLimit(),
            options.customerPeriod())
        .strategy(ClusterRateLimiter.Strategy.LEASED_TOKENS)
        .expectedMembers(expected)
        .leaseTtl(LEASE_TTL)
        .build());
    long limiterWarmAt = System.nanoTime() + LEASE_TTL.plus(options.customerPeriod()).toNanos();

    StoreConfig.Builder storeConfig = StoreConfig.voters(options.voters().toArray(String[]::new));
    options.dataDir().ifPresent(dir -> storeConfig.logDirectory(dir.resolve(options.name())));
    store = add(ClusterStore.open(cluster, storeConfig.build()));
    if (!store.awaitQuorum(STARTUP)) {
      throw new IllegalStateException("the store found no leader within " + STARTUP.toSeconds() + " s");
    }

    ClusterWorkerIdSource workerIds = add(ClusterWorkerIdSource.builder(store).group("orders").maxWorkerIds(64)
        .build());
    ids = add(untilStarted("lease a worker id",
        () -> IdGenerator.snowflake(SnowflakeLayout.twitter()).workerIds(workerIds).clock(clock).build()));

    cache = add(ReplicatedCache.create(cluster, CacheConfig.builder("orders", PayloadCodec.longs(), new OrderCodec())
        .writeMode(WriteMode.SYNC)
        .maximumSize(options.maxOrders())
        .fullPolicy(FullPolicy.REJECT)
        .build()));
    if (!cache.awaitReady(STARTUP)) {
      throw new IllegalStateException("the cache got no state within " + STARTUP.toSeconds() + " s");
    }

    budget = untilStarted("open the order budget", () -> ClusterBudget.builder(store, "order-volume", options.budget())
        .onTrip(event -> {
          String reason = "order budget exhausted: " + event.used() + " of " + event.limit()
              + " orders used; the kill switch stopped accepting orders";
          stopAccepting(reason);
          cluster.broadcast(KILL_SWITCH, reason);
        })
        .build());
    if (untilStarted("read the order budget", () -> budget.state().tripped())) {
      stopAccepting("order budget exhausted; the kill switch stopped accepting orders");
    }

    ring = add(ClusterRing.create(cluster));
    processor = add(new OrderProcessor(cluster.self().name(), ring, cache, clock, options.processEvery()));
    bindMetrics(workerIds);
    awaitLimiterWarm(limiterWarmAt);
  }

  /*
   * The limiter's owner of a customer gives a customer it has not seen its full burst only once it has owned the
   * customer's place on the ring for leaseTtl + capacity / rate (capacity = limit here, so leaseTtl + period);
   * before that the bucket starts as if created empty leaseTtl after the owner's start, since it cannot tell a fresh
   * cluster from one where another node used up the customer's burst moments ago. Open for orders only then, so
   * that the first orders of a new customer are not refused right after the cluster starts.
   */
  private void awaitLimiterWarm(long warmAt) throws InterruptedException {
    long wait = warmAt - System.nanoTime();
    if (wait > 0) {
      System.out.printf("waiting %.1f s until the rate limiter gives new customers their full burst%n", wait / 1e9);
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  private void bindMetrics(ClusterWorkerIdSource workerIds) {
    new ClusterMetrics(cluster, Tags.empty()).bindTo(registry);
    new StoreMeterBinder(store).bindTo(registry);
    new CacheMetrics(cache, Tags.empty()).bindTo(registry);
    new SnowflakeMetrics(ids, "orders").bindTo(registry);
    new WorkerIdLeaseMetrics(workerIds).bindTo(registry);
    ClusterRateLimitMetrics.bind(limiter, "orders-per-customer", registry);
    RateLimitMetrics.bind(budget, registry);
    for (String result : List.of("accepted", "limited", "budget_exhausted", "full", "unavailable")) {
      placed.put(result, Counter.builder("orders.placed").tag("result", result)
          .description("POST /orders by outcome").register(registry));
    }
  }

  /*
   * A store operation right after startup can time out while the raft leader is still settling (or the machine is
   * busy): retry the startup steps that touch the store until the startup deadline.
   */
  private static <T> T untilStarted(String step, Supplier<T> action) throws InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (true) {
      try {
        return action.get();
      } catch (RuntimeException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("could not " + step + " within " + STARTUP.toSeconds() + " s", e);
        }
        System.out.println("could not " + step + " yet, retrying: " + e);
        TimeUnit.MILLISECONDS.sleep(500);
      }
    }
  }

  private <T extends AutoCloseable> T add(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  private void stopAccepting(String reason) {
    if (stopped.compareAndSet(null, reason)) {
      System.out.println("KILL SWITCH " + reason);
    }
  }

  /**
   * Places an order: id, per-customer limit, budget, then a SYNC put into the replicated cache.
   *
   * @param customer the customer (validated)
   * @param item the item (validated)
   * @param quantity the quantity (validated)
   * @return the stored order, readable on every member when this returns
   * @throws ApiException 429 over the customer's limit, 503 when the kill switch stopped orders or the cluster has
   *     no quorum, 507 when the cache is full
   * @throws InterruptedException if interrupted while waiting for a rate-limit lease (the order is not placed)
   */
  public Order place(String customer, String item, int quantity) throws InterruptedException {
    Order.checkCustomer(customer);
    Order.checkItem(item);
    Order.checkQuantity(quantity);
    String reason = stopped.get();
    if (reason != null) { // the kill switch: refuse at once, before any cluster round trip
      placed.get("budget_exhausted").increment();
      throw new ApiException(503, reason);
    }
    long id = ids.nextId();
    RateLimitDecision limit = admit(customer);
    if (!limit.allowed()) {
      placed.get("limited").increment();
      throw new ApiException(429, "customer '" + customer + "' is over its limit of " + options.customerLimit()
          + " orders per " + options.customerPeriod().toSeconds() + " s",
          Math.max(1, limit.retryAfterSeconds()));
    }
    try {
      if (!budget.tryAcquire(1)) {
        reason = Optional.ofNullable(stopped.get()).orElse("order budget exhausted; no more orders are accepted");
      }
    } catch (BudgetStoreException e) {
      placed.get("unavailable").increment();
      throw new ApiException(503, "the order budget cannot be checked (no store quorum): " + e.getMessage());
    }
    if (reason != null) {
      placed.get("budget_exhausted").increment();
      throw new ApiException(503, reason);
    }
    long now = clock.millis();
    Order order = new Order(id, customer, item, quantity, OrderStatus.NEW, now, now);
    try {
      if (!cache.putIfAbsent(id, order)) {
        throw new IllegalStateException("order id issued twice: " + id);
      }
    } catch (CacheFullException e) {
      placed.get("full").increment();
      throw new ApiException(507, "the order cache is full (" + options.maxOrders() + " orders); new orders are "
          + "refused, nothing was evicted");
    } catch (IndeterminateWriteException e) {
      placed.get("unavailable").increment();
      throw new ApiException(503, "order " + id + " may or may not be stored: read it with GET /orders/" + id);
    } catch (CacheException e) {
      placed.get("unavailable").increment();
      throw new ApiException(503, "orders cannot be stored now: " + e.getMessage());
    }
    placed.get("accepted").increment();
    return order;
  }

  /*
   * The limiter decides from the permits this node leased from the customer's owner node. When this node holds no
   * lease for the customer yet (its first order here, or the lease ran out) and one is on its way, wait for the
   * owner's answer, at most LEASE_WAIT, instead of refusing a customer that is within its limit; the owner gives a
   * customer it has not seen its full burst (unless it became the owner moments ago). A refusal carries the
   * limiter's estimate of when the customer may retry: Retry-After, rounded up to whole seconds.
   */
  private RateLimitDecision admit(String customer) throws InterruptedException {
    RateLimitDecision decision = limiter.tryAcquireWithDecision(customer, 1, LEASE_WAIT);
    if (Thread.interrupted()) { // the wait was cut short; a permit it took is lost (admits less, never more)
      throw new InterruptedException("interrupted while waiting for the rate-limit lease of " + customer);
    }
    return decision;
  }

  /**
   * Reads an order from this node's copy.
   *
   * @param id the id
   * @return the order, or empty if unknown
   */
  public Optional<Order> get(long id) {
    return Optional.ofNullable(cache.get(id));
  }

  /**
   * Moves an order to a new status, atomically cluster-wide: the replace succeeds only if the stored order is still
   * the one the transition was checked against.
   *
   * @param id the id
   * @param next the requested status
   * @return the updated order
   * @throws ApiException 404 for an unknown id, 409 for a transition that is not allowed
   */
  public Order updateStatus(long id, OrderStatus next) {
    for (int attempt = 0; attempt < 10; attempt++) {
      Order current = get(id).orElseThrow(() -> new ApiException(404, "no order with id " + id));
      if (!current.status().canMoveTo(next)) {
        throw new ApiException(409, "order " + id + " is " + current.status() + " and cannot become " + next
            + "; allowed: NEW->PAID, PAID->SHIPPED, NEW->CANCELLED");
      }
      Order updated = current.withStatus(next, clock.millis());
      try {
        if (cache.replace(id, current, updated)) {
          return updated;
        }
      } catch (CacheException e) {
        throw new ApiException(503, "order " + id + " cannot be updated now: " + e.getMessage());
      }
    }
    throw new ApiException(409, "order " + id + " kept changing; try again");
  }

  /**
   * Returns whether the node can serve: a member of the view, the store has a leader, the cache is ready.
   *
   * @return whether ready
   */
  public boolean isHealthy() {
    return cluster.view().contains(cluster.self().name()) && store.hasQuorum() && cache.isReady();
  }

  /**
   * Returns the prometheus text of every module's meters.
   *
   * @return the scrape
   */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Returns what the dashboard shows, as a JSON-ready map.
   *
   * @return the state of this node and what it sees of the cluster
   */
  public Map<String, Object> state() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("node", cluster.self().name());
    List<Member> members = cluster.members();
    s.put("members", members.stream().map(Member::name).toList());
    s.put("coordinator", cluster.coordinator().name());
    s.put("clusterQuorum", cluster.hasQuorum());
    s.put("storeQuorum", store.hasQuorum());
    s.put("storeLeader", store.leader().orElse(null));
    s.put("accepting", stopped.get() == null);
    s.put("killSwitch", stopped.get());

    Map<OrderStatus, Long> byStatus = new EnumMap<>(OrderStatus.class);
    for (OrderStatus status : OrderStatus.values()) {
      byStatus.put(status, 0L);
    }
    Map<String, Long> owned = new LinkedHashMap<>();
    members.forEach(m -> owned.put(m.name(), 0L));
    Map<Long, Order> orders = cache.snapshot();
    for (Order o : orders.values()) {
      byStatus.merge(o.status(), 1L, Long::sum);
      owned.merge(processor.ownerOf(o.id()), 1L, Long::sum);
    }
    s.put("orders", Map.of("total", orders.size(), "byStatus", byStatus));
    s.put("ownedByNode", owned);

    CacheStats c = cache.stats();
    s.put("cache", Map.of("entries", c.entries(), "maxEntries", options.maxOrders(), "hits", c.hits(),
        "misses", c.misses(), "rejections", c.rejections()));
    ClusterRateLimiterStats l = limiter.stats();
    Map<String, Object> limits = new LinkedHashMap<>();
    limits.put("limit", options.customerLimit());
    limits.put("periodSeconds", options.customerPeriod().toSeconds());
    limits.put("admitted", (long) (placed.get("accepted").count() + placed.get("budget_exhausted").count()
        + placed.get("full").count() + placed.get("unavailable").count()));
    limits.put("limited", (long) placed.get("limited").count());
    limits.put("tryAcquireAllowed", l.allowed()); // the limiter's own counts: one call per order that got this far
    limits.put("tryAcquireDenied", l.denied());
    s.put("limiter", limits);
    Map<String, Object> b = new LinkedHashMap<>();
    try {
      BudgetState state = budget.state();
      b.put("limit", state.limit());
      b.put("used", state.used());
      b.put("remaining", state.remaining());
      b.put("tripped", state.tripped());
    } catch (RuntimeException e) {
      b.put("error", "budget unavailable: " + e.getMessage());
    }
    s.put("budget", b);
    return s;
  }

  @Override
  public void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        System.err.println("closing " + closeables.get(i) + " failed: " + e);
      }
    }
    closeables.clear();
    registry.close();
  }
}
