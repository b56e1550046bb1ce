package io.dstk.idgen.cluster;

import io.dstk.store.StoreKit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One trial of {@link PartitionTrial} (the chaos profile repeats it in {@link PartitionChaosTest}). */
class PartitionTest {
    private static StoreKit kit;

    @BeforeAll
    static void startCluster() {
        kit = StoreKit.start(5);
    }

    @AfterAll
    static void stopCluster() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void partitionThenHeal_neverTwoLiveHoldersOfOneId() {
        PartitionTrial.run(kit, "partition");
    }
}
