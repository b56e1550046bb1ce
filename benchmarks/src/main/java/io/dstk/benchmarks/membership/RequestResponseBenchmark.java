package io.dstk.benchmarks.membership;

import io.dstk.benchmarks.Ports;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.Endpoint;
import io.dstk.membership.Member;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.RequestPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.blocks.MethodCall;
import org.jgroups.blocks.RequestOptions;
import org.jgroups.blocks.RpcDispatcher;
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
 * Request/response round trip between two members in one JVM over TCP on loopback: dstk's
 * {@code Cluster.request} (envelope, codecs, circuit breaker, timeout bucket) next to a plain JGroups
 * {@code RpcDispatcher} call on an equivalent stack, with a 64-byte payload echoed back. Sample mode gives p50/p99.
 * {@code dstk} is the default configuration: a quick handler answers on JGroups' receiving thread, as
 * {@code RpcDispatcher}'s methods do. {@code dstk-pool} gives a {@code messageExecutor} of its own, a fixed pool of
 * 16 threads, so every handler is handed off to it: what one hand-off per request costs.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch -Djava.net.preferIPv4Stack=true -jar benchmarks/target/benchmarks.jar RequestResponseBenchmark
 * -f 3 -wi 3 -w 1s -i 5 -r 1s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RequestResponseBenchmark {

  /** Which implementation answers. */
  @Param({"dstk", "dstk-pool", "jgroups-rpc"})
  public String impl;

  private final byte[] payload = new byte[64];
  private Cluster a;
  private Cluster b;
  private Member bMember;
  private Endpoint<byte[], byte[]> echo;
  private RequestPolicy policy;
  private JChannel ca;
  private JChannel cb;
  private RpcDispatcher da;
  private RpcDispatcher db;
  private Address cbAddress;
  private MethodCall call;
  private RequestOptions sync;
  private ExecutorService pool;

  /** The RPC target of the JGroups baseline. */
  public static final class Echo {
    /**
     * Returns its argument.
     *
     * @param bytes the payload
     * @return the same payload
     */
    public byte[] echo(byte[] bytes) {
      return bytes;
    }
  }

  /**
   * Starts the two members.
   *
   * @throws Exception if a member cannot start
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    int base = Ports.freeRange(10);
    String cluster = "bench-" + ProcessHandle.current().pid() + "-" + impl;
    if (impl.startsWith("dstk")) {
      if (impl.equals("dstk-pool")) {
        pool = Executors.newFixedThreadPool(16, r -> {
          Thread t = new Thread(r, "bench-handler");
          t.setDaemon(true);
          return t;
        });
      }
      a = Cluster.join(config(cluster, base, "a", pool));
      b = Cluster.join(config(cluster, base, "b", pool));
      echo = Endpoint.of("echo", PayloadCodec.bytes(), PayloadCodec.bytes());
      b.serve(echo, (from, q) -> q);
      while (a.members().size() < 2) {
        Thread.onSpinWait();
      }
      bMember = a.view().member("b").orElseThrow();
      policy = RequestPolicy.defaults().withTimeout(Duration.ofSeconds(5));
    } else {
      ca = new JChannel(stack(base)).name("a");
      cb = new JChannel(stack(base)).name("b");
      da = new RpcDispatcher(ca, new Echo());
      db = new RpcDispatcher(cb, new Echo());
      ca.connect(cluster);
      cb.connect(cluster);
      while (ca.getView().size() < 2) {
        Thread.onSpinWait();
      }
      cbAddress = cb.getAddress();
      Method m = Echo.class.getMethod("echo", byte[].class);
      call = new MethodCall(m, (Object) payload);
      sync = RequestOptions.SYNC().timeout(5000);
    }
  }

  /**
   * Stops the members.
   *
   * @throws IOException if a dispatcher fails to close
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (a != null) {
      b.close();
      a.close();
    }
    if (pool != null) {
      pool.shutdownNow();
    }
    if (ca != null) {
      da.close();
      db.close();
      cb.close();
      ca.close();
    }
  }

  /**
   * One request and its response.
   *
   * @return the response
   * @throws Exception if the request fails
   */
  @Benchmark
  public byte[] roundTrip() throws Exception {
    if (a != null) {
      return a.request(bMember, echo, payload, policy).get(5, TimeUnit.SECONDS);
    }
    return da.callRemoteMethod(cbAddress, call, sync);
  }

  private static ClusterConfig config(String cluster, int base, String name, ExecutorService pool) {
    ClusterConfig.Builder c = ClusterConfig.localhost(cluster).ports(base, 10).nodeName(name);
    if (pool != null) {
      c.messageExecutor(pool);
    }
    return c.build();
  }

  private static ByteArrayInputStream stack(int base) {
    String xml = "<config xmlns=\"urn:org:jgroups\">"
        + "<TCP bind_addr=\"127.0.0.1\" bind_port=\"" + base + "\" port_range=\"9\" tcp_nodelay=\"true\""
        + " diag.enabled=\"false\" thread_pool.max_threads=\"16\" use_virtual_threads=\"false\"/>"
        + "<TCPPING initial_hosts=\"127.0.0.1[" + base + "]\" port_range=\"9\"/>"
        + "<MERGE3 min_interval=\"1000\" max_interval=\"3000\" check_interval=\"4000\"/>"
        + "<FD_SOCK2 bind_addr=\"127.0.0.1\"/><FD_ALL3 timeout=\"4000\" interval=\"1000\"/>"
        + "<VERIFY_SUSPECT2 timeout=\"500\"/><BARRIER/><pbcast.NAKACK2 use_mcast_xmit=\"false\"/><UNICAST3/>"
        + "<pbcast.STABLE/><pbcast.GMS print_local_addr=\"false\" join_timeout=\"500\"/>"
        + "<MFC/><UFC/><FRAG4 frag_size=\"60000\"/></config>";
    return new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
  }
}
