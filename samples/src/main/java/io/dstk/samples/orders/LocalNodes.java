package io.dstk.samples.orders;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Order nodes as child JVM processes on this machine, for the demo and the tests: same {@code java}, same classpath
 * ({@code java.class.path}), small heaps, each node's output copied to {@code <logDir>/<name>.log}.
 *
 * <p>{@link #close()} destroys every process it started (SIGKILL) and waits for them; register it in a shutdown hook
 * so that no node outlives its parent. Not thread-safe: drive it from one thread.
 */
public final class LocalNodes implements AutoCloseable {
  /** Ports each node's cluster may use from the base port (the store, failure detection use +100..+300 too). */
  public static final int PORT_RANGE = 10;

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  /** A running node. */
  public static final class Node {
    private final String name;
    private final Process process;
    private final CompletableFuture<URI> ready = new CompletableFuture<>();

    private Node(String name, Process process) {
      this.name = name;
      this.process = process;
    }

    /**
     * Returns the node's name.
     *
     * @return the name
     */
    public String name() {
      return name;
    }

    /**
     * Returns the node's process.
     *
     * @return the process
     */
    public Process process() {
      return process;
    }

    /**
     * Returns the HTTP base URL the node printed when ready.
     *
     * @return e.g. {@code http://127.0.0.1:40123}
     * @throws IllegalStateException if the node has not printed it
     */
    public URI url() {
      if (!ready.isDone() || ready.isCompletedExceptionally()) {
        throw new IllegalStateException(name + " is not ready");
      }
      return ready.join();
    }
  }

  private final String cluster;
  private int basePort;
  private final List<String> voters;
  private final List<String> extraArgs;
  private final Path logDir;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<Process> started = new ArrayList<>();

  /**
   * Prepares a set of nodes; starts none.
   *
   * @param cluster the cluster name, unique on this machine
   * @param basePort the cluster's base port, see {@link #freeBasePort()}
   * @param voters the store's voters (also the node names the demo starts)
   * @param extraArgs more {@link OrderNode} flags for every node
   * @param logDir where node logs go
   */
  public LocalNodes(String cluster, int basePort, List<String> voters, List<String> extraArgs, Path logDir) {
    this.cluster = cluster;
    this.basePort = basePort;
    this.voters = List.copyOf(voters);
    this.extraArgs = List.copyOf(extraArgs);
    this.logDir = logDir;
  }

  /**
   * Finds a base port whose cluster, failure-detection, store and store failure-detection ranges (+0, +100, +200,
   * +300) are all free on the loopback interface.
   *
   * @return a base port in 20000..49999
   * @throws IllegalStateException if none was found in 200 tries
   */
  public static int freeBasePort() {
    Random random = new Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + random.nextInt(30_000);
      if (free(base) && free(base + 100) && free(base + 200) && free(base + 300)) {
        return base;
      }
    }
    throw new IllegalStateException("no free loopback port range found");
  }

  private static boolean free(int base) {
    for (int p = base; p < base + PORT_RANGE; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  /**
   * Starts nodes at the same moment and waits until each printed its URL.
   *
   * @param names the node names
   * @return the nodes, in order
   * @throws IllegalStateException if a node exits or is not ready within 120 s (its log is named)
   */
  public List<Node> startAll(List<String> names) {
    for (int attempt = 1; ; attempt++) {
      List<Node> list = new ArrayList<>();
      for (String name : names) {
        list.add(launch(name));
      }
      try {
        list.forEach(LocalNodes::awaitReady);
        return list;
      } catch (IllegalStateException e) {
        // The ports were free when chosen, but another process may take one before the nodes bind it: start the
        // whole (new) cluster again on other ports. Never done for a node that joins a running cluster.
        if (attempt == 3 || list.stream().noneMatch(n -> logMentions(n.name, "No available port to bind to"))) {
          throw e;
        }
        for (Node n : list) {
          nodes.remove(n.name);
          n.process.destroyForcibly();
        }
        basePort = freeBasePort();
      }
    }
  }

  private boolean logMentions(String name, String text) {
    try {
      return Files.readString(log(name), StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Returns the cluster's base port: the one given, or another one if {@link #startAll} found a port of it taken.
   *
   * @return the base port
   */
  public int basePort() {
    return basePort;
  }

  /**
   * Starts one node (again, after a kill) and waits until it printed its URL.
   *
   * @param name the node name
   * @return the node
   * @throws IllegalStateException if it exits or is not ready within 120 s
   */
  public Node start(String name) {
    return awaitReady(launch(name));
  }

  /**
   * Kills a node with SIGKILL ({@link Process#destroyForcibly()} on Linux is {@code kill -9}) and waits for it.
   *
   * @param name the node name
   * @throws InterruptedException if interrupted while waiting
   */
  public void kill9(String name) throws InterruptedException {
    Node node = nodes.remove(name);
    node.process.destroyForcibly();
    node.process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Returns the running nodes by name.
   *
   * @return a copy
   */
  public Map<String, Node> nodes() {
    return new LinkedHashMap<>(nodes);
  }

  /**
   * Returns the log file of a node.
   *
   * @param name the node name
   * @return the path
   */
  public Path log(String name) {
    return logDir.resolve(name + ".log");
  }

  private Node launch(String name) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"),
        OrderNode.class.getName(),
        "--name", name, "--cluster", cluster, "--base-port", Integer.toString(basePort),
        "--port-range", Integer.toString(PORT_RANGE), "--voters", String.join(",", voters)));
    command.addAll(extraArgs);
    try {
      Files.createDirectories(logDir);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      started.add(process);
      Node node = new Node(name, process);
      nodes.put(name, node);
      Thread copier = new Thread(() -> copyOutput(node), "orders-node-log-" + name);
      copier.setDaemon(true);
      copier.start();
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + name, e);
    }
  }

  private void copyOutput(Node node) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(node.process.getInputStream(),
            StandardCharsets.UTF_8));
        Writer log = Files.newBufferedWriter(log(node.name), StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        log.write(line);
        log.write('\n');
        log.flush();
        if (line.startsWith("READY ")) {
          node.ready.complete(URI.create(line.substring("READY ".length()).trim()));
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    node.ready.completeExceptionally(new IllegalStateException(node.name + " exited before it was ready; see "
        + log(node.name)));
  }

  private static Node awaitReady(Node node) {
    try {
      node.ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return node;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(node.name + " was not ready within " + READY_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + node.name, e);
    }
  }

  /** Destroys every process this instance started (SIGKILL) and waits up to 10 s for each; idempotent. */
  @Override
  public void close() {
    started.forEach(Process::destroyForcibly);
    for (Process p : started) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    nodes.clear();
  }
}
