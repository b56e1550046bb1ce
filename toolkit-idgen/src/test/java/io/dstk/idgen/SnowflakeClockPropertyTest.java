package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.core.Gen;

/**
 * Uniqueness and strict monotonicity of one generator under arbitrary clock behaviour: backward steps, stalls,
 * small and large forward jumps, read by read.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SnowflakeClockPropertyTest {
    private static final long START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    /** A small layout (4 ids per tick) so that sequences run out often. */
    private static final SnowflakeLayout SMALL = SnowflakeLayout.builder()
            .epoch(Instant.parse("2025-01-01T00:00:00Z"))
            .timestamp("timestamp", 41).node("node", 3).sequence("sequence", 2).build();

    /** Node field on top using all 64 bits: node 5 (binary 101) sets bit 63, so every id is negative. */
    private static final SnowflakeLayout NODE_ON_TOP = SnowflakeLayout.builder()
            .epoch(Instant.parse("2025-01-01T00:00:00Z"))
            .node("region", 3).timestamp("timestamp", 42).node("worker", 16).sequence("sequence", 3).build();

    /** Clock steps per read: mostly small moves either way, with stalls and occasional large jumps. */
    private static Gen<Integer> step() {
        return integers().between(-60, 60).map(v -> v == 60 ? 5_000 : v == -60 ? -3_000 : v / 4);
    }

    @Test
    void idsAreUniqueAndStrictlyIncreasingUnderAnyClockSequence() {
        qt().withFixedSeed(7L).withExamples(400)
                .forAll(lists().of(step()).ofSizeBetween(0, 300), integers().between(0, 40),
                        integers().between(0, 40), integers().between(0, 3))
                .checkAssert((steps, leadMs, waitMs, variant) -> {
                    boolean bulk = (variant & 1) == 1;
                    SnowflakeLayout layout = variant < 2 ? SMALL : NODE_ON_TOP;
                    long node = variant < 2 ? 5 : layout.nodeId(5, 1234);
                    TestClocks.Scripted clock = new TestClocks.Scripted(START, steps);
                    SnowflakeGenerator gen = IdGenerator.snowflake(layout).nodeId(node).clock(clock)
                            .clockSafety(ClockSafety.logicalClock(Duration.ofMillis(leadMs), Duration.ofMillis(waitMs)))
                            .parker(nanos -> { }).build();
                    List<Long> ids = new ArrayList<>();
                    int failures = 0;
                    for (int call = 0; call < 400; call++) {
                        try {
                            if (bulk && call % 7 == 0) {
                                for (long id : gen.nextIds(1 + call % 11)) {
                                    ids.add(id);
                                }
                            } else {
                                long id = gen.nextId();
                                long lead = layout.decode(id).timestamp().toEpochMilli() - clock.lastRead();
                                assertThat(lead).as("lead of the id over the clock reading it was made with")
                                        .isLessThanOrEqualTo(leadMs);
                                ids.add(id);
                            }
                        } catch (ClockMovedBackwardsException e) {
                            failures++;
                            assertThat(e.behindMillis()).isGreaterThan(waitMs);
                        }
                    }
                    Set<Long> distinct = new HashSet<>(ids);
                    assertThat(distinct).hasSameSizeAs(ids);
                    for (int i = 1; i < ids.size(); i++) {
                        assertThat(Long.compareUnsigned(ids.get(i), ids.get(i - 1))).as("id %d after %d", i, i - 1)
                                .isPositive();
                    }
                    for (long id : ids) {
                        assertThat(layout.decode(id).nodeId()).isEqualTo(node);
                    }
                    // A block cut short by a ClockMovedBackwardsException discards the part already reserved.
                    if (bulk) {
                        assertThat(gen.stats().idsIssued()).isGreaterThanOrEqualTo(ids.size());
                    } else {
                        assertThat(gen.stats().idsIssued()).isEqualTo(ids.size());
                    }
                    assertThat(gen.stats().clockFailures()).isEqualTo(failures);
                });
    }

    @Test
    void uuidV7AndMonotonicUlidsStrictlyIncreaseUnderAnyClockSequence() {
        qt().withFixedSeed(8L).withExamples(300).forAll(lists().of(step()).ofSizeBetween(0, 3000))
                .checkAssert(steps -> {
                    UuidV7 uuids = UuidV7.of(new TestClocks.Scripted(START, steps), new SplittableRandom(1));
                    UlidGenerator ulids = UlidGenerator.of(new TestClocks.Scripted(START, steps),
                            new SplittableRandom(2), true);
                    UUID previousUuid = uuids.next();
                    Ulid previousUlid = ulids.next();
                    for (int i = 0; i < steps.size(); i++) {
                        UUID uuid = uuids.next();
                        Ulid ulid = ulids.next();
                        assertThat(uuid).isGreaterThan(previousUuid);
                        assertThat(ulid).isGreaterThan(previousUlid);
                        previousUuid = uuid;
                        previousUlid = ulid;
                    }
                });
    }
}
