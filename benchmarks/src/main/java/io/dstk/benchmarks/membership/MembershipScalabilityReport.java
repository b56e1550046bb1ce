package io.dstk.benchmarks.membership;

import io.dstk.benchmarks.Ports;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.ClusterStats;
import io.dstk.membership.Endpoint;
import io.dstk.membership.Member;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.Topic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Header;
import org.jgroups.Message;
import org.jgroups.protocols.MsgStats;
import org.jgroups.protocols.TP;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.MessageBatch;

/**
 * Messages and bytes per broadcast and per request for N = 1, 2, 4, 8, 16 members in one JVM ({@code localhost}
 * preset: TCP on loopback), 64-byte payloads, one operation at a time. A broadcast goes from the oldest member and
 * counts as done when every other member's handler has run; a request goes from the oldest member to the youngest (to
 * itself when alone) and counts as done when its response arrives. Counts are summed over all members for 500
 * operations after 100 warm-up operations, and divided by 500:
 * <ul>
 *   <li><b>cluster</b>: {@link ClusterStats#messagesSent()} and {@link ClusterStats#messagesReceived()} — what the
 *       API sends (a broadcast counts once) and what the members' handlers receive;</li>
 *   <li><b>transport msgs</b>: JGroups' TP statistics {@code num_msgs_sent} and {@code num_msgs_received}: every
 *       message the channels hand to the transport, responses, protocol acknowledgements and background traffic
 *       included. A multicast is sent once there, although TCP writes one copy per peer; the received count is the
 *       copies that actually crossed a connection;</li>
 *   <li><b>payload bytes</b>: TP's {@code num_bytes_received}, the message bodies only (for our messages, the
 *       envelope: 23 bytes + topic + payload);</li>
 *   <li><b>bytes with headers</b>: the marshalled size ({@link Message#size()}) of the same messages, counted by a
 *       protocol inserted right above the transport: JGroups headers and addresses included, TCP framing, the
 *       transport's own cluster-name header and message bundling not.</li>
 * </ul>
 * {@code FD_SOCK2} keeps its own TCP connections, which neither count sees (they carry nothing while members live).
 * A second table gives the background traffic of an idle cluster (heartbeats, merge probes, stability gossip) per
 * second, measured over 5 s; it is already included, pro rata, in the per-operation figures. Counts do not depend on
 * machine speed except through that background share, so one run is enough.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms1g -Xmx1g
 * -Djava.net.preferIPv4Stack=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp benchmarks/target/benchmarks.jar
 * io.dstk.benchmarks.membership.MembershipScalabilityReport}
 */
public final class MembershipScalabilityReport {
  private static final int[] SIZES = {1, 2, 4, 8, 16};
  private static final int WARMUP = 100;
  private static final int OPS = 500;
  private static final int PAYLOAD = 64;
  private static final long IDLE_MILLIS = 5_000;

  private MembershipScalabilityReport() {}

  /**
   * Sits right above the transport and adds up {@link Message#size()} — the marshalled size, JGroups headers and
   * addresses included — of every message going down to it and coming up from it.
   */
  static final class SizeCounter extends Protocol {
    final LongAdder bytesDown = new LongAdder();
    final LongAdder bytesUp = new LongAdder();
    /** Messages sent, by the protocols whose headers they carry (e.g. {@code FD_ALL3}). */
    final Map<String, LongAdder> sentBySource = new ConcurrentHashMap<>();

    @Override
    public Object down(Message msg) {
      count(msg);
      return down_prot.down(msg);
    }

    @Override
    public CompletableFuture<Object> down(Message msg, boolean async) {
      count(msg);
      return down_prot.down(msg, async);
    }

    private void count(Message msg) {
      bytesDown.add(msg.size());
      TreeSet<String> source = new TreeSet<>();
      for (Header h : msg.getHeaders().values()) {
        source.add(h.getClass().getSimpleName().replace("Header", ""));
      }
      sentBySource.computeIfAbsent(source.isEmpty() ? "none" : String.join("+", source), k -> new LongAdder())
          .increment();
    }

