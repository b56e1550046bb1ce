package io.dstk.benchmarks.membership;

import io.dstk.benchmarks.Ports;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.Endpoint;
import io.dstk.membership.Member;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.protocols.MsgStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of a broadcast (until every other member has handled it) and of a request, for N = 1, 2, 4, 8, 16 members in
 * one JVM over TCP on loopback, with a 64-byte payload. After each iteration it prints the messages and bytes handed
 * to the transport per operation, summed over all members (JGroups' TP statistics, which count a multicast once
 * before TCP fans it out to the N-1 peers, and count message bytes without TCP framing).
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch -Djava.net.preferIPv4Stack=true -jar benchmarks/target/benchmarks.jar ScalabilityBenchmark
 * -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScalabilityBenchmark {

  /** Cluster size. */
  @Param({"1", "2", "4", "8", "16"})
  public int members;

  private final byte[] payload = new byte[64];
  private final List<Cluster> clusters = new ArrayList<>();
  private final AtomicLong received = new AtomicLong();
  private final Topic<byte[]> topic = Topic.of("bench", PayloadCodec.bytes());
  private final Endpoint<byte[], byte[]> echo = Endpoint.of("echo", PayloadCodec.bytes(), PayloadCodec.bytes());
  private Cluster sender;
  private Member target;
  private long sent;
  private long ops;
  private long wireMessagesAtStart;
  private long wireBytesAtStart;

  /**
   * Starts the members.
   *
   * @throws Exception if a member cannot join
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    int base = Ports.freeRange(20);
    String name = "bench-scale-" + ProcessHandle.current().pid() + "-" + members;
    List<CompletableFuture<Cluster>> joins = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      joins.add(Cluster.joinAsync(ClusterConfig.localhost(name).ports(base, 20).nodeName("m" + i).build()));
    }
    for (CompletableFuture<Cluster> j : joins) {
      Cluster c = j.get(60, TimeUnit.SECONDS);
      clusters.add(c);
      c.channel().getProtocolStack().getTransport().enableStats(true);
      c.channel().getProtocolStack().getTransport().getMessageStats().enable(true);
      c.subscribe(topic, (from, m) -> received.incrementAndGet());
      c.serve(echo, (from, q) -> q);
    }
    sender = clusters.get(0);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (clusters.stream().anyMatch(c -> c.members().size() != members)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("members did not converge: " + sender.view());
      }
      Thread.onSpinWait();
    }
    target = sender.view().members().get(members - 1);
  }

  /** Records the transport counters at the start of an iteration. */
  @Setup(Level.Iteration)
  public void startIteration() {
    wireMessagesAtStart = wire(true);
    wireBytesAtStart = wire(false);
    ops = 0;
  }

  /** Prints the transport messages and bytes per operation of the iteration. */
  @TearDown(Level.Iteration)
  public void endIteration() {
    if (ops > 0) {
      System.out.printf("%n[members=%d] transport messages/op=%.2f bytes/op=%.1f%n", members,
          (wire(true) - wireMessagesAtStart) / (double) ops, (wire(false) - wireBytesAtStart) / (double) ops);
    }
  }

  /** Stops the members. */
  @TearDown(Level.Trial)
  public void tearDown() {
    clusters.forEach(Cluster::close);
  }

  /**
   * One broadcast, until every other member has handled it.
   *
   * @return messages received so far
   */
  @Benchmark
  public long broadcast() {
    sender.broadcast(topic, payload);
    sent += members - 1;
    ops++;
    while (received.get() < sent) {
      Thread.onSpinWait();
    }
    return received.get();
  }

  /**
   * One request to the youngest member (to itself when alone) and its response.
   *
   * @return the response
   * @throws Exception if the request fails
   */
  @Benchmark
  public byte[] request() throws Exception {
    ops++;
    return sender.request(target, echo, payload).get(5, TimeUnit.SECONDS);
  }

  private long wire(boolean messages) {
    long sum = 0;
    for (Cluster c : clusters) {
      MsgStats s = c.channel().getProtocolStack().getTransport().getMessageStats();
      sum += messages ? s.getNumMsgsSent() : s.getNumBytesSent();
    }
    return sum;
  }
}
