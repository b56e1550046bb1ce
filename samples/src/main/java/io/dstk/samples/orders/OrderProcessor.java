package io.dstk.samples.orders;

import io.dstk.cache.CacheException;
import io.dstk.cache.ReplicatedCache;
import io.dstk.membership.ClusterRing;
import io.dstk.membership.Member;
import io.dstk.membership.Registration;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Simulated order processing, partitioned by the consistent-hash ring of the cluster's members: the member that
 * owns an order's id on the ring moves it NEW → PAID → SHIPPED, one step per interval. When members join, leave or
 * crash, the ring follows the view and the new owners pick up the orders on their next pass; two members that
 * briefly disagree about an owner cannot both apply a step, because each step is a conditional replace.
 *
 * <p>Thread-safe; one daemon thread. {@link #close()} stops it; idempotent.
 */
public final class OrderProcessor implements AutoCloseable {
  private final String self;
  private final ClusterRing ring;
  private final ReplicatedCache<Long, Order> cache;
  private final InstantSource clock;
  private final Duration every;
  private final ScheduledExecutorService timer;
  private final Registration ringListener;

  /**
   * Starts processing.
   *
   * @param self this member's name
   * @param ring the ring of members
   * @param cache the orders
   * @param clock the wall clock of the order timestamps
   * @param every the interval between steps; zero turns processing off (ownership is still reported)
   */
  public OrderProcessor(String self, ClusterRing ring, ReplicatedCache<Long, Order> cache, InstantSource clock,
      Duration every) {
    this.self = self;
    this.ring = ring;
    this.cache = cache;
    this.clock = clock;
    this.every = every;
    this.ringListener = ring.addListener(change -> System.out.println("RING " + change.view().members().stream()
        .map(Member::name).toList() + ": " + self + " now owns " + ownedHere() + " orders"));
    if (every.isZero()) {
      timer = null;
    } else {
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "orders-processor");
        t.setDaemon(true);
        return t;
      });
      timer.scheduleWithFixedDelay(this::pass, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Returns the member that processes an order, by the current ring.
   *
   * @param id the order id
   * @return the owner's name
   */
  public String ownerOf(long id) {
    return ring.current().nodeFor(Long.toString(id)).name();
  }

  private long ownedHere() {
    return cache.snapshot().keySet().stream().filter(id -> ownerOf(id).equals(self)).count();
  }

  private void pass() {
    try {
      if (!cache.isReady()) {
        return;
      }
      long now = clock.millis();
      for (Map.Entry<Long, Order> e : cache.snapshot().entrySet()) {
        Order order = e.getValue();
        if (now - order.updatedMillis() < every.toMillis() || !ownerOf(order.id()).equals(self)) {
          continue;
        }
        order.status().nextInProcessing()
            .ifPresent(next -> cache.replace(order.id(), order, order.withStatus(next, now)));
      }
    } catch (CacheException | IllegalStateException e) {
      System.err.println("processing pass failed, retrying next time: " + e);
    }
  }

  @Override
  public void close() {
    ringListener.close();
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
