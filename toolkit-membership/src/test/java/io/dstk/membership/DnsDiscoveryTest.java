package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dns() preset finds members through the A records of a name served by a local DNS stub. */
class DnsDiscoveryTest {
  private final List<Cluster> members = new ArrayList<>();
  private DnsStub dns;

  @AfterEach
  void tearDown() {
    members.forEach(Cluster::close);
    if (dns != null) {
      dns.close();
    }
  }

  @Test
  void membersFindEachOtherThroughDnsARecords() throws Exception {
    dns = new DnsStub("members.dstk.test", InetAddress.getByName("127.0.0.1"));
    int base = TestCluster.freePortRange(10);
    String cluster = "dstk-dns-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    for (String name : List.of("d1", "d2", "d3")) {
      members.add(Cluster.join(ClusterConfig.dns("members.dstk.test")
          .clusterName(cluster)
          .dnsServer(dns.hostPort())
          .bindAddress("127.0.0.1")
          .ports(base, 10)
          .nodeName(name)
          .discoveryTimeout(Duration.ofMillis(500))
          .build()));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> members.stream().allMatch(c ->
        c.members().stream().map(Member::name).collect(Collectors.toSet()).equals(Set.of("d1", "d2", "d3"))));
    assertThat(dns.queries()).isPositive();
  }
}
