package io.dstk.membership;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;

/**
 * Test kit: N cluster members in one JVM on loopback, with abrupt kills, partitions and heals, and waits for
 * convergence that poll (no fixed sleeps).
 *
 * <p>Each kit uses its own cluster name and a free loopback port range, so kits in parallel builds do not meet. Failure
 * detection and merging are tuned fast (heartbeat 0.5 s, timeout 2 s, merge checks every 2 s). Published in the
 * module's test-jar ({@code <type>test-jar</type>}); it needs Awaitility on the test class path.
 *
 * <pre>{@code
 * try (TestCluster kit = TestCluster.start(3)) {
 *   kit.kill("node-2");
 *   kit.awaitViews(List.of("node-1", "node-3"));
 *   kit.partition(List.of("node-1"), List.of("node-3"));
 *   kit.awaitViews(List.of("node-1"), List.of("node-3"));
 *   kit.heal();
 *   kit.awaitViews(List.of("node-1", "node-3"));
 * }
 * }</pre>
 */
public final class TestCluster implements AutoCloseable {
  private static final AtomicInteger KITS = new AtomicInteger();
  private static final int PORT_RANGE = 20;

  private final String clusterName;
  private final int basePort;
  private final UnaryOperator<ClusterConfig.Builder> customizer;
  private final Map<String, Cluster> members = new LinkedHashMap<>();
  private Duration timeout = Duration.ofSeconds(60);

  private TestCluster(String clusterName, int basePort, UnaryOperator<ClusterConfig.Builder> customizer) {
    this.clusterName = clusterName;
    this.basePort = basePort;
    this.customizer = customizer;
  }

  /**
   * Creates an empty kit.
   *
   * @param customizer adjusts each member's config (applied after the kit's defaults)
   * @return the kit
   */
  public static TestCluster create(UnaryOperator<ClusterConfig.Builder> customizer) {
    String name = "dstk-test-" + ProcessHandle.current().pid() + "-" + KITS.incrementAndGet() + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    return new TestCluster(name, freePortRange(PORT_RANGE), customizer);
  }

  /**
   * Starts {@code n} members named {@code node-1..node-n}, one after another, and waits until all see one view.
   *
   * @param n how many members
   * @return the kit
   */
  public static TestCluster start(int n) {
    return start(n, UnaryOperator.identity());
  }

  /**
   * Starts {@code n} members with a config customizer and waits until all see one view.
   *
   * @param n how many members
   * @param customizer adjusts each member's config
   * @return the kit
   */
  public static TestCluster start(int n, UnaryOperator<ClusterConfig.Builder> customizer) {
    TestCluster kit = create(customizer);
    try {
      for (int i = 1; i <= n; i++) {
        kit.join("node-" + i);
      }
      kit.awaitViews(kit.names());
      return kit;
    } catch (RuntimeException | Error e) {
      kit.close();
      throw e;
    }
  }

  /**
   * Returns a config builder for a member of this kit.
   *
   * @param nodeName the node name
   * @return the builder with the kit's cluster name, ports and fast timings
   */
  public ClusterConfig.Builder config(String nodeName) {
    return customizer.apply(fastLocalhost(clusterName, basePort).nodeName(nodeName));
  }

