package io.dstk.samples.orders;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The flagship demo: starts an order service of N node processes on this machine, sends a burst of orders (two
 * customers far over their limit), kills one node with {@code kill -9}, shows that every accepted order is still
 * readable on each survivor and that the per-customer limit held, restarts the node and shows it caught up.
 *
 * <pre>
 * mvn -B -q -Pdemo -pl samples -am -DskipTests package
 * mvn -B -q -Pdemo -pl samples -am -DskipTests package -Ddstk.demo.args="--nodes 5 --keep-running"
 * </pre>
 *
 * <p>Flags: {@code --nodes N} (3 or 5, default 3), {@code --no-kill}, {@code --keep-running} (leave the nodes up for
 * the dashboard until Ctrl+C). Exits with status 1 if any accepted order is lost or the limit did not hold. Every
 * child process is destroyed on exit, also on Ctrl+C (shutdown hook).
 */
public final class OrderDemo {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final int LIMIT = 10;
  private static final int PERIOD_SECONDS = 10;

  private final OrderClient client = new OrderClient();
  private final Map<String, Order> accepted = new ConcurrentHashMap<>(); // by id
  private final long start = System.nanoTime();

  private OrderDemo() {}

  /**
   * Runs the demo.
   *
   * @param args {@code [--nodes N] [--no-kill] [--keep-running]}
   * @throws Exception if the nodes cannot start
   */
  public static void main(String[] args) throws Exception {
    int status = run(args);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Runs the demo without exiting the JVM.
   *
   * @param args as for {@link #main}
   * @return 0 if every check passed, 1 if an accepted order was lost or the limit did not hold, 2 on a bad flag
   * @throws Exception if the nodes cannot start
   */
  static int run(String... args) throws Exception {
    int nodes = 3;
    boolean kill = true;
    boolean keepRunning = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> nodes = i + 1 < args.length ? parseOr(args[++i], 0) : 0;
        case "--no-kill" -> kill = false;
        case "--keep-running" -> keepRunning = true;
        case "" -> { }
        default -> {
          System.err.println("unknown flag '" + args[i] + "'; usage: OrderDemo [--nodes 3|5] [--no-kill] "
              + "[--keep-running]");
          return 2;
        }
      }
    }
    if (nodes != 3 && nodes != 5) {
      System.err.println("--nodes must be 3 or 5 (every node is a voter of the cluster store): " + nodes);
      return 2;
    }
    return new OrderDemo().run(nodes, kill, keepRunning) ? 0 : 1;
  }

