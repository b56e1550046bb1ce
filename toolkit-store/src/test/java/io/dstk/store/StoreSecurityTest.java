package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.ClusterSecurity;
import io.dstk.membership.TestCluster;
import io.dstk.store.internal.RaftStack;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.crypto.KeyGenerator;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.Util;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The voters' raft channel is protected like the cluster's channel: on a mutual-TLS cluster and on a shared-key
 * (UDP) cluster the store works, and a plain JGroups channel that connects to the raft ports with the raft cluster
 * name never becomes a member of the raft group nor changes the store. On an unprotected cluster the same channel
 * does get in, which shows that the intruder is a real one.
 */
class StoreSecurityTest {
  private static final String PASSWORD = "changeit";

  @TempDir
  static Path keys;

  private static ClusterSecurity tls;
  private static ClusterSecurity sharedKey;

  @BeforeAll
  static void makeKeys() throws Exception {
    // One key pair with a self-signed certificate (keytool, as docs/membership.md tells users), trusted by itself.
    Path member = keys.resolve("member.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "member", "-keyalg", "EC", "-groupname",
        "secp256r1", "-dname", "CN=member", "-validity", "2", "-storetype", "PKCS12", "-keystore",
        member.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("keytool: %s", out).isZero();
    KeyStore ks = KeyStore.getInstance(member.toFile(), PASSWORD.toCharArray());
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("member", ks.getCertificate("member"));
    Path trust = store(ts, keys.resolve("trust.p12"));
    tls = ClusterSecurity.mutualTls(member, PASSWORD, trust, PASSWORD);

    KeyGenerator g = KeyGenerator.getInstance("AES");
    g.init(256);
    KeyStore aes = KeyStore.getInstance("PKCS12");
    aes.load(null, null);
    aes.setEntry("cluster", new KeyStore.SecretKeyEntry(g.generateKey()),
        new KeyStore.PasswordProtection(PASSWORD.toCharArray()));
    sharedKey = ClusterSecurity.sharedKey(store(aes, keys.resolve("cluster.p12")), PASSWORD, "cluster");
  }

  private static Path store(KeyStore ks, Path file) throws Exception {
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, PASSWORD.toCharArray());
    }
    return file;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void tlsCluster_raftUsesTheClustersTlsSocketFactory_andAPlainChannelOnTheRaftPortsNeverGetsIn() throws Exception {
    try (StoreKit kit = StoreKit.start(3, b -> b.security(tls), UnaryOperator.identity())) {
      for (String n : StoreKit.VOTERS) {
        JChannel raft = ((DefaultClusterStore) kit.store(n)).raftChannel();
        assertThat(raft.getProtocolStack().getTransport().getSocketFactory())
            .isSameAs(kit.member(n).channel().getProtocolStack().getTransport().getSocketFactory());
      }
      ClusterStore store = kit.store("node-2");
      assertThat(store.counter("sec.c").addAndGet(1)).isEqualTo(1);
      assertIntruderStaysOut(RaftStack.clusterName(kit.member("node-1").channel(), store.config()), kit.raftBase(),
          raftChannels(kit.stores()), store);
    }
  }