    @Override
    public Object up(Message msg) {
      bytesUp.add(msg.size());
      return up_prot.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
      for (Message m : batch) {
        bytesUp.add(m.size());
      }
      up_prot.up(batch);
    }
  }

  /** Per-member-sum counters at one instant. */
  private record Totals(long clusterSent, long clusterReceived, long tpMsgsSent, long tpBytesSent,
      long tpMsgsReceived, long tpBytesReceived, long wireBytesSent, long wireBytesReceived) {
    static Totals of(List<Cluster> clusters) {
      long cs = 0;
      long cr = 0;
      long ms = 0;
      long bs = 0;
      long mr = 0;
      long br = 0;
      long ws = 0;
      long wr = 0;
      for (Cluster c : clusters) {
        ClusterStats s = c.stats();
        cs += s.messagesSent();
        cr += s.messagesReceived();
        MsgStats m = c.channel().getProtocolStack().getTransport().getMessageStats();
        ms += m.getNumMsgsSent();
        bs += m.getNumBytesSent();
        mr += m.getNumMsgsReceived();
        br += m.getNumBytesReceived();
        SizeCounter counter = c.channel().getProtocolStack().findProtocol(SizeCounter.class);
        ws += counter.bytesDown.sum();
        wr += counter.bytesUp.sum();
      }
      return new Totals(cs, cr, ms, bs, mr, br, ws, wr);
    }

    Totals minus(Totals o) {
      return new Totals(clusterSent - o.clusterSent, clusterReceived - o.clusterReceived, tpMsgsSent - o.tpMsgsSent,
          tpBytesSent - o.tpBytesSent, tpMsgsReceived - o.tpMsgsReceived, tpBytesReceived - o.tpBytesReceived,
          wireBytesSent - o.wireBytesSent, wireBytesReceived - o.wireBytesReceived);
    }
  }

