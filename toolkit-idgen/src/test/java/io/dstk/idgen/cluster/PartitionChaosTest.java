package io.dstk.idgen.cluster;

import io.dstk.store.StoreKit;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Tag;

/**
 * Repeated trials of {@link PartitionTrial}, each on a fresh cluster: {@code mvn -B -Pchaos -pl toolkit-idgen -am
 * verify}.
 */
@Tag("chaos")
class PartitionChaosTest {

    @RepeatedTest(10)
    void partitionThenHeal_neverTwoLiveHoldersOfOneId(RepetitionInfo trial) {
        try (StoreKit kit = StoreKit.start(5)) {
            PartitionTrial.run(kit, "chaos-" + trial.getCurrentRepetition());
        }
    }
}
