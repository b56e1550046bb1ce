package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HighWaterFileTest {
    private static final long NOW = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    private SnowflakeGenerator generator(Path file, TestClocks.Manual clock, ClockSafety safety) {
        return IdGenerator.snowflake(SnowflakeLayout.twitter())
                .workerIds(WorkerIdSource.fixed(7).withHighWaterFile(file, Duration.ofMillis(100)))
                .clock(clock).clockSafety(safety).parker(n -> { }).build();
    }

    @Test
    void restartWithClockSetBackDoesNotReuseIds() {
        Path file = dir.resolve("worker-7.hwm");
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeGenerator first = generator(file, clock, ClockSafety.logicalClock(Duration.ofSeconds(1),
                Duration.ZERO));
        long lastOfFirstRun = 0;
        for (int i = 0; i < 5000; i++) {
            lastOfFirstRun = first.nextId();
            clock.advance(i % 100 == 0 ? 1 : 0);
        }
        first.close();

        // "Restart" on a clock that went back 500 ms: the new generator starts after the recorded mark.
        clock.set(NOW - 500);
        SnowflakeGenerator restarted = generator(file, clock, ClockSafety.logicalClock(Duration.ofSeconds(1),
                Duration.ZERO));

        long next = restarted.nextId();
        assertThat(next).isGreaterThan(lastOfFirstRun);
        assertThat(restarted.stats().lead()).isPositive();
    }

    @Test
    void withoutTheFileARestartWithClockSetBackWouldReuseIds() {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeGenerator first = IdGenerator.snowflake(SnowflakeLayout.twitter()).nodeId(7).clock(clock).build();
        long id = first.nextId();

        clock.set(NOW - 500);
        SnowflakeGenerator restarted = IdGenerator.snowflake(SnowflakeLayout.twitter()).nodeId(7).clock(clock).build();
        clock.set(NOW);

        assertThat(restarted.nextId()).as("the documented limit: one process lifetime").isEqualTo(id);
    }

    @Test
    void strictRestartWaitsForTheRecordedMarkOrFails() {
        Path file = dir.resolve("strict.hwm");
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        SnowflakeGenerator first = generator(file, clock, ClockSafety.waitThenFail(Duration.ofMillis(50)));
        first.nextId();
        first.close();

        clock.set(NOW - 10_000);
        SnowflakeGenerator restarted = generator(file, clock, ClockSafety.waitThenFail(Duration.ofMillis(50)));

        assertThatThrownBy(restarted::nextId).isInstanceOf(ClockMovedBackwardsException.class);
        clock.set(NOW + 101);
        assertThat(SnowflakeLayout.twitter().decode(restarted.nextId()).timestamp().toEpochMilli())
                .isGreaterThan(NOW + 100);
    }

    @Test
    void fileFormatIsVersionedAndChecksummed() throws IOException {
        Path file = dir.resolve("format.hwm");
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        generator(file, clock, ClockSafety.defaults()).nextId();

        String text = Files.readString(file);
        // Version 1 as documented in docs/idgen.md
        assertThat(text).matches("dstk-idgen-high-water 1\nnode-id 7\nissued-up-to-millis " + (NOW + 100)
                + "\ncrc32 [0-9a-f]{8}\n");
    }

    @Test
    void goldenFileIsReadBack() throws IOException {
        // Written by hand from the documented format; CRC-32 of the first three lines.
        String body = "dstk-idgen-high-water 1\nnode-id 7\nissued-up-to-millis 1780315200000\n";
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        Path file = dir.resolve("golden.hwm");
        Files.writeString(file, body + "crc32 " + String.format("%08x", crc.getValue()) + "\n");

        TestClocks.Manual clock = new TestClocks.Manual(1780315200000L - 1000);
        SnowflakeGenerator gen = generator(file, clock, ClockSafety.logicalClock(Duration.ofSeconds(5), Duration.ZERO));

        assertThat(SnowflakeLayout.twitter().decode(gen.nextId()).timestamp().toEpochMilli())
                .isEqualTo(1780315200001L);
    }

    @Test
    void corruptFilesAreReportedNeverIgnored() throws IOException {
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        Path good = dir.resolve("good.hwm");
        generator(good, clock, ClockSafety.defaults()).nextId();
        String text = Files.readString(good);

        assertCorrupt(text.replace("node-id 7", "node-id 8"), "checksum");
        assertCorrupt(text.substring(0, text.length() - 5), "line feed");
        assertCorrupt(text.replace("high-water 1", "high-water 2"), "format version is '2'");
        assertCorrupt("", "line feed");
        assertCorrupt("garbage\n", "first line");
        assertCorrupt(text + "extra\n", "has 5 lines");
        assertCorrupt("x".repeat(1000), "more than 256");
    }

    private void assertCorrupt(String content, String reason) throws IOException {
        Path file = Files.createTempFile(dir, "corrupt", ".hwm");
        Files.writeString(file, content);
        assertThatThrownBy(() -> generator(file, new TestClocks.Manual(NOW), ClockSafety.defaults()))
                .isInstanceOf(HighWaterFileException.class).hasMessageContaining(file.toString())
                .hasMessageContaining(reason);
    }

    @Test
    void fileOfAnotherNodeIdIsRejected() {
        Path file = dir.resolve("shared.hwm");
        TestClocks.Manual clock = new TestClocks.Manual(NOW);
        generator(file, clock, ClockSafety.defaults()).nextId();

        assertThatThrownBy(() -> IdGenerator.snowflake(SnowflakeLayout.twitter())
                .workerIds(WorkerIdSource.fixed(8).withHighWaterFile(file)).clock(clock).build())
                .isInstanceOf(HighWaterFileException.class).hasMessageContaining("node id 7")
                .hasMessageContaining("node id 8");
    }

    @Test
    void reserveAheadOutOfRangeIsRejected() {
        assertThatThrownBy(() -> WorkerIdSource.fixed(1).withHighWaterFile(dir.resolve("x"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserveAhead was PT0S");
    }
}
