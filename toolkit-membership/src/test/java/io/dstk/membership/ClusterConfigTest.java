package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigTest {

  @Test
  void localhostPresetBindsToLoopbackWithExplicitFailureDetectionAndMerge() {
    ClusterConfig c = ClusterConfig.localhost("orders").nodeName("a").build();
    assertThat(c.bindAddress()).contains("127.0.0.1");
    String xml = JGroupsStack.xml(c);
    assertThat(xml)
        .contains("<TCP bind_addr=\"127.0.0.1\"")
        .contains("diag.enabled=\"false\"")
        .contains("tcp_nodelay=\"true\"")
        .contains("thread_pool.max_threads=\"16\"")
        .contains("<TCPPING initial_hosts=\"127.0.0.1[7800]\" port_range=\"19\"")
        .contains("<MERGE3 min_interval=\"1000\" max_interval=\"3000\" check_interval=\"4000\"")
        .contains("<FD_SOCK2 bind_addr=\"127.0.0.1\"")
        .contains("<FD_ALL3 timeout=\"4000\" interval=\"1000\"")
        .contains("<io.dstk.membership.internal.PromptVerifySuspect timeout=\"500\"")
        .doesNotContain("tls.enabled");
  }

  @Test
  void badValuesFailNamingTheSetting() {
    assertThatThrownBy(() -> ClusterConfig.localhost("")).hasMessageContaining("clusterName");
    assertThatThrownBy(() -> ClusterConfig.localhost("has space")).hasMessageContaining("clusterName");
    ClusterConfig.Builder b = ClusterConfig.localhost("x");
    assertThatThrownBy(() -> b.ports(70_000, 10)).hasMessageContaining("basePort").hasMessageContaining("70000");
    assertThatThrownBy(() -> b.ports(7800, 0)).hasMessageContaining("port range");
    assertThatThrownBy(() -> b.bindAddress("no-such-host.invalid")).hasMessageContaining("bindAddress");
    assertThatThrownBy(() -> b.nodeName(" ")).hasMessageContaining("nodeName");
    assertThatThrownBy(() -> b.expectedMembers(-1)).hasMessageContaining("expectedMembers");
    assertThatThrownBy(() -> b.maxThreads(1)).hasMessageContaining("maxThreads");
    assertThatThrownBy(() -> b.joinTimeout(Duration.ZERO)).hasMessageContaining("joinTimeout");
    assertThatThrownBy(() -> b.merge(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(3)))
        .hasMessageContaining("mergeMaxInterval");
    assertThatThrownBy(() -> b.merge(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2)))
        .hasMessageContaining("mergeCheckInterval");
    assertThatThrownBy(() -> b.failureDetection(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(1)))
        .hasMessageContaining("heartbeatTimeout");
    assertThatThrownBy(() -> ClusterConfig.staticSeeds("host")).hasMessageContaining("seed");
    assertThatThrownBy(() -> ClusterConfig.staticSeeds("host:0")).hasMessageContaining("seed port");
    assertThatThrownBy(() -> ClusterConfig.lan("10.0.0.1")).hasMessageContaining("multicastAddress");
    assertThatThrownBy(() -> ClusterConfig.fromJGroupsXml(Path.of("/no/such/stack.xml")))
        .hasMessageContaining("xml");
    assertThatThrownBy(() -> ClusterConfig.localhost("x").ports(0, 10).build()).hasMessageContaining("basePort");
  }

  @Test
  void metadataIsCappedAt16EntriesAnd1024Bytes() {
    ClusterConfig.Builder b = ClusterConfig.localhost("x");
    for (int i = 0; i < 16; i++) {
      b.metadata("k" + i, "v");
    }
    assertThatThrownBy(() -> b.metadata("k16", "v")).hasMessageContaining("metadata");
    assertThatThrownBy(() -> ClusterConfig.localhost("x").metadata("big", "x".repeat(1100)))
        .hasMessageContaining("1024");
  }

  @Test
  void nonLoopbackWithoutSecurityIsRefusedUnlessInsecure() {
    assertThatThrownBy(() -> ClusterConfig.staticSeeds("10.1.2.3:7800").bindAddress("10.1.2.3").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("insecure()");
    assertThatThrownBy(() -> ClusterConfig.staticSeeds("10.1.2.3:7800").build())
        .hasMessageContaining("bindAddress must be set");
    assertThatThrownBy(() -> ClusterConfig.staticSeeds("10.1.2.3:7800").bindAddress("0.0.0.0").insecure().build())
        .hasMessageContaining("wildcard");
    ClusterConfig c = ClusterConfig.staticSeeds("10.1.2.3:7800", "10.1.2.4:7800")
        .bindAddress("10.1.2.3").insecure().build();
    assertThat(JGroupsStack.xml(c)).contains("initial_hosts=\"10.1.2.3[7800],10.1.2.4[7800]\"");
    ClusterConfig d = ClusterConfig.dns("app.default.svc.cluster.local").bindAddress("10.1.2.3").insecure().build();
    assertThat(JGroupsStack.xml(d)).contains("<dns.DNS_PING dns_query=\"app.default.svc.cluster.local\"");
    ClusterConfig u = ClusterConfig.lan("239.8.8.8").bindAddress("10.1.2.3").insecure().build();
    assertThat(JGroupsStack.xml(u)).contains("<UDP ").contains("mcast_addr=\"239.8.8.8\"").contains("<PING/>");
  }

  @Test
  void securityTurnsOnMutualTlsForTcpAndNeedsASharedKeyForUdp(@TempDir Path dir) throws Exception {
    Path ks = TestKeys.shared().resolve("member.p12");
    Path ts = TestKeys.shared().resolve("member-trust.p12");
    ClusterSecurity s = ClusterSecurity.mutualTls(ks, TestKeys.PASSWORD, ts, TestKeys.PASSWORD);
    assertThat(s.toString()).doesNotContain(TestKeys.PASSWORD);
    ClusterConfig tcp = ClusterConfig.staticSeeds("10.1.2.3:7800").bindAddress("10.1.2.3").security(s).build();
    assertThat(JGroupsStack.xml(tcp)).contains("tls.enabled=\"true\"").contains("tls.client_auth=\"NEED\"")
        .doesNotContain("max_join_attempts");
    assertThatThrownBy(() -> ClusterConfig.lan("239.8.8.8").bindAddress("10.1.2.3").security(s).build())
        .hasMessageContaining("lan (UDP) preset needs a shared secret key");

    Path key = TestKeys.shared().resolve("cluster.p12");
    ClusterSecurity both = s.withSharedKey(key, TestKeys.PASSWORD, "cluster");
    ClusterConfig udp = ClusterConfig.lan("239.8.8.8").bindAddress("10.1.2.3").security(both).build();
    assertThat(JGroupsStack.usesSharedKey(udp)).isTrue();
    assertThat(JGroupsStack.xml(udp)).contains("max_join_attempts=\"5\"").doesNotContain("tls.");
    ClusterConfig tcpBoth = ClusterConfig.staticSeeds("10.1.2.3:7800").bindAddress("10.1.2.3").security(both)
        .build();
    assertThat(JGroupsStack.usesTls(tcpBoth)).isTrue();
    assertThat(JGroupsStack.usesSharedKey(tcpBoth)).isFalse();
    assertThat(both.toString()).contains("sharedKey=cluster").doesNotContain(TestKeys.PASSWORD);
    assertThatThrownBy(() -> ClusterConfig.fromJGroupsXml(Files.writeString(dir.resolve("s.xml"), "<config/>"))
        .security(both).build()).hasMessageContaining("fromJGroupsXml");
  }

  @Test
  void badSecuritySettingsAreRefusedNamingTheSetting(@TempDir Path dir) throws Exception {
    Path ks = TestKeys.shared().resolve("member.p12");
    Path key = TestKeys.shared().resolve("cluster.p12");
    String pw = TestKeys.PASSWORD;
    assertThatThrownBy(() -> ClusterSecurity.mutualTls(dir.resolve("missing.p12"), pw, ks, pw))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyStore is not a readable file");
    assertThatThrownBy(() -> ClusterSecurity.mutualTls(ks, "wrong", ks, pw))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyStorePassword does not open");
    assertThatThrownBy(() -> ClusterSecurity.mutualTls(ks, pw, ks, "wrong"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trustStorePassword does not open");
    assertThatThrownBy(() -> ClusterSecurity.mutualTls(key, pw, ks, pw))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyStore holds no private key");
    assertThatThrownBy(() -> ClusterSecurity.sharedKey(key, pw, "nope"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alias 'nope' is not in keyStore");
    assertThatThrownBy(() -> ClusterSecurity.sharedKey(key, "wrong", "cluster"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyStorePassword");
    assertThatThrownBy(() -> ClusterSecurity.sharedKey(ks, pw, "member"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a secret key");
    assertThatThrownBy(() -> ClusterSecurity.sharedKey(key, pw, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("alias");
    Path hmac = TestKeys.shared().resolve("hmac.p12");
    assertThatThrownBy(() -> ClusterSecurity.sharedKey(hmac, pw, "mac"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be an AES key");
  }

  @Test
  void votersAreValidatedAndExclusiveWithExpectedMembers() {
    ClusterConfig.Builder b = ClusterConfig.localhost("q");
    assertThatThrownBy(() -> b.voters()).hasMessageContaining("voters must name 1..10000");
    assertThatThrownBy(() -> b.voters("n1", "n2", "n1")).hasMessageContaining("'n1' appears twice");
    assertThatThrownBy(() -> b.voters("n1", " ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> b.voters((String) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ClusterConfig.localhost("q").voters("n1", "n2").expectedMembers(3).build())
        .hasMessageContaining("either expectedMembers (3) or voters [n1, n2]");
    ClusterConfig c = ClusterConfig.localhost("q").voters("n1", "n2", "n3").build();
    assertThat(c.voters()).containsExactly("n1", "n2", "n3");
    assertThat(c.expectedMembers()).isZero();
    assertThat(c.toString()).contains("voters=[n1, n2, n3]");
  }

  @Test
  void executorsAndClocksDefaultToOwnedOnesAndRefuseNull() {
    ClusterConfig d = ClusterConfig.localhost("q").build();
    assertThat(d.eventExecutor()).isEmpty();
    assertThat(d.messageExecutor()).isEmpty();
    assertThat(d.scheduler()).isEmpty();
    ClusterConfig.Builder b = ClusterConfig.localhost("q");
    assertThatThrownBy(() -> b.eventExecutor(null)).hasMessageContaining("eventExecutor");
    assertThatThrownBy(() -> b.messageExecutor(null)).hasMessageContaining("messageExecutor");
    assertThatThrownBy(() -> b.scheduler(null)).hasMessageContaining("scheduler");
    assertThatThrownBy(() -> b.clock(null)).hasMessageContaining("clock");
    assertThatThrownBy(() -> b.ticker(null)).hasMessageContaining("ticker");
  }

  @Test
  void unknownSeedHostFailsAtBuildNamingTheSettingAndHost() {
    ClusterConfig.Builder b = ClusterConfig.staticSeeds("127.0.0.1:7800", "no-such-seed.invalid:7800")
        .bindAddress("127.0.0.1");
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed").hasMessageContaining("no-such-seed.invalid");
    assertThat(ClusterConfig.staticSeeds("127.0.0.1:7800", "[::1]:7801", "localhost:7802").bindAddress("127.0.0.1")
        .build().seeds()).hasSize(3);
  }

  @Test
  void unknownDnsServerHostFailsAtBuildNamingTheSettingAndHost() {
    ClusterConfig.Builder b = ClusterConfig.dns("app.default.svc.cluster.local").bindAddress("127.0.0.1")
        .dnsServer("no-such-dns.invalid:53");
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dnsServer").hasMessageContaining("no-such-dns.invalid");
    assertThat(ClusterConfig.dns("app.default.svc.cluster.local").bindAddress("127.0.0.1")
        .dnsServer("127.0.0.1:5353").build().dnsServer()).isEqualTo("127.0.0.1:5353");
  }

  @Test
  void malformedXmlFailsAtBuildNamingTheFile(@TempDir Path dir) throws IOException {
    for (String content : new String[] {"not xml at all", "<config><TCP bind_addr=\"127.0.0.1\"", "<config/>"}) {
      Path xml = Files.writeString(dir.resolve("malformed.xml"), content);
      ClusterConfig.Builder b = ClusterConfig.fromJGroupsXml(xml).clusterName("x");
      assertThatThrownBy(b::build).as(content).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("fromJGroupsXml").hasMessageContaining(xml.toString());
    }
  }

  @Test
  void xmlNamingAnUnknownProtocolOrNoTransportFailsAtBuildNamingTheFileAndProtocol(@TempDir Path dir)
      throws IOException {
    Path unknown = Files.writeString(dir.resolve("unknown.xml"), "<config><TCP/><NO_SUCH_PROTOCOL/></config>");
    assertThatThrownBy(() -> ClusterConfig.fromJGroupsXml(unknown).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(unknown.toString()).hasMessageContaining("NO_SUCH_PROTOCOL");
    Path notProtocol = Files.writeString(dir.resolve("class.xml"), "<config><TCP/><java.lang.String/></config>");
    assertThatThrownBy(() -> ClusterConfig.fromJGroupsXml(notProtocol).build())
        .hasMessageContaining(notProtocol.toString()).hasMessageContaining("java.lang.String");
    Path noTransport = Files.writeString(dir.resolve("gms.xml"), "<config><pbcast.GMS/></config>");
    assertThatThrownBy(() -> ClusterConfig.fromJGroupsXml(noTransport).build())
        .hasMessageContaining(noTransport.toString()).hasMessageContaining("transport");
  }

  @Test
  void wellFormedXmlBuildsAndAFileSpoiledAfterBuildFailsAtJoinNamingTheFile(@TempDir Path dir) throws IOException {
    ClusterConfig reference = ClusterConfig.localhost("x").build();
    Path xml = Files.writeString(dir.resolve("stack.xml"), JGroupsStack.xml(reference));
    ClusterConfig c = ClusterConfig.fromJGroupsXml(xml).clusterName("x").build();
    assertThat(c.toString()).contains("stack.xml");

    Files.writeString(xml, "<config><NO_SUCH_PROTOCOL/></config>");
    assertThatThrownBy(() -> Cluster.join(c)).isInstanceOf(JoinFailedException.class)
        .hasMessageContaining("stack.xml");
  }
}