  /**
   * Prints two Markdown tables: per operation, and background traffic per second.
   *
   * @param args ignored
   * @throws Exception if a member cannot start or an operation fails
   */
  public static void main(String[] args) throws Exception {
    List<String> rows = new ArrayList<>();
    List<String> idleRows = new ArrayList<>();
    for (int n : SIZES) {
      run(n, rows, idleRows);
    }
    System.out.println("| N | operation | cluster msgs sent/op | cluster msgs received/op | transport msgs sent/op "
        + "| transport msgs received/op | payload bytes received/op | bytes sent/op with headers "
        + "| bytes received/op with headers |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.println();
    System.out.println("| N | idle transport msgs sent/s | idle transport msgs received/s "
        + "| idle bytes sent/s with headers | idle bytes received/s with headers | msgs sent/s by header |");
    System.out.println("|---|---|---|---|---|---|");
    idleRows.forEach(System.out::println);
  }

  private static void run(int n, List<String> rows, List<String> idleRows) throws Exception {
    int base = Ports.freeRange(20);
    String name = "bench-membership-scale-" + ProcessHandle.current().pid() + "-" + n;
    Topic<byte[]> topic = Topic.of("bench", PayloadCodec.bytes());
    Endpoint<byte[], byte[]> echo = Endpoint.of("echo", PayloadCodec.bytes(), PayloadCodec.bytes());
    AtomicLong handled = new AtomicLong();
    List<Cluster> clusters = new ArrayList<>();
    try {
      List<CompletableFuture<Cluster>> joins = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        joins.add(Cluster.joinAsync(ClusterConfig.localhost(name).ports(base, 20).nodeName("m" + i).build()));
      }
      for (CompletableFuture<Cluster> j : joins) {
        Cluster c = j.get(60, TimeUnit.SECONDS);
        clusters.add(c);
        TP tp = c.channel().getProtocolStack().getTransport();
        tp.enableStats(true);
        tp.getMessageStats().enable(true);
        c.channel().getProtocolStack().insertProtocol(new SizeCounter(), ProtocolStack.Position.ABOVE, TP.class);
        c.subscribe(topic, (from, m) -> handled.incrementAndGet());
        c.serve(echo, (from, q) -> q);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (clusters.stream().anyMatch(c -> c.members().size() != n)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("members did not converge: " + clusters.get(0).view());
        }
        Thread.sleep(50); // start-up poll, outside the measurement
      }
      Cluster sender = clusters.stream().filter(Cluster::isCoordinator).findFirst().orElseThrow();
      List<Member> view = sender.members();
      Member target = view.get(view.size() - 1);
      byte[] payload = new byte[PAYLOAD];

      for (int i = 0; i < WARMUP; i++) {
        broadcast(sender, topic, payload, handled, n);
      }
      Totals before = Totals.of(clusters);
      for (int i = 0; i < OPS; i++) {
        broadcast(sender, topic, payload, handled, n);
      }
      rows.add(row(n, "broadcast", Totals.of(clusters).minus(before)));

      for (int i = 0; i < WARMUP; i++) {
        sender.request(target, echo, payload).get(30, TimeUnit.SECONDS);
      }
      before = Totals.of(clusters);
      for (int i = 0; i < OPS; i++) {
        sender.request(target, echo, payload).get(30, TimeUnit.SECONDS);
      }
      rows.add(row(n, "request/response", Totals.of(clusters).minus(before)));

      before = Totals.of(clusters);
      Map<String, Long> sourcesBefore = sentBySource(clusters);
      long start = System.nanoTime();
      Thread.sleep(IDLE_MILLIS); // idle window: only background traffic
      double seconds = (System.nanoTime() - start) / 1e9;
      Totals idle = Totals.of(clusters).minus(before);
      Map<String, Long> sources = sentBySource(clusters);
      StringBuilder bySource = new StringBuilder();
      sources.entrySet().stream()
          .map(e -> Map.entry(e.getKey(), e.getValue() - sourcesBefore.getOrDefault(e.getKey(), 0L)))
          .filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> bySource.append(bySource.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
              .append(String.format("%.1f", e.getValue() / seconds)));
      idleRows.add(String.format("| %d | %.1f | %.1f | %.0f | %.0f | %s |", n, idle.tpMsgsSent() / seconds,
          idle.tpMsgsReceived() / seconds, idle.wireBytesSent() / seconds, idle.wireBytesReceived() / seconds,
          bySource));
      System.err.printf("N=%d done%n", n);
    } finally {
      clusters.forEach(Cluster::close);
    }
  }

  private static Map<String, Long> sentBySource(List<Cluster> clusters) {
    Map<String, Long> sum = new HashMap<>();
    for (Cluster c : clusters) {
      SizeCounter counter = c.channel().getProtocolStack().findProtocol(SizeCounter.class);
      counter.sentBySource.forEach((k, v) -> sum.merge(k, v.sum(), Long::sum));
    }
    return sum;
  }

  private static void broadcast(Cluster sender, Topic<byte[]> topic, byte[] payload, AtomicLong handled, int n)
      throws InterruptedException {
    long expected = handled.get() + n - 1;
    sender.broadcast(topic, payload);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (handled.get() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("broadcast not handled by all " + (n - 1) + " peers within 30 s");
      }
      Thread.onSpinWait();
    }
  }

  private static String row(int n, String operation, Totals d) {
    double ops = OPS;
    return String.format("| %d | %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f |", n, operation,
        d.clusterSent() / ops, d.clusterReceived() / ops, d.tpMsgsSent() / ops, d.tpMsgsReceived() / ops,
        d.tpBytesReceived() / ops, d.wireBytesSent() / ops, d.wireBytesReceived() / ops);
  }
}
