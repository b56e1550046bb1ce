package io.dstk.samples.orders;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One node of the order-status service: joins the cluster, opens every module, serves the HTTP API and the
 * dashboard, then prints {@code READY http://127.0.0.1:PORT} on a line of its own.
 *
 * <pre>
 * java -cp ... io.dstk.samples.orders.OrderNode --name n1 --http-port 8081 --cluster orders
 * </pre>
 *
 * <p>Start three (n1, n2, n3: the store's default voters) and open any node's URL in a browser. See
 * {@link NodeOptions#USAGE} for every flag. Stops on SIGTERM or Ctrl+C: leaves the cluster gracefully.
 */
public final class OrderNode {
  private OrderNode() {}

  /**
   * Runs a node until the process is stopped.
   *
   * @param args the flags, see {@link NodeOptions#USAGE}
   * @throws Exception if the node cannot start
   */
  public static void main(String[] args) throws Exception {
    NodeOptions options;
    try {
      options = NodeOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(NodeOptions.USAGE);
      System.exit(2);
      return;
    }
    System.out.println("STARTING " + options.name() + " in cluster " + options.cluster() + ", voters "
        + options.voters());
    OrderService service = OrderService.start(options, InstantSource.system());
    HttpServer server = HttpServer.create(new InetSocketAddress(options.bindAddress(), options.httpPort()), 64);
    // A bounded pool: at most 8 requests at once and 256 waiting; beyond that the accepting thread runs the request
    // itself, which stops it from accepting more (back-pressure instead of an unbounded queue).
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(8, 8, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(256), r -> {
          Thread t = new Thread(r, "orders-http-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    new OrderApi(service, dashboard()).register(server);
    server.start();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(0);
      executor.shutdownNow();
      service.close();
      stopped.countDown();
    }, "orders-shutdown"));
    System.out.println("READY http://" + options.bindAddress() + ":" + server.getAddress().getPort());
    stopped.await();
  }

  private static byte[] dashboard() throws IOException {
    try (InputStream in = OrderNode.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.html is missing from the classpath");
      }
      return in.readAllBytes(); // our own bounded resource, not a request body
    }
  }
}
