package io.dstk.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dstk.ratelimit.internal.FileBudgetStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BudgetTest {

    @TempDir
    Path dir;

    @Test
    void tripsOncePerEpochAndDeniesUntilReset() {
        List<String> trips = new ArrayList<>();
        Budget budget = Budget.builder("api", 10).onTrip(e -> trips.add(e.idempotencyKey())).build();
        assertThat(budget.tryAcquire(6)).isTrue();
        assertThat(budget.tryAcquire(5)).as("does not fit").isFalse();
        assertThat(trips).isEmpty();
        assertThat(budget.tryAcquire(4)).isTrue();
        assertThat(trips).containsExactly("api/0/trip");
        assertThat(budget.state().tripped()).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(budget.tryAcquire(1)).isFalse();
            budget.record(1);
        }
        assertThat(trips).as("once per epoch").containsExactly("api/0/trip");

        budget.reset();
        assertThat(budget.state().epoch()).isEqualTo(1);
        assertThat(budget.state().used()).isZero();
        assertThat(budget.tryAcquire(10)).isTrue();
        assertThat(trips).containsExactly("api/0/trip", "api/1/trip");
    }

    @Test
    void raiseStartsANewEpochKeepingUsage() {
        AtomicInteger trips = new AtomicInteger();
        Budget budget = Budget.builder("raise", 10).onTrip(e -> trips.incrementAndGet()).build();
        assertThat(budget.tryAcquire(10)).isTrue();
        budget.raise(15);
        BudgetState s = budget.state();
        assertThat(s.epoch()).isEqualTo(1);
        assertThat(s.used()).isEqualTo(10);
        assertThat(s.tripped()).isFalse();
        assertThat(s.remaining()).isEqualTo(5);
        assertThat(budget.tryAcquire(5)).isTrue();
        assertThat(trips).hasValue(2);
        budget.raise(12);
        assertThat(budget.state().tripped()).as("already over the new limit").isTrue();
        assertThat(trips).hasValue(3);
    }

    @Test
    void thresholdsFireOnceEachInOrder() {
        List<String> events = new ArrayList<>();
        Budget budget = Budget.builder("warn", 100)
                .threshold(0.8, e -> events.add("80:" + e.used()))
                .threshold(0.5, e -> events.add("50:" + e.used()))
                .onTrip(e -> events.add("trip:" + e.used()))
                .build();
        budget.tryAcquire(40);
        assertThat(events).isEmpty();
        budget.tryAcquire(45);
        assertThat(events).containsExactly("50:85", "80:85");
        budget.tryAcquire(5);
        budget.record(10);
        assertThat(events).containsExactly("50:85", "80:85", "trip:100");
        assertThat(budget.state().notifiedThreshold()).isEqualTo(0.8);
    }

    @Test
    void failingKillSwitchRunsAgainWithTheSameKeyUntilItCompletes() {
        List<String> attempts = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        Budget budget = Budget.builder("flaky", 1)
                .onTrip(e -> {
                    attempts.add(e.idempotencyKey());
                    if (failuresLeft.getAndDecrement() > 0) {
                        throw new IllegalStateException("switch unreachable");
                    }
                })
                .onActionFailure((e, ex) -> failures.add(ex.getMessage()))
                .build();
        assertThat(budget.tryAcquire(1)).isTrue();
        assertThat(budget.state().tripNotified()).isFalse();
        assertThat(budget.tryAcquire(1)).isFalse();
        assertThat(budget.tryAcquire(1)).isFalse();
        assertThat(budget.tryAcquire(1)).isFalse();
        assertThat(attempts).containsExactly("flaky/0/trip", "flaky/0/trip", "flaky/0/trip");
        assertThat(failures).hasSize(2);
        assertThat(budget.state().tripNotified()).isTrue();
    }

    @Test
    void stateSurvivesARestartThroughTheFileStore() {
        BudgetStore store = BudgetStore.file(dir);
        Budget first = Budget.builder("persisted", 100).store(store).build();
        first.tryAcquire(30);
        first.record(20);
        Budget second = Budget.builder("persisted", 999).store(BudgetStore.file(dir)).build();
        assertThat(second.state()).isEqualTo(first.state());
        assertThat(second.state().limit()).as("the stored limit wins").isEqualTo(100);
        assertThat(second.state().used()).isEqualTo(50);
    }

    @Test
    void tripWhoseActionsDidNotCompleteRunsThemAfterARestart() {
        List<String> keys = new ArrayList<>();
        Budget crashed = Budget.builder("restart", 5).store(BudgetStore.file(dir))
                .onTrip(e -> {
                    throw new IllegalStateException("process dies before the switch is thrown");
                })
                .onActionFailure((e, ex) -> { })
                .build();
        crashed.tryAcquire(5);
        Budget restarted = Budget.builder("restart", 5).store(BudgetStore.file(dir))
                .onTrip(e -> keys.add(e.idempotencyKey())).build();
        assertThat(keys).containsExactly("restart/0/trip");
        assertThat(restarted.tryAcquire(1)).as("still tripped after the restart").isFalse();
        Budget again = Budget.builder("restart", 5).store(BudgetStore.file(dir))
                .onTrip(e -> keys.add(e.idempotencyKey())).build();
        assertThat(again.state().tripped()).isTrue();
        assertThat(keys).as("completed actions do not run again").containsExactly("restart/0/trip");
    }

    @Test
    void corruptFileIsReportedNeverReset() throws IOException {
        Budget.builder("corrupt", 100).store(BudgetStore.file(dir)).build().tryAcquire(42);
        Path file = dir.resolve("corrupt.budget");
        String good = Files.readString(file);

        Files.writeString(file, good.replace("used=42", "used=02"));
        assertThatThrownBy(() -> Budget.builder("corrupt", 100).store(BudgetStore.file(dir)).build())
                .isInstanceOf(BudgetStoreException.class).hasMessageContaining("is corrupt: checksum mismatch")
                .hasMessageContaining("refusing to start from zero");

        Files.writeString(file, good.replace("dstk-budget 1", "dstk-budget 2"));
        assertThatThrownBy(() -> BudgetStore.file(dir).load("corrupt"))
                .isInstanceOf(BudgetStoreException.class).hasMessageContaining("unsupported format version \"2\"");

        Files.writeString(file, good.substring(0, good.length() / 2));
        assertThatThrownBy(() -> BudgetStore.file(dir).load("corrupt")).isInstanceOf(BudgetStoreException.class);

        Files.writeString(file, "");
        assertThatThrownBy(() -> BudgetStore.file(dir).load("corrupt")).isInstanceOf(BudgetStoreException.class)
                .hasMessageContaining("does not start with");

        Files.writeString(file, good);
        assertThat(BudgetStore.file(dir).load("corrupt")).map(BudgetState::used).hasValue(42L);
        assertThatThrownBy(() -> FileBudgetStore.decode(good, "x", "other")).isInstanceOf(BudgetStoreException.class)
                .hasMessageContaining("holds budget \"corrupt\", not \"other\"");
    }

    @Test
    void fileFormatMatchesTheGoldenFile() throws IOException {
        String golden;
        try (InputStream in = getClass().getResourceAsStream("golden-v1.budget")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        BudgetState state = new BudgetState("llm-spend", 3, 10_000, 8_123, Instant.parse("2026-11-29T00:00:00Z"),
                false, false, 0.8);
        assertThat(FileBudgetStore.encode(state)).isEqualTo(golden);
        assertThat(FileBudgetStore.decode(golden, "golden", "llm-spend")).isEqualTo(state);
    }

    @Test
    void newPeriodStartsANewEpoch() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-29T23:59:00Z"));
        InstantSource clock = now::get;
        List<String> trips = new ArrayList<>();
        Budget budget = Budget.builder("daily", 3).period(BudgetPeriod.DAILY).clock(clock)
                .onTrip(e -> trips.add(e.idempotencyKey())).build();
        assertThat(budget.tryAcquire(3)).isTrue();
        assertThat(budget.tryAcquire(1)).isFalse();
        now.set(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(budget.tryAcquire(3)).isTrue();
        assertThat(trips).containsExactly("daily/0/trip", "daily/1/trip");
        assertThat(budget.state().periodStart()).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        now.set(Instant.parse("2026-11-29T12:00:00Z"));
        assertThat(budget.state().epoch()).as("a clock going back does not roll back").isEqualTo(1);

        now.set(Instant.parse("2026-12-15T10:00:00Z"));
        Budget monthly = Budget.builder("monthly", 3).period(BudgetPeriod.MONTHLY).zone(ZoneId.of("Europe/Paris"))
                .clock(clock).build();
        assertThat(monthly.state().periodStart()).isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));
    }

    @Test
    void storeFailureChangesNothing() {
        AtomicInteger saves = new AtomicInteger();
        BudgetStore failing = new BudgetStore() {
            @Override
            public Optional<BudgetState> load(String budgetName) {
                return Optional.empty();
            }

            @Override
            public void save(BudgetState state) {
                if (saves.incrementAndGet() > 1) {
                    throw new BudgetStoreException("disk full", null);
                }
            }
        };
        Budget budget = Budget.builder("failing", 10).store(failing).build();
        assertThatThrownBy(() -> budget.tryAcquire(5)).isInstanceOf(BudgetStoreException.class);
        assertThat(budget.state().used()).isZero();
    }

    @Test
    void threadsSpendingTogetherNeverExceedTheLimitAndTripOnce() throws Exception {
        AtomicInteger trips = new AtomicInteger();
        Budget budget = Budget.builder("shared", 1_000).store(BudgetStore.file(dir))
                .onTrip(e -> trips.incrementAndGet()).build();
        AtomicInteger granted = new AtomicInteger();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    int units = 1 + i % 3;
                    if (budget.tryAcquire(units)) {
                        granted.addAndGet(units);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(granted).hasValue(1_000);
        assertThat(trips).hasValue(1);
        assertThat(BudgetStore.file(dir).load("shared")).map(BudgetState::used).hasValue(1_000L);
    }

    @Test
    void badInputIsRejectedNamingTheValue() {
        assertThatThrownBy(() -> Budget.builder("x", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be positive, was 0");
        assertThatThrownBy(() -> Budget.builder("../etc", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was \"../etc\"");
        assertThatThrownBy(() -> Budget.builder(null, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Budget.builder("x", 1).threshold(1.0, e -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 1.0");
        assertThatThrownBy(() -> Budget.builder("x", 1).threshold(Double.NaN, e -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Budget.builder("x", 1).onTrip(null)).isInstanceOf(NullPointerException.class);
        Budget budget = Budget.builder("x", 1).build();
        assertThatThrownBy(() -> budget.tryAcquire(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("units must be positive, was 0");
        assertThatThrownBy(() -> budget.record(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> budget.raise(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("newLimit must be positive, was 0");
        assertThat(budget.state().used()).isZero();
    }
}
