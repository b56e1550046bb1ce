package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkerIdSourceTest {
    private static final String KEY = "dstk.idgen.test.worker-id";

    @Test
    void systemPropertyGivesTheNodeId() {
        System.setProperty(KEY, " 17 ");
        try {
            assertThat(WorkerIdSource.fromSystemProperty(KEY).acquire(SnowflakeLayout.twitter()).nodeId())
                    .isEqualTo(17);
        } finally {
            System.clearProperty(KEY);
        }
    }

    @Test
    void missingOrBadConfigurationIsAClearError() {
        assertThatThrownBy(() -> WorkerIdSource.fromSystemProperty(KEY).acquire(SnowflakeLayout.twitter()))
                .isInstanceOf(WorkerIdUnavailableException.class).hasMessageContaining(KEY)
                .hasMessageContaining("not set");
        assertThatThrownBy(() -> WorkerIdSource.fromEnvironment("DSTK_IDGEN_SURELY_UNSET_VARIABLE")
                .acquire(SnowflakeLayout.twitter()))
                .isInstanceOf(WorkerIdUnavailableException.class)
                .hasMessageContaining("environment variable DSTK_IDGEN_SURELY_UNSET_VARIABLE");
        System.setProperty(KEY, "twelve");
        try {
            assertThatThrownBy(() -> WorkerIdSource.fromSystemProperty(KEY).acquire(SnowflakeLayout.twitter()))
                    .isInstanceOf(WorkerIdUnavailableException.class).hasMessageContaining("'twelve'");
            System.setProperty(KEY, "1024");
            assertThatThrownBy(() -> WorkerIdSource.fromSystemProperty(KEY).acquire(SnowflakeLayout.twitter()))
                    .isInstanceOf(WorkerIdUnavailableException.class).hasMessageContaining("was 1024")
                    .hasMessageContaining("[0, 1023]");
        } finally {
            System.clearProperty(KEY);
        }
        assertThatThrownBy(() -> WorkerIdSource.fixed(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nodeId was -1");
    }

    @Test
    void fixedLeaseHasNoHistoryAndNoLimit() {
        WorkerIdLease lease = WorkerIdSource.fixed(3).acquire(SnowflakeLayout.discord());
        assertThat(lease.nodeId()).isEqualTo(3);
        assertThat(lease.issuedUpToMillis()).isEqualTo(Long.MIN_VALUE);
        assertThat(lease.extend(123)).isEqualTo(Long.MAX_VALUE);
    }
}
