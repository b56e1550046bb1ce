package io.dstk.idgen.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HighWaterFileWriteTest {
    @TempDir
    Path dir;

    @Test
    void writeReplacesTheFileAndLeavesNoTemporaryFileBehind() throws IOException {
        Path file = dir.resolve("worker.hw");
        HighWaterFile.write(file, new HighWaterFile.Mark(3, 1_000));
        HighWaterFile.write(file, new HighWaterFile.Mark(3, 2_000));

        assertThat(HighWaterFile.read(file)).isEqualTo(new HighWaterFile.Mark(3, 2_000));
        try (var entries = Files.list(dir)) {
            assertThat(entries).containsExactly(file);
        }
    }

    @Test
    void forcingADirectoryThatCannotBeOpenedIsSkippedNotFatal() {
        assertThatCode(() -> HighWaterFile.forceDirectory(dir)).doesNotThrowAnyException();
        assertThatCode(() -> HighWaterFile.forceDirectory(dir.resolve("missing"))).doesNotThrowAnyException();
        assertThatCode(() -> HighWaterFile.forceDirectory(null)).doesNotThrowAnyException();
    }
}
