package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterMetricsTest {
  private TestCluster kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void metersFollowMembersTrafficRequestsAndFailures() throws Exception {
    kit = TestCluster.start(3, b -> b.expectedMembers(3));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Cluster c1 = kit.member("node-1");
    new ClusterMetrics(c1, Tags.of("app", "test")).bindTo(registry);
    Endpoint<String, String> echo = Endpoint.of("echo", PayloadCodec.utf8(), PayloadCodec.utf8());
    kit.member("node-2").serve(echo, (from, q) -> q);
    Topic<String> topic = Topic.of("news", PayloadCodec.utf8());

    c1.broadcast(topic, "hello");
    c1.request(c1.view().member("node-2").orElseThrow(), echo, "abc").get(60, TimeUnit.SECONDS);
    assertThat(registry.get(ClusterMetrics.MEMBERS).tag("app", "test").gauge().value()).isEqualTo(3);
    assertThat(registry.get(ClusterMetrics.QUORUM).gauge().value()).isEqualTo(1);
    assertThat(registry.get(ClusterMetrics.MESSAGES).tags("topic", "news", "direction", "out").functionCounter()
        .count()).isEqualTo(1);
    assertThat(registry.get(ClusterMetrics.BYTES).tags("topic", "news", "direction", "out").functionCounter()
        .count()).isEqualTo(5);
    assertThat(registry.get(ClusterMetrics.MESSAGES).tags("topic", "echo", "direction", "out").functionCounter()
        .count()).isEqualTo(1);
    assertThat(registry.get(ClusterMetrics.REQUEST_LATENCY).timer().count()).isEqualTo(1);

    kit.kill("node-3");
    kit.awaitViews(List.of("node-1", "node-2"));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(registry.get(ClusterMetrics.MEMBERS).gauge().value()).isEqualTo(2);
      assertThat(registry.get(ClusterMetrics.REMOVALS).functionCounter().count()).isEqualTo(1);
      assertThat(registry.get(ClusterMetrics.SUSPICIONS).functionCounter().count()).isPositive();
    });
    assertThat(registry.get(ClusterMetrics.VIEW_CHANGES).functionCounter().count()).isGreaterThanOrEqualTo(1);
  }
}
