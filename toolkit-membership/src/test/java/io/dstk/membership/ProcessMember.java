package io.dstk.membership;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * A cluster member in its own process, for the multi-process tests: joins with the localhost preset on the given port
 * range and prints one line per view, {@code VIEW <id> <name,name,...>}, until it is killed.
 *
 * <p>Arguments: cluster name, base port, node name.
 */
public final class ProcessMember {
  private ProcessMember() {}

  /**
   * Runs the member.
   *
   * @param args cluster name, base port, node name
   * @throws InterruptedException never in practice: the process is killed
   */
  public static void main(String[] args) throws InterruptedException {
    ClusterConfig config = ClusterConfig.localhost(args[0])
        .ports(Integer.parseInt(args[1]), 20)
        .nodeName(args[2])
        .joinTimeout(Duration.ofSeconds(60)) // generous: a loaded CI machine can take more than the default 15 s
        .build();
    long start = System.nanoTime();
    Cluster cluster = Cluster.join(config);
    System.out.println("JOINED " + (System.nanoTime() - start) / 1_000_000);
    // Register first, then read the view: no view can fall between the two. print() drops a view older than the one
    // already printed, since the listener may run before the line below.
    cluster.addListener(e -> print(e.newView()));
    print(cluster.view());
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    new CountDownLatch(1).await();
  }

  private static long lastPrinted = -1;

  private static synchronized void print(ClusterView v) {
    if (v.id() <= lastPrinted) {
      return;
    }
    lastPrinted = v.id();
    System.out.println("VIEW " + v.id() + " "
        + v.members().stream().map(Member::name).collect(Collectors.joining(",")));
    System.out.flush();
  }
}