  private static int parseOr(String text, int fallback) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private boolean run(int count, boolean kill, boolean keepRunning) throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      names.add("n" + i);
    }
    String cluster = "orders-demo-" + ProcessHandle.current().pid();
    int basePort = LocalNodes.freeBasePort();
    Path logs = Files.createTempDirectory("dstk-orders-demo-");
    LocalNodes local = new LocalNodes(cluster, basePort, names, List.of("--customer-limit", Integer.toString(LIMIT),
        "--customer-period-s", Integer.toString(PERIOD_SECONDS), "--process-every-ms", "3000"), logs);
    Thread cleanup = new Thread(local::close, "orders-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      say("starting " + count + " order nodes (cluster " + cluster + ", ports from " + basePort + ", logs in "
          + logs + ")");
      for (LocalNodes.Node node : local.startAll(names)) {
        say("  " + node.name() + " ready at " + node.url() + " (pid " + node.process().pid() + ")");
      }
      awaitMembers(local, count);
      say("every node sees " + count + " members; store and cache ready");

      boolean limitHeld = burst(local);
      boolean allReadable = true;
      String victim = null;
      if (kill) {
        JsonNode state = client.state(local.nodes().values().iterator().next().url());
        victim = state.get("coordinator").asText();
        LocalNodes.Node doomed = local.nodes().get(victim);
        say("kill -9 " + victim + " (pid " + doomed.process().pid() + ", the cluster coordinator, which orders "
            + "every cache write; Process.destroyForcibly sends SIGKILL on Linux)");
        long killedAt = System.nanoTime();
        local.kill9(victim);
        awaitMembers(local, count - 1);
        say("survivors " + local.nodes().keySet() + " removed " + victim + " from the view (store leader elected) after "
            + millisSince(killedAt) + " ms");
        for (LocalNodes.Node survivor : local.nodes().values()) {
          allReadable &= readAll(survivor);
        }
        for (LocalNodes.Node survivor : local.nodes().values()) {
          OrderClient.Response r = client.placeOrder(survivor.url(), "frank", "after-the-kill", 1);
          record(r, "frank");
          if (r.status() == 429 && r.retryAfter().isPresent()) {
            // The key's new owner starts a bucket it may not have seen emptied as empty: wait as told, then retry.
            long seconds = Math.min(15, Long.parseLong(r.retryAfter().get().trim()));
            say("  new order on " + survivor.name() + " after the kill: 429, Retry-After " + seconds
                + " s (frank's key moved to a new owner, which starts it empty); retrying after that");
            Thread.sleep(seconds * 1000);
            r = client.placeOrder(survivor.url(), "frank", "after-the-kill", 1);
            record(r, "frank");
          }
          say("  new order on " + survivor.name() + " after the kill: " + r.status());
        }
        long restartAt = System.nanoTime();
        LocalNodes.Node back = local.start(victim);
        awaitMembers(local, count);
        say("restarted " + victim + " at " + back.url() + "; back in a view of " + count + " after "
            + millisSince(restartAt) + " ms");
        allReadable &= readAll(back);
      }

      say("dashboard: " + local.nodes().values().iterator().next().url() + "/ (any node: "
          + local.nodes().values().stream().map(n -> n.url().toString()).toList() + ")"
          + (keepRunning ? "" : "; run with --keep-running to keep the nodes up for it"));
      say("summary: " + count + " nodes; " + accepted.size() + " orders accepted; limit held: " + limitHeld
          + (kill ? "; after kill -9 of " + victim + " every accepted order was readable on every survivor and on "
          + "the restarted node: " + allReadable : "") + "; took " + millisSince(start) / 1000 + " s");
      boolean ok = limitHeld && allReadable;
      say(ok ? "OK" : "FAILED: an accepted order was lost or the limit did not hold");
      if (keepRunning && ok) {
        say("nodes keep running; open the dashboard, Ctrl+C stops them");
        new java.util.concurrent.CountDownLatch(1).await();
      }
      return ok;
    } finally {
      local.close();
      if (!keepRunning) {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      }
    }
  }

  /** Sends light customers' and heavy customers' orders interleaved, round-robin over the nodes, 12 at a time. */
  private boolean burst(LocalNodes local) throws Exception {
    Map<String, Integer> plan = new LinkedHashMap<>();
    plan.put("alice", 2);
    plan.put("bob", 2);
    plan.put("carol", 2);
    plan.put("dave", 20);
    plan.put("erin", 20);
    List<String> sends = new ArrayList<>();
    plan.forEach((customer, n) -> sends.addAll(Collections.nCopies(n, customer)));
    Collections.shuffle(sends, new Random(42));
    List<URI> urls = local.nodes().values().stream().map(LocalNodes.Node::url).toList();
    say("burst: " + sends.size() + " orders from " + plan + " over " + urls.size() + " nodes; limit " + LIMIT
        + " orders per " + PERIOD_SECONDS + " s per customer, cluster-wide");

    Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> limited = new ConcurrentHashMap<>();
    AtomicInteger withoutRetryAfter = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(12);
    long burstStart = System.nanoTime();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < sends.size(); i++) {
        String customer = sends.get(i);
        URI url = urls.get(i % urls.size());
        done.add(pool.submit(() -> {
          OrderClient.Response r = client.placeOrder(url, customer, "book", 1);
          if (r.status() == 201) {
            record(r, customer);
            created.computeIfAbsent(customer, c -> new AtomicInteger()).incrementAndGet();
          } else if (r.status() == 429) {
            limited.computeIfAbsent(customer, c -> new AtomicInteger()).incrementAndGet();
            if (r.retryAfter().isEmpty()) {
              withoutRetryAfter.incrementAndGet();
            }
          } else {
            other.incrementAndGet();
            say("  unexpected " + r.status() + ": " + r.body());
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - burstStart) / 1e9;
    long bound = (long) Math.floor(LIMIT + LIMIT * seconds / PERIOD_SECONDS);
    boolean held = true;
    say(String.format("burst took %.1f s; at most %d orders per customer may pass (limit + refill during the burst)",
        seconds, bound));
    for (Map.Entry<String, Integer> e : plan.entrySet()) {
      int ok = created.getOrDefault(e.getKey(), new AtomicInteger()).get();
      int no = limited.getOrDefault(e.getKey(), new AtomicInteger()).get();
      held &= ok <= bound;
      say(String.format("  %-6s sent %2d: %2d x 201 Created, %2d x 429 Too Many Requests%s", e.getKey(), e.getValue(),
          ok, no, ok <= bound ? "" : "  OVER THE LIMIT"));
    }
    say("429s without Retry-After: " + withoutRetryAfter.get() + "; other answers: " + other.get());
    return held && withoutRetryAfter.get() == 0 && other.get() == 0;
  }

  private void record(OrderClient.Response r, String customer) {
    if (r.status() == 201) {
      JsonNode o = r.json();
      accepted.put(o.get("id").asText(), new Order(Long.parseLong(o.get("id").asText()), customer,
          o.get("item").asText(), o.get("quantity").asInt(), OrderStatus.NEW, 0, 0));
    }
  }

  private boolean readAll(LocalNodes.Node node) {
    int found = 0;
    List<String> lost = new ArrayList<>();
    for (Order expected : accepted.values()) {
      OrderClient.Response r = client.send(node.url(), "GET", "/orders/" + expected.id(), null);
      if (r.status() == 200 && r.json().get("customer").asText().equals(expected.customer())
          && r.json().get("item").asText().equals(expected.item())) {
        found++;
      } else {
        lost.add(expected.id() + " (" + r.status() + ")");
      }
    }
    say("  " + node.name() + " reads " + found + " of " + accepted.size() + " accepted orders"
        + (lost.isEmpty() ? "" : "; MISSING " + lost));
    return lost.isEmpty();
  }

  private void awaitMembers(LocalNodes local, int members) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    for (LocalNodes.Node node : local.nodes().values()) {
      while (true) {
        try {
          JsonNode state = client.state(node.url());
          if (state.get("members").size() == members && state.get("storeQuorum").asBoolean()) {
            break;
          }
        } catch (RuntimeException e) {
          // not answering yet
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(node.name() + " did not see " + members + " members within "
              + AWAIT.toSeconds() + " s; see " + local.log(node.name()));
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  private void say(String line) {
    System.out.printf("[%5.1f s] %s%n", (System.nanoTime() - start) / 1e9, line);
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
