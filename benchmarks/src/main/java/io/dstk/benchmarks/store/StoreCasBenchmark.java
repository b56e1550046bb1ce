package io.dstk.benchmarks.store;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreConfig;
import io.dstk.store.internal.RaftStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jgroups.JChannel;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.raft.blocks.ReplicatedStateMachine;
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
 * A linearizable write replicated to 3 raft voters on loopback, one JVM, issued on the leader: dstk's
 * {@code ClusterStore.compareAndSet} ({@code impl=dstk-cas}) side by side with jgroups-raft's own
 * {@code ReplicatedStateMachine.put} ({@code impl=raft-rsm}) on an identical raft stack (same transport, RAFT and
 * ELECTION2 settings, in-memory log). Both wait for a majority to commit and the leader to apply. Reports throughput
 * and the latency distribution (p50/p99 in the SampleTime mode).
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch -Djava.net.preferIPv4Stack=true -jar benchmarks/target/benchmarks.jar StoreCasBenchmark -f 1
 * -wi 3 -w 1s -i 5 -r 1s -prof gc}; add {@code -t 4} for throughput under concurrency.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StoreCasBenchmark {

  @Param({"dstk-cas", "raft-rsm"})
  public String impl;

  private final List<Cluster> clusters = new ArrayList<>();
  private final List<ClusterStore> stores = new ArrayList<>();
  private final List<JChannel> rsmChannels = new ArrayList<>();
  private final List<ReplicatedStateMachine<String, byte[]>> rsms = new ArrayList<>();
  private ClusterStore leaderStore;
  private ReplicatedStateMachine<String, byte[]> leaderRsm;

  /** Per-thread key and last version, so each thread's compareAndSet succeeds. */
  @State(Scope.Thread)
  public static class Key {
    String key = "bench-" + Thread.currentThread().getId();
    long version;
    final byte[] value = new byte[64];
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String name = "store-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
    List<String> voters = List.of("v1", "v2", "v3");
    for (String v : voters) {
      clusters.add(Cluster.join(ClusterConfig.localhost(name).nodeName(v).build()));
    }
    if (impl.equals("dstk-cas")) {
      StoreConfig config = StoreConfig.voters(voters.toArray(String[]::new)).build();
      for (Cluster c : clusters) {
        stores.add(ClusterStore.open(c, config));
      }
      if (!stores.get(0).awaitQuorum(Duration.ofSeconds(30))) {
        throw new IllegalStateException("no leader");
      }
      String leader = stores.get(0).leader().orElseThrow();
      leaderStore = stores.get(voters.indexOf(leader));
    } else {
      StoreConfig config = StoreConfig.voters(voters.toArray(String[]::new)).storeName("rsm").build();
      for (int i = 0; i < voters.size(); i++) {
        JChannel ch = RaftStack.open(clusters.get(i).channel(), config, voters.get(i),
            name + "-rsm-" + voters.get(i));
        ReplicatedStateMachine<String, byte[]> rsm = new ReplicatedStateMachine<>(ch);
        rsm.timeout(5000);
        rsmChannels.add(ch);
        rsms.add(rsm);
        ch.connect(name + ".rsm.raft");
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (leaderRsm == null && System.nanoTime() < end) {
        for (int i = 0; i < rsms.size(); i++) {
          RAFT raft = rsmChannels.get(i).getProtocolStack().findProtocol(RAFT.class);
          if (raft.isLeader()) {
            leaderRsm = rsms.get(i);
          }
        }
        Thread.sleep(10);
      }
      if (leaderRsm == null) {
        throw new IllegalStateException("no leader");
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stores.forEach(ClusterStore::close);
    rsmChannels.forEach(JChannel::close);
    clusters.forEach(Cluster::close);
  }

  /**
   * One replicated write on the leader.
   *
   * @param k the thread's key
   * @return the new version (dstk) or the previous value's length (raft-rsm), so nothing is dead code
   * @throws Exception if the write fails
   */
  @Benchmark
  public long replicatedWrite(Key k) throws Exception {
    if (leaderStore != null) {
      var r = leaderStore.compareAndSet(k.key, k.version, k.value);
      k.version = r.version();
      return r.version();
    }
    byte[] prev = leaderRsm.put(k.key, k.value);
    return prev == null ? 0 : prev.length;
  }
}