  /**
   * The localhost preset tuned for tests: fast failure detection and merges; discovery waits up to 1 s so that a
   * loaded build machine does not split sequential joins into singletons that merge later (which reorders views).
   *
   * @param clusterName the cluster name
   * @param basePort the first port of a free range of 20
   * @return the builder
   */
  public static ClusterConfig.Builder fastLocalhost(String clusterName, int basePort) {
    return ClusterConfig.localhost(clusterName)
        .ports(basePort, PORT_RANGE)
        .discoveryTimeout(Duration.ofSeconds(1))
        .failureDetection(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(500))
        .merge(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2))
        .joinTimeout(Duration.ofSeconds(30));
  }

  /**
   * Joins one more member with the kit's config.
   *
   * @param nodeName the node name
   * @return the member's cluster handle
   */
  public Cluster join(String nodeName) {
    return join(config(nodeName).build());
  }

  /**
   * Joins one more member with a given config. If live members exist but the new one came up alone (on a loaded
   * machine their answers to its discovery can come after the discovery timeout, and it then starts a cluster of its
   * own, which a merge would fold in later, in another order), it leaves and joins again, up to three times.
   *
   * @param config the config
   * @return the member's cluster handle
   */
  public Cluster join(ClusterConfig config) {
    for (int attempt = 1; ; attempt++) {
      Cluster c = Cluster.join(config);
      synchronized (this) {
        if (c.members().size() > 1 || members.isEmpty() || attempt == 3) {
          members.put(config.nodeName(), c);
          return c;
        }
      }
      c.close();
    }
  }

  /**
   * Joins several members at the same moment ({@link Cluster#joinAsync}) and waits for all joins to return.
   *
   * @param nodeNames the node names
   */
  public void joinConcurrently(String... nodeNames) {
    List<java.util.concurrent.CompletableFuture<Cluster>> joins = new ArrayList<>();
    for (String n : nodeNames) {
      joins.add(Cluster.joinAsync(config(n).build()));
    }
    for (int i = 0; i < nodeNames.length; i++) {
      Cluster c = joins.get(i).join();
      synchronized (this) {
        members.put(nodeNames[i], c);
      }
    }
  }

  /**
   * Returns the kit's cluster name.
   *
   * @return the name
   */
  public String clusterName() {
    return clusterName;
  }

  /**
   * Returns the first port of the kit's range.
   *
   * @return the port
   */
  public int basePort() {
    return basePort;
  }

  /**
   * Returns a live member.
   *
   * @param name the node name
   * @return its cluster handle
   */
  public synchronized Cluster member(String name) {
    Cluster c = members.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no live member '" + name + "' in " + members.keySet());
    }
    return c;
  }

  /**
   * Returns the names of the live members, in join order.
   *
   * @return the names
   */
  public synchronized List<String> names() {
    return new ArrayList<>(members.keySet());
  }

  /**
   * Closes a member gracefully.
   *
   * @param name the node name
   */
  public void leave(String name) {
    Cluster c;
    synchronized (this) {
      c = members.remove(name);
    }
    if (c != null) {
      c.close();
    }
  }

  /**
   * Kills a member abruptly: it stops sending and receiving at once and announces nothing, as a crash would; the
   * others find out through failure detection.
   *
   * @param name the node name
   */
  public void kill(String name) {
    Cluster c;
    synchronized (this) {
      c = members.remove(name);
    }
    if (c instanceof DefaultCluster d) {
      d.crash();
    }
  }

  /**
   * Splits the live members into groups that cannot hear each other (a JGroups {@code DISCARD} is inserted above
   * each member's transport). Members not listed keep hearing everyone.
   *
   * @param groups the node names of each side
   */
  @SafeVarargs
  public final void partition(Collection<String>... groups) {
    Map<String, Address> addresses = new LinkedHashMap<>();
    for (String n : names()) {
      addresses.put(n, member(n).channel().getAddress());
    }
    for (Collection<String> group : groups) {
      for (String n : group) {
        DISCARD d = discard(member(n).channel());
        for (Map.Entry<String, Address> e : addresses.entrySet()) {
          if (!group.contains(e.getKey())) {
            d.addIgnoreMember(e.getValue());
          }
        }
      }
    }
  }

  /** Lets every live member hear every other again; MERGE3 then merges the partitions. */
  public void heal() {
    for (String n : names()) {
      discard(member(n).channel()).resetIgnoredMembers();
    }
  }

  /**
   * Returns the DISCARD protocol of a channel, inserting it above the transport first if needed; other test kits
   * (the store's) use it for their own channels.
   *
   * @param ch the channel
   * @return its DISCARD protocol
   */
  public static DISCARD discard(JChannel ch) {
    ProtocolStack stack = ch.getProtocolStack();
    DISCARD d = stack.findProtocol(DISCARD.class);
    if (d == null) {
      d = new DISCARD();
      try {
        stack.insertProtocol(d, ProtocolStack.Position.ABOVE, TP.class);
        d.init();
        d.start();
      } catch (Exception e) {
        throw new IllegalStateException("could not insert DISCARD", e);
      }
    }
    return d;
  }

  /**
   * Sets how long the await methods wait before failing (default 60 s: views on a loaded build machine can take
   * tens of seconds to converge, and a passing wait returns as soon as they do).
   *
   * @param t the timeout
   * @return this kit
   */
  public TestCluster awaitTimeout(Duration t) {
    this.timeout = t;
    return this;
  }

  /**
   * Waits until, for each group, every member of the group sees exactly the group's members (any order).
   *
   * @param groups node names of each side
   */
  @SafeVarargs
  public final void awaitViews(Collection<String>... groups) {
    List<Set<String>> expected = new ArrayList<>();
    for (Collection<String> g : groups) {
      expected.add(new HashSet<>(g));
    }
    await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
      for (Set<String> group : expected) {
        for (String n : group) {
          Set<String> seen = member(n).members().stream().map(Member::name).collect(Collectors.toSet());
          if (!seen.equals(group)) {
            return false;
          }
        }
      }
      return true;
    });
  }

  /** Closes every live member gracefully. */
  @Override
  public void close() {
    List<Cluster> all;
    synchronized (this) {
      all = new ArrayList<>(members.values());
      members.clear();
    }
    for (Cluster c : all) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // keep closing the others
      }
    }
  }

  /**
   * Finds a range of free loopback ports, with free ports 100 above it too (failure detection sockets).
   *
   * @param count how many consecutive ports
   * @return the first port
   */
  public static int freePortRange(int count) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
      if (free(base, count) && free(base + 100, count)) {
        return base;
      }
    }
    throw new IllegalStateException("no free loopback port range of " + count);
  }

  private static boolean free(int base, int count) {
    for (int p = base; p < base + count; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(false);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
