package io.dstk.idgen.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dstk.membership.Cluster;
import io.dstk.membership.TestCluster;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Validation of the source's settings (no store command is sent), and the optional-dependency boundary. */
class ClusterWorkerIdSourceConfigTest {

    @Test
    void badSettingsAreRejectedNamingParameterAndValue() {
        try (TestCluster kit = TestCluster.start(1)) {
            Cluster c = kit.member("node-1");
            try (ClusterStore store = ClusterStore.open(c, StoreConfig.voters("node-1")
                    .ports(TestCluster.freePortRange(10), 10).build())) {
                ClusterWorkerIdSource.Builder b = ClusterWorkerIdSource.builder(store);
                assertThatThrownBy(() -> b.group("a b")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("group was 'a b'");
                assertThatThrownBy(() -> b.maxWorkerIds(0)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("maxWorkerIds was 0");
                assertThatThrownBy(() -> b.leaseTtl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("leaseTtl was PT0S");
                assertThatThrownBy(() -> b.maxClockDrift(Duration.ofMillis(-1)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxClockDrift was");
                assertThatThrownBy(() -> b.maxLogicalClockLead(null)).isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("maxLogicalClockLead");
                assertThatThrownBy(() -> ClusterWorkerIdSource.builder(store).leaseTtl(Duration.ofHours(2)).build())
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseTtl was PT2H");
                assertThatThrownBy(() -> ClusterWorkerIdSource.builder(store).leaseTtl(Duration.ofSeconds(1))
                        .maxClockDrift(Duration.ofMillis(400)).build())
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 x maxClockDrift");
                try (ClusterWorkerIdSource s = ClusterWorkerIdSource.builder(store).group("ok").build()) {
                    assertThat(s.toString()).contains("group=ok", "ttl=PT10S", "drift=PT0.2S", "lead=PT1S");
                    assertThat(s.stats()).isEqualTo(new ClusterWorkerIdSource.Stats(0, 0, 0, 0, 0));
                }
            }
        }
    }

    @Test
    void onlyTheClusterPackageAndItsMetricsBinderReferToTheStore() throws IOException {
        Path main = Path.of("src/main/java/io/dstk/idgen");
        List<Path> local;
        try (Stream<Path> files = Files.walk(main)) {
            local = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.startsWith(main.resolve("cluster")))
                    .filter(f -> !f.endsWith("WorkerIdLeaseMetrics.java"))
                    .toList();
        }
        assertThat(local).hasSizeGreaterThan(15);
        for (Path f : local) {
            assertThat(Files.readString(f)).as(f.toString())
                    .doesNotContain("io.dstk.store", "io.dstk.membership", "org.jgroups", "io.dstk.idgen.cluster");
        }
    }
}
