package io.dstk.idgen.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;

/** Repeated trials of {@link PartitionTrial} on one cluster: {@code mvn -B -Pchaos -pl toolkit-idgen -am verify}. */
@Tag("chaos")
class PartitionChaosTest {
    private static IdgenClusterKit kit;

    @BeforeAll
    static void startCluster() {
        kit = IdgenClusterKit.start(5);
    }

    @AfterAll
    static void stopCluster() {
        if (kit != null) {
            kit.close();
        }
    }

    @RepeatedTest(10)
    void partitionThenHeal_neverTwoLiveHoldersOfOneId(RepetitionInfo trial) {
        kit.awaitLeader();
        PartitionTrial.run(kit, "chaos-" + trial.getCurrentRepetition());
    }
}
