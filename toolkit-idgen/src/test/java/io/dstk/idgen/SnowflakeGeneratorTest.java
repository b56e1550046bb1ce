package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SnowflakeGeneratorTest {
    private static final long NOW = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();

    private static SnowflakeGenerator.Builder twitter(TestClocks.Manual clock) {
        return IdGenerator.snowflake(SnowflakeLayout.twitter()).nodeId(42).clock(clock);
    }

    @Test
    void idsCarryTheClockTheNodeIdAndASequence() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeGenerator gen = twitter(clock).build();

        SnowflakeId first = gen.layout().decode(gen.nextId());
        SnowflakeId second = gen.layout().decode(gen.nextId());

        assertThat(first.timestamp()).isEqualTo(Instant.ofEpochMilli(NOW));
        assertThat(first.nodeId()).isEqualTo(42);
        assertThat(first.sequence()).isZero();
        assertThat(second.sequence()).isEqualTo(1);
        clock.advance(1);
        assertThat(gen.layout().decode(gen.nextId()).sequence()).isZero();
    }

    @Test
    void usedUpTickWaitsForTheNextTick() {
        AtomicInteger parks = new AtomicInteger();
        SnowflakeLayout tiny = SnowflakeLayout.builder().timestamp("t", 41).sequence("s", 1).build();
        // The clock moves only when the generator waits: each read after the sequence ran out advances it.
        TestClocks.Scripted moving = new TestClocks.Scripted(NOW, List.of(0, 0, 0, 0));
        SnowflakeGenerator gen = IdGenerator.snowflake(tiny).nodeId(0).clock(moving)
                .parker(n -> parks.incrementAndGet()).build();

        long[] ids = gen.nextIds(6);

        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(gen.stats().ticksWaited()).isPositive();
        assertThat(gen.stats().idsIssued()).isEqualTo(6);
        assertThat(tiny.decode(ids[5]).tick()).isGreaterThan(tiny.decode(ids[0]).tick());
    }

    @Test
    void backwardStepWithinToleranceWaitsThenContinuesAboveTheLastId() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeGenerator gen = IdGenerator.snowflake(SnowflakeLayout.twitter()).nodeId(1).clock(clock)
                .clockSafety(ClockSafety.waitThenFail(Duration.ofMillis(10))).parker(n -> { }).build();
        long a = gen.nextId();

        clock.advance(-5);
        clock.stepPerRead(1);
        long b = gen.nextId();

        assertThat(b).isGreaterThan(a);
        assertThat(gen.stats().clockBackwardsEvents()).isEqualTo(1);
        assertThat(gen.stats().clockFailures()).isZero();
        assertThat(SnowflakeLayout.twitter().decode(b).timestamp().toEpochMilli()).isLessThanOrEqualTo(clock.millis());
    }

    @Test
    void backwardStepBeyondToleranceThrowsTypedExceptionAndRecovers() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeGenerator gen = twitter(clock).clockSafety(ClockSafety.waitThenFail(Duration.ofMillis(100))).build();
        long before = gen.nextId();

        clock.advance(-1_000);

        assertThatThrownBy(gen::nextId).isInstanceOf(ClockMovedBackwardsException.class)
                .hasMessageContaining("clock moved backwards").hasMessageContaining("1000 ms behind")
                .satisfies(e -> assertThat(((ClockMovedBackwardsException) e).behindMillis()).isEqualTo(1000));
        assertThat(gen.stats().clockFailures()).isEqualTo(1);
        clock.advance(1_001);
        assertThat(gen.nextId()).isGreaterThan(before);
    }

    /** Regression: a clock that stepped back again during a wait made the call wait without bound. */
    @Test
    void clockSteppingBackAgainDuringAWait_failsAfterTheToleranceInsteadOfWaitingOn() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        AtomicLong ticker = new AtomicLong();
        SnowflakeGenerator gen = twitter(clock).clockSafety(ClockSafety.waitThenFail(Duration.ofMillis(10)))
                .parker(ticker::addAndGet).ticker(ticker::get).build();
        long before = gen.nextId();

        clock.advance(-5);
        clock.stepPerRead(-1);

        assertThatThrownBy(gen::nextId).isInstanceOf(ClockMovedBackwardsException.class)
                .hasMessageContaining("during a wait")
                .satisfies(e -> assertThat(((ClockMovedBackwardsException) e).behindMillis())
                        .isGreaterThan(10 + 20 - ticker.get() / 1_000_000));
        assertThat(gen.stats().clockFailures()).isEqualTo(1);
        clock.stepPerRead(0);
        clock.set(NOW + 1);
        assertThat(gen.nextId()).isGreaterThan(before);
    }

    @Test
    void clockStallingDuringAWait_failsOnceTheAllowedWaitHasPassed() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        AtomicLong ticker = new AtomicLong();
        SnowflakeGenerator gen = twitter(clock).clockSafety(ClockSafety.waitThenFail(Duration.ofMillis(100)))
                .parker(ticker::addAndGet).ticker(ticker::get).build();
        gen.nextId();
        clock.advance(-50);

        assertThatThrownBy(gen::nextId).isInstanceOf(ClockMovedBackwardsException.class)
                .hasMessageContaining("during a wait");
        // It waited (in virtual time) about what was allowed, not less and not without bound.
        assertThat(ticker.get()).isBetween(Duration.ofMillis(100 + 20 - 51).toNanos(),
                Duration.ofMillis(100 + 20).toNanos());
    }

    @Test
    void everyBackwardStepIsCounted_alsoThoseTheLogicalClockAbsorbs() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeGenerator gen = twitter(clock).clockSafety(ClockSafety.logicalClock(Duration.ofMillis(50),
                Duration.ZERO)).build();
        gen.nextId();
        clock.advance(-5);
        gen.nextId();
        gen.nextId();
        assertThat(gen.stats().clockBackwardsEvents()).as("one step, seen by two calls").isEqualTo(1);
        clock.advance(-3);
        gen.nextId();
        assertThat(gen.stats().clockBackwardsEvents()).as("a further step down").isEqualTo(2);
        clock.advance(20);
        gen.nextId();
        clock.advance(-1);
        gen.nextId();
        assertThat(gen.stats().clockBackwardsEvents()).as("a new step after the clock caught up").isEqualTo(3);
        assertThat(gen.stats().clockFailures()).isZero();
    }

    @Test
    void logicalClockCarriesOnAheadOfABackwardClockUpToItsMaximumLead() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeLayout small = SnowflakeLayout.builder().timestamp("t", 41).sequence("s", 2).build();
        SnowflakeGenerator gen = IdGenerator.snowflake(small).nodeId(0).clock(clock)
                .clockSafety(ClockSafety.logicalClock(Duration.ofMillis(3), Duration.ZERO)).build();
        long last = gen.nextId();
        clock.advance(-2);

        // 3 left in the tick of the last id, then 4 in each of tick+1 (lead 3 ms, allowed)
        for (int i = 0; i < 7; i++) {
            long id = gen.nextId();
            assertThat(id).isGreaterThan(last);
            last = id;
        }
        assertThat(gen.stats().lead()).isEqualTo(Duration.ofMillis(3));
        // At the maximum lead, a used-up tick would wait one tick; a further step back needs more: fail.
        clock.advance(-1);
        assertThatThrownBy(gen::nextId).isInstanceOf(ClockMovedBackwardsException.class);
        clock.advance(3);
        assertThat(gen.nextId()).isGreaterThan(last);
    }

    @Test
    void bulkIdsAreConsecutiveWithinATick() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeGenerator gen = twitter(clock).build();
        long first = gen.nextId();

        long[] block = gen.nextIds(100);

        assertThat(block).hasSize(100);
        for (int i = 0; i < block.length; i++) {
            assertThat(block[i]).isEqualTo(first + 1 + i);
        }
        assertThatThrownBy(() -> gen.nextIds(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count was 0");
    }

    @Test
    void buildRejectsEpochInTheFutureAndNodeIdsThatDoNotFit() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeLayout future = SnowflakeLayout.twitter().withEpoch(Instant.ofEpochMilli(NOW + 1));
        assertThatThrownBy(() -> IdGenerator.snowflake(future).nodeId(1).clock(clock).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be in the future");
        assertThatThrownBy(() -> IdGenerator.snowflake(SnowflakeLayout.twitter()).nodeId(1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeId was 1024");
        assertThatThrownBy(() -> IdGenerator.snowflake(SnowflakeLayout.discord())
                .workerIds(WorkerIdSource.fixed(1024)).clock(clock).build())
                .isInstanceOf(WorkerIdUnavailableException.class).hasMessageContaining("was 1024");
        assertThatThrownBy(() -> IdGenerator.snowflake(SnowflakeLayout.twitter()).clock(clock).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("workerIds");
    }

    @Test
    void closedGeneratorRefusesIdsAndReleasesItsLeaseOnce() {
        AtomicInteger closes = new AtomicInteger();
        WorkerIdSource counting = layout -> new WorkerIdLease() {
            @Override
            public long nodeId() {
                return 3;
            }

            @Override
            public long issuedUpToMillis() {
                return Long.MIN_VALUE;
            }

            @Override
            public long extend(long wantedMillis) {
                return Long.MAX_VALUE;
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
        SnowflakeGenerator gen = IdGenerator.snowflake(SnowflakeLayout.twitter()).workerIds(counting)
                .clock(new TestClocks.Manual(NOW)).build();
        gen.nextId();

        gen.close();
        gen.close();

        assertThat(closes).hasValue(1);
        assertThatThrownBy(gen::nextId).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    /**
     * A lease revoked while threads issue ids and extend it every millisecond, the revocation landing inside an
     * extend call (after the lease decided to grant): that grant must not undo the revocation, so every thread stops
     * with the typed exception and a call made afterwards fails at once.
     */
    @Test
    void revokedLease_everyThreadStops_evenWhenTheRevocationLandsInsideExtend() throws Exception {
        AtomicReference<Runnable> revoker = new AtomicReference<>();
        AtomicInteger extendCalls = new AtomicInteger();
        AtomicBoolean revoked = new AtomicBoolean();
        WorkerIdSource revocable = layout -> new WorkerIdLease() {
            @Override
            public long nodeId() {
                return 3;
            }

            @Override
            public long issuedUpToMillis() {
                return Long.MIN_VALUE;
            }

            @Override
            public long extend(long wantedMillis) {
                if (extendCalls.incrementAndGet() == 20) {
                    revoker.get().run();
                    revoked.set(true);
                }
                return wantedMillis; // one tick at a time, and never refused: only the revocation stops ids
            }

            @Override
            public void onRevoke(Runnable action) {
                revoker.set(action);
            }
        };
        SnowflakeGenerator gen = IdGenerator.snowflake(SnowflakeLayout.twitter()).workerIds(revocable).build();
        AtomicLong issued = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<WorkerIdUnavailableException>> stopped = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                stopped.add(pool.submit(() -> {
                    for (;;) {
                        try {
                            gen.nextId();
                            issued.incrementAndGet();
                        } catch (WorkerIdUnavailableException e) {
                            return e;
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(revoked::get);

            assertThatThrownBy(gen::nextId).isInstanceOf(WorkerIdUnavailableException.class)
                    .hasMessageContaining("revoked");
            for (Future<WorkerIdUnavailableException> f : stopped) {
                assertThat(f.get(60, TimeUnit.SECONDS)).hasMessageContaining("node id 3");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void leaseThatCannotBeExtendedStopsIdsWithATypedException() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        WorkerIdSource expiring = layout -> new WorkerIdLease() {
            @Override
            public long nodeId() {
                return 9;
            }

            @Override
            public long issuedUpToMillis() {
                return Long.MIN_VALUE;
            }

            @Override
            public long extend(long wantedMillis) {
                if (wantedMillis > NOW + 10) {
                    throw new WorkerIdUnavailableException("lease expired");
                }
                return NOW + 10;
            }
        };
        SnowflakeGenerator gen = IdGenerator.snowflake(SnowflakeLayout.twitter()).workerIds(expiring).clock(clock)
                .build();
        gen.nextId();
        clock.advance(10);
        gen.nextId();
        clock.advance(1);

        assertThatThrownBy(gen::nextId).isInstanceOf(WorkerIdUnavailableException.class);
    }

    @Test
    void timestampFieldThatRunsOutFailsInsteadOfWrapping() {
        SnowflakeLayout shortLived = SnowflakeLayout.builder().epoch(Instant.ofEpochMilli(NOW - 10))
                .timestamp("t", 4).sequence("s", 4).build();
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeGenerator gen = IdGenerator.snowflake(shortLived).nodeId(0).clock(clock).build();
        gen.nextId();
        clock.advance(10);

        assertThatThrownBy(gen::nextId).isInstanceOf(IllegalStateException.class).hasMessageContaining("used up");
    }

    @Test
    void sonyflakeTicksAreTenMilliseconds() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW + 7);
        SnowflakeGenerator gen = IdGenerator.snowflake(SnowflakeLayout.sonyflake()).nodeId(0xBEEF).clock(clock)
                .build();

        SnowflakeId id = gen.layout().decode(gen.nextId());

        assertThat(id.timestamp()).isEqualTo(Instant.ofEpochMilli(NOW));
        assertThat(id.nodeFields()).containsEntry("machine", 0xBEEFL);
    }

    @Test
    void reGrantedWorkerIdStartsAfterThePreviousHoldersLastTimestamp() {
        // What a leasing source does when it hands a node id to a new holder: issuedUpToMillis covers the
        // previous holder's expiry plus its maximum lead. The new holder's clock is behind that.
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        long previousHolderUpTo = NOW + 40;
        WorkerIdSource regranted = layout -> new WorkerIdLease() {
            @Override
            public long nodeId() {
                return 11;
            }

            @Override
            public long issuedUpToMillis() {
                return previousHolderUpTo;
            }

            @Override
            public long extend(long wantedMillis) {
                return Long.MAX_VALUE;
            }
        };
        SnowflakeGenerator gen = IdGenerator.snowflake(SnowflakeLayout.twitter()).workerIds(regranted).clock(clock)
                .clockSafety(ClockSafety.waitThenFail(Duration.ofMillis(10))).build();

        assertThatThrownBy(gen::nextId).isInstanceOf(ClockMovedBackwardsException.class);
        // At the previous holder's last millisecond the generator waits for the next one.
        clock.set(previousHolderUpTo);
        clock.stepPerRead(1);
        long millis = SnowflakeLayout.twitter().decode(gen.nextId()).timestamp().toEpochMilli();
        assertThat(millis).isGreaterThan(previousHolderUpTo).isLessThan(clock.millis());
    }
}
