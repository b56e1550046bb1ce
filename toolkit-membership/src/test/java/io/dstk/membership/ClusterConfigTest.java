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
        .contains("<VERIFY_SUSPECT2 timeout=\"500\"")
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
  void securityTurnsOnMutualTlsForTcpAndIsRefusedForUdp(@TempDir Path dir) throws IOException {
    Path ks = Files.writeString(dir.resolve("k.p12"), "x");
    ClusterSecurity s = ClusterSecurity.mutualTls(ks, "secret", ks, "secret");
    assertThat(s.toString()).doesNotContain("secret");
    ClusterConfig tcp = ClusterConfig.staticSeeds("10.1.2.3:7800").bindAddress("10.1.2.3").security(s).build();
    assertThat(JGroupsStack.xml(tcp)).contains("tls.enabled=\"true\"").contains("tls.client_auth=\"NEED\"");
    assertThatThrownBy(() -> ClusterConfig.lan("239.8.8.8").bindAddress("10.1.2.3").security(s).build())
        .hasMessageContaining("security is not supported yet for the lan");
    assertThatThrownBy(() -> ClusterSecurity.mutualTls(dir.resolve("missing.p12"), "a", ks, "b"))
        .hasMessageContaining("keyStore");
  }

  @Test
  void unreadableXmlFailsAtJoinNamingTheFile(@TempDir Path dir) throws IOException {
    Path xml = Files.writeString(dir.resolve("stack.xml"), "<config><NO_SUCH_PROTOCOL/></config>");
    ClusterConfig c = ClusterConfig.fromJGroupsXml(xml).clusterName("x").build();
    assertThatThrownBy(() -> Cluster.join(c)).isInstanceOf(JoinFailedException.class)
        .hasMessageContaining("stack.xml");
  }
}
