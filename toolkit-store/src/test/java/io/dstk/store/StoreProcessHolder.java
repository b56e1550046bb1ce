package io.dstk.store;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A lease holder in its own process (a non-voting member), for the {@code kill -STOP} test. It acquires the lease
 * {@code job} (TTL 2 s), then every 100 ms checks it, writes to the fenced resource {@code job.resource} with its
 * epoch and renews it; once the lease is lost it reports what a stale holder gets, then acquires the lease again. It
 * prints what it does:
 *
 * <ul>
 *   <li>{@code ACQUIRED <epoch>};
 *   <li>{@code ACT <epoch> ok|refused}: a fenced write (refused if the resource has seen a higher epoch);
 *   <li>{@code RESUMED <ms>}: more than 700 ms passed since the previous round (the process was paused);
 *   <li>{@code LOST <epoch> valid=<isValid> notified=<lost() done>}: the lease was found lost before acting;
 *   <li>{@code FENCED <epoch> ok|refused} and {@code RENEW <epoch> ok|refused}: what a stale holder's fenced write
 *       and renewal get;
 *   <li>{@code ERROR <exception>}: a store operation failed (the round is repeated).
 * </ul>
 *
 * <p>Arguments: cluster name, cluster base port, raft base port, node name, voters (comma-separated).
 */
public final class StoreProcessHolder {
  static final String LEASE = "job";
  static final String RESOURCE = "job.resource";
  static final Duration TTL = Duration.ofSeconds(2);

  private StoreProcessHolder() {}

  /**
   * Runs the holder until it is killed.
   *
   * @param args see the class comment
   * @throws Exception if the store cannot be opened
   */
  public static void main(String[] args) throws Exception {
    Cluster cluster = Cluster.join(ClusterConfig.localhost(args[0]).ports(Integer.parseInt(args[1]), 20)
        .nodeName(args[3]).build());
    ClusterStore store = ClusterStore.open(cluster, StoreProcessVoter.config(args[4], Integer.parseInt(args[2])));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      store.close();
      cluster.close();
    }));
    if (!store.awaitQuorum(Duration.ofSeconds(60))) {
      print("NOQUORUM");
      return;
    }
    while (true) {
      Lease lease;
      try {
        lease = store.acquire(LEASE, TTL, Duration.ofMinutes(10));
      } catch (StoreException e) {
        print("ERROR " + e);
        continue;
      }
      print("ACQUIRED " + lease.epoch());
      hold(store, lease);
    }
  }

  private static void hold(ClusterStore store, Lease lease) {
    long last = System.nanoTime();
    while (true) {
      long now = System.nanoTime();
      if (now - last > TimeUnit.MILLISECONDS.toNanos(700)) {
        print("RESUMED " + (now - last) / 1_000_000);
      }
      last = now;
      try {
        // Right before acting: is the lease still held by this holder's clock?
        if (!lease.isValid()) {
          print("LOST " + lease.epoch() + " valid=" + lease.isValid() + " notified=" + lease.lost().isDone());
          // A stale holder that acted anyway would be refused by the resource and by the store.
          print("FENCED " + lease.epoch() + (fencedWrite(store, lease.epoch()) ? " ok" : " refused"));
          try {
            lease.renew(TTL);
            print("RENEW " + lease.epoch() + " ok");
          } catch (LeaseLostException e) {
            print("RENEW " + lease.epoch() + " refused");
          }
          return;
        }
        print("ACT " + lease.epoch() + (fencedWrite(store, lease.epoch()) ? " ok" : " refused"));
        lease.renew(TTL);
      } catch (LeaseLostException e) {
        // reported as LOST in the next round
      } catch (StoreException e) {
        print("ERROR " + e);
      }
      try {
        lease.lost().get(100, TimeUnit.MILLISECONDS); // paces the rounds; wakes early when the lease is lost
      } catch (TimeoutException | ExecutionException e) {
        // next round
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Writes {@code epoch} into the fenced resource unless it has seen a higher one: a compare-and-set on the stored
   * epoch, so the check and the write are one atomic step.
   */
  static boolean fencedWrite(ClusterStore store, long epoch) {
    while (true) {
      Optional<Versioned> current = store.get(RESOURCE);
      long seen = current.map(v -> ByteBuffer.wrap(v.value()).getLong()).orElse(0L);
      if (epoch < seen) {
        return false;
      }
      byte[] value = ByteBuffer.allocate(Long.BYTES).putLong(epoch).array();
      if (store.compareAndSet(RESOURCE, current.map(Versioned::version).orElse(0L), value).success()) {
        return true;
      }
    }
  }

  private static void print(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
