package io.dstk.ratelimit.cluster;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;

/** Repeated fault trials ({@code mvn -B -Pchaos -pl toolkit-ratelimit -am verify}); verify runs each once. */
@Tag("chaos")
class ClusterRateLimiterChaosTest {

    @RepeatedTest(5)
    void ownerKilled_overAdmissionStaysWithinTheBound() {
        ClusterRateLimiterTest.ownerKilledTrial();
    }

    @RepeatedTest(3)
    void ownerKilledAfterAFullStart_overAdmissionStaysWithinTheBound() {
        ClusterRateLimiterTest.ownerKilledTrial(2_000_000_000L + LimiterSim.STEP_NANOS);
    }

    @RepeatedTest(5)
    void partition_totalStaysWithinTheLimit() {
        ClusterRateLimiterTest.partitionTrial();
    }

    @RepeatedTest(3)
    void budgetMemberDiesWhileActing_anotherRunsTheKillSwitch() throws Exception {
        new ClusterBudgetCrashTest()
                .memberDiesWhileRunningTheKillSwitch_anotherMemberRunsItAfterTheActionLeaseExpires();
    }
}
