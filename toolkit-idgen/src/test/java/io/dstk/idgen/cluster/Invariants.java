package io.dstk.idgen.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dstk.idgen.SnowflakeLayout;

import java.util.HashSet;
import java.util.Set;

/** The checks every cluster test ends with. */
final class Invariants {
    private static final SnowflakeLayout LAYOUT = ClusterWorkerIdSourceTest.LAYOUT;

    private Invariants() {
    }

    static void assertNoDuplicates(IssueLog... logs) {
        Set<Long> seen = new HashSet<>();
        int total = 0;
        for (IssueLog l : logs) {
            for (long id : l.ids()) {
                total++;
                assertThat(seen.add(id)).as("id %s (%s) issued twice, again by %s", id, LAYOUT.decode(id), l.holder)
                        .isTrue();
            }
        }
        assertThat(seen).hasSize(total);
    }

    /** The earlier holder's last id returned before the later holder's first id call started. */
    static void assertDisjointInTime(IssueLog earlier, IssueLog later) {
        if (earlier.ids().isEmpty() || later.ids().isEmpty()) {
            return;
        }
        assertThat(earlier.lastReturnNanos).as("%s issued until after %s started", earlier.holder, later.holder)
                .isLessThan(later.firstCallNanos);
    }

    /** Every id timestamp of the later holder is above every one of the earlier holder. */
    static void assertLaterTimestamps(IssueLog earlier, IssueLog later) {
        if (earlier.ids().isEmpty() || later.ids().isEmpty()) {
            return;
        }
        assertThat(LAYOUT.decode(later.firstId()).timestamp())
                .isAfter(LAYOUT.decode(earlier.lastId()).timestamp());
    }
}