  @Test
  void sharedKeyUdpCluster_raftEncryptsAndAuthenticatesWithTheSameKey_andAPlainChannelNeverGetsIn()
      throws Exception {
    String clusterName = "dstk-store-key-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    int port = TestCluster.freePortRange(1);
    String group = "239.11." + (1 + (int) (ProcessHandle.current().pid() % 250)) + "." + (1 + (port % 250));
    int raftBase = TestCluster.freePortRange(10);
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterStore> stores = new ArrayList<>();
    try {
      for (String n : StoreKit.VOTERS) {
        clusters.add(Cluster.join(ClusterConfig.lan(group).clusterName(clusterName).bindAddress("127.0.0.1")
            .ports(port, 1).discoveryTimeout(Duration.ofMillis(500)).nodeName(n).security(sharedKey).build()));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> clusters.stream().allMatch(c -> c.members().size() == 3));
      for (Cluster c : clusters) {
        stores.add(ClusterStore.open(c, StoreKit.storeConfigBuilder(raftBase).build()));
      }
      for (JChannel raft : raftChannels(stores)) {
        ProtocolStack stack = raft.getProtocolStack();
        Protocol belowNakack = stack.findProtocol(NAKACK2.class).getDownProtocol();
        Protocol belowGms = stack.findProtocol(GMS.class).getDownProtocol();
        assertThat(belowNakack).isInstanceOf(SYM_ENCRYPT.class);
        assertThat(belowGms).isInstanceOf(AUTH.class);
      }
      ClusterStore store = stores.get(1);
      assertThat(store.awaitQuorum(Duration.ofSeconds(60))).isTrue();
      assertThat(await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> store.counter("sec.c").addAndGet(1), v -> v > 0)).isEqualTo(1);
      assertIntruderStaysOut(RaftStack.clusterName(clusters.get(0).channel(), store.config()), raftBase,
          raftChannels(stores), store);
    } finally {
      stores.forEach(ClusterStore::close);
      clusters.forEach(Cluster::close);
    }
  }

  @Test
  void unprotectedCluster_thePlainChannelJoinsTheRaftGroup() throws Exception {
    try (StoreKit kit = StoreKit.start(3);
        JChannel intruder = plainChannel(kit.raftBase())) {
      intruder.connect(RaftStack.clusterName(kit.member("node-1").channel(), kit.store("node-1").config()));
      List<JChannel> rafts = raftChannels(kit.stores());
      await().atMost(Duration.ofSeconds(30)).until(() -> rafts.stream()
          .allMatch(ch -> ch.getView().containsMember(intruder.getAddress())));
      assertThat(intruder.getView().size()).isEqualTo(4);
    }
  }

  private static List<JChannel> raftChannels(List<ClusterStore> stores) {
    return stores.stream().filter(ClusterStore::isVoter).map(s -> ((DefaultClusterStore) s).raftChannel()).toList();
  }

  /**
   * Connects a plain JGroups TCP channel (no TLS, no key) to the raft ports with the raft cluster name, has it send to
   * the group, and checks for 3 s that it stays alone while the voters' raft views never include it; the store's
   * state is what the store wrote.
   */
  private static void assertIntruderStaysOut(String raftCluster, int raftBase, List<JChannel> rafts,
      ClusterStore store) throws Exception {
    long v = store.put("sec.k", b("secret"));
    try (JChannel intruder = plainChannel(raftBase)) {
      intruder.connect(raftCluster);
      intruder.send(new BytesMessage(null, b("let me in")));
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() ->
          intruder.getView().size() == 1 && rafts.stream().noneMatch(ch ->
              ch.getView().containsMember(intruder.getAddress())));
      assertThat(rafts).allSatisfy(ch -> assertThat(ch.getView().size()).isEqualTo(3));
    }
    assertThat(store.get("sec.k")).hasValueSatisfying(x -> {
      assertThat(x.version()).isEqualTo(v);
      assertThat(new String(x.value(), StandardCharsets.UTF_8)).isEqualTo("secret");
    });
    assertThat(store.counter("sec.c").addAndGet(1)).isEqualTo(2);
  }

  /**
   * A JGroups TCP stack without any protection, discovering the raft port range on loopback, whose address carries a
   * raft id like a raft node's.
   */
  private static JChannel plainChannel(int raftBase) throws Exception {
    int port = TestCluster.freePortRange(1);
    String xml = "<config xmlns=\"urn:org:jgroups\">\n"
        + "  <TCP bind_addr=\"127.0.0.1\" bind_port=\"" + port + "\" port_range=\"0\" diag.enabled=\"false\""
        + " sock_conn_timeout=\"300\"/>\n"
        + "  <TCPPING initial_hosts=\"127.0.0.1[" + raftBase + "]\" port_range=\"9\"/>\n"
        + "  <MERGE3 min_interval=\"500\" max_interval=\"1000\" check_interval=\"2000\"/>\n"
        + "  <pbcast.NAKACK2 use_mcast_xmit=\"false\"/>\n"
        + "  <UNICAST3/>\n"
        + "  <pbcast.STABLE/>\n"
        + "  <pbcast.GMS print_local_addr=\"false\" join_timeout=\"1000\" max_join_attempts=\"2\"/>\n"
        + "  <FRAG4/>\n"
        + "</config>\n";
    JChannel ch = new JChannel(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    ch.name("intruder");
    // A raft id in its address, as raft nodes have: the raft group's NO_DUPES drops joiners without one.
    ch.addAddressGenerator(() -> ExtendedUUID.randomUUID("intruder").put(RAFT.raft_id_key,
        Util.stringToBytes("intruder")));
    return ch;
  }
}
