package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.BudgetState;
import io.dstk.ratelimit.BudgetStore;
import io.dstk.ratelimit.BudgetStoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * One file per budget, {@code <name>.budget}, UTF-8 text with LF line ends, fields in this exact order:
 * <pre>
 * dstk-budget 1
 * name=llm-spend
 * epoch=3
 * limit=10000
 * used=8123
 * period-start=2026-11-29T00:00:00Z      (or none)
 * tripped=false
 * trip-notified=false
 * notified-threshold=0.8
 * crc32=1a2b3c4d                          (CRC-32 of every byte before this line, 8 lowercase hex digits)
 * </pre>
 * Anything else (other version, order, missing field, bad number, checksum mismatch, name of another budget)
 * is corrupt and reported. Saving writes {@code <name>.budget.tmp}, forces it to disk and renames it over the
 * old file, so a crash leaves either the old or the new state.
 */
public final class FileBudgetStore implements BudgetStore {
    /** The first line of every file. */
    public static final String HEADER = "dstk-budget 1";
    private static final String[] KEYS = {"name", "epoch", "limit", "used", "period-start", "tripped",
        "trip-notified", "notified-threshold"};

    private final Path directory;

    /**
     * Creates the store.
     *
     * @param directory where the files live
     */
    public FileBudgetStore(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    private Path file(String budgetName) {
        return directory.resolve(budgetName + ".budget");
    }

    /**
     * Encodes a state in the file format.
     *
     * @param state the state
     * @return the file's content
     */
    public static String encode(BudgetState state) {
        StringBuilder s = new StringBuilder(HEADER).append('\n');
        s.append("name=").append(state.name()).append('\n');
        s.append("epoch=").append(state.epoch()).append('\n');
        s.append("limit=").append(state.limit()).append('\n');
        s.append("used=").append(state.used()).append('\n');
        s.append("period-start=").append(state.periodStart() == null ? "none" : state.periodStart().toString())
                .append('\n');
        s.append("tripped=").append(state.tripped()).append('\n');
        s.append("trip-notified=").append(state.tripNotified()).append('\n');
        s.append("notified-threshold=").append(state.notifiedThreshold()).append('\n');
        String checksum = crc(s.toString());
        s.append("crc32=").append(checksum).append('\n');
        return s.toString();
    }

    /**
     * Decodes the file format.
     *
     * @param text     the file's content
     * @param where    names the file in error messages
     * @param expected the budget name the file must hold
     * @return the state
     * @throws BudgetStoreException if the content is corrupt
     */
    public static BudgetState decode(String text, String where, String expected) {
        String[] lines = text.split("\n", -1);
        if (lines.length == 0 || !lines[0].startsWith("dstk-budget ")) {
            throw corrupt(where, "it does not start with \"dstk-budget <version>\"", null);
        }
        if (!lines[0].equals(HEADER)) {
            throw corrupt(where, "unsupported format version \"" + lines[0].substring(12) + "\" (this version reads 1)",
                    null);
        }
        if (lines.length != KEYS.length + 3 || !lines[lines.length - 1].isEmpty()) {
            throw corrupt(where, "expected " + (KEYS.length + 2) + " lines ending with a newline, found "
                    + (lines.length - 1), null);
        }
        String crcLine = lines[KEYS.length + 1];
        int crcStart = text.length() - crcLine.length() - 1;
        if (!crcLine.equals("crc32=" + crc(text.substring(0, crcStart)))) {
            throw corrupt(where, "checksum mismatch (" + crcLine + ", content has crc32="
                    + crc(text.substring(0, crcStart)) + ")", null);
        }
        String[] values = new String[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            String line = lines[i + 1];
            if (!line.startsWith(KEYS[i] + "=")) {
                throw corrupt(where, "line " + (i + 2) + " should be " + KEYS[i] + "=..., was \"" + line + "\"", null);
            }
            values[i] = line.substring(KEYS[i].length() + 1);
        }
        if (!values[0].equals(expected)) {
            throw corrupt(where, "it holds budget \"" + values[0] + "\", not \"" + expected + "\"", null);
        }
        try {
            Instant periodStart = values[4].equals("none") ? null : Instant.parse(values[4]);
            return new BudgetState(values[0], Long.parseLong(values[1]), Long.parseLong(values[2]),
                    Long.parseLong(values[3]), periodStart, bool(values[5]), bool(values[6]),
                    Double.parseDouble(values[7]));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw corrupt(where, "malformed value: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw corrupt(where, "invalid state: " + e.getMessage(), e);
        }
    }

    private static boolean bool(String value) {
        if (value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException("not a boolean: \"" + value + "\"");
    }

    private static String crc(String content) {
        CRC32 crc = new CRC32();
        crc.update(content.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    private static BudgetStoreException corrupt(String where, String why, Throwable cause) {
        return new BudgetStoreException("budget file " + where + " is corrupt: " + why
                + "; refusing to start from zero (repair or remove the file)", cause);
    }

    @Override
    public Optional<BudgetState> load(String budgetName) {
        Path file = file(budgetName);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BudgetStoreException("cannot read budget file " + file + ": " + e, e);
        }
        return Optional.of(decode(new String(bytes, StandardCharsets.UTF_8), file.toString(), budgetName));
    }

    @Override
    public void save(BudgetState state) {
        Path file = file(state.name());
        Path tmp = directory.resolve(state.name() + ".budget.tmp");
        byte[] bytes = encode(state).getBytes(StandardCharsets.UTF_8);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new BudgetStoreException("cannot write budget file " + file + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return "BudgetStore.file(" + directory + ")";
    }
}
