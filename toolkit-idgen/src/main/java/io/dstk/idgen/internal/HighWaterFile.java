package io.dstk.idgen.internal;

import io.dstk.idgen.HighWaterFileException;
import io.dstk.idgen.WorkerIdLease;

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
import java.util.zip.CRC32;

/**
 * The high-water file: the last timestamp a node id may have used, kept across restarts.
 *
 * <p>Format version 1: UTF-8 text, four lines, each ended by one LF, nothing else:
 * <pre>
 * dstk-idgen-high-water 1
 * node-id 7
 * issued-up-to-millis 1764460800123
 * crc32 1a2b3c4d
 * </pre>
 * Numbers are decimal (no sign for the node id, an optional '-' for the millis); the checksum is CRC-32 of the
 * first three lines (including their LFs) as 8 lowercase hex digits. Anything else is rejected.
 */
public final class HighWaterFile {
    static final String MAGIC = "dstk-idgen-high-water";
    static final int VERSION = 1;
    private static final int MAX_SIZE = 256;

    private HighWaterFile() {
    }

    /** A recorded high-water mark. */
    public record Mark(long nodeId, long issuedUpToMillis) {
    }

    /**
     * Wraps a lease so that it reads the file at start and records a mark before each extension.
     *
     * @param delegate     the lease to wrap
     * @param file         the file
     * @param aheadMillis  how far ahead each write reserves
     * @return the wrapping lease
     */
    public static WorkerIdLease lease(WorkerIdLease delegate, Path file, long aheadMillis) {
        Mark mark;
        try {
            mark = read(file);
        } catch (HighWaterFileException e) {
            delegate.close();
            throw e;
        }
        if (mark != null && mark.nodeId() != delegate.nodeId()) {
            delegate.close();
            throw new HighWaterFileException("high-water file " + file + " was written for node id " + mark.nodeId()
                    + " but this generator has node id " + delegate.nodeId()
                    + "; use one file per node id (delete the file only if no ids of node " + delegate.nodeId()
                    + " can have timestamps after " + mark.issuedUpToMillis() + ")");
        }
        long start = mark == null ? Long.MIN_VALUE : mark.issuedUpToMillis();
        return new Lease(delegate, file, aheadMillis, Math.max(start, delegate.issuedUpToMillis()));
    }

    private static final class Lease implements WorkerIdLease {
        private final WorkerIdLease delegate;
        private final Path file;
        private final long aheadMillis;
        private final long issuedUpTo;
        private long recorded;

        Lease(WorkerIdLease delegate, Path file, long aheadMillis, long issuedUpTo) {
            this.delegate = delegate;
            this.file = file;
            this.aheadMillis = aheadMillis;
            this.issuedUpTo = issuedUpTo;
            this.recorded = issuedUpTo;
        }

        @Override
        public long nodeId() {
            return delegate.nodeId();
        }

        @Override
        public long issuedUpToMillis() {
            return issuedUpTo;
        }

        @Override
        public synchronized long extend(long wantedMillis) {
            long allowed = delegate.extend(wantedMillis);
            if (wantedMillis > recorded) {
                long mark = Math.min(allowed, saturatedAdd(wantedMillis, aheadMillis));
                write(file, new Mark(delegate.nodeId(), mark));
                recorded = mark;
            }
            return Math.min(allowed, recorded);
        }

        @Override
        public void onRevoke(Runnable action) {
            delegate.onRevoke(action);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Forces a directory's entries (the rename) to disk; skipped where directories cannot be opened or forced. */
    static void forceDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Windows and some file systems refuse to open or sync a directory: nothing more can be done there.
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    static String render(Mark mark) {
        String body = MAGIC + " " + VERSION + "\nnode-id " + mark.nodeId() + "\nissued-up-to-millis "
                + mark.issuedUpToMillis() + "\n";
        return body + "crc32 " + String.format("%08x", crc(body)) + "\n";
    }

    private static long crc(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    /**
     * Reads a mark.
     *
     * @param file the file
     * @return the mark, or null if the file does not exist
     * @throws HighWaterFileException if it cannot be read or is not a valid version-1 file
     */
    public static Mark read(Path file) {
        byte[] bytes;
        try {
            if (Files.exists(file) && Files.size(file) > MAX_SIZE) {
                throw corrupt(file, "it is " + Files.size(file) + " bytes long, more than " + MAX_SIZE);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new HighWaterFileException("cannot read high-water file " + file + ": " + e, e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (!text.endsWith("\n")) {
            throw corrupt(file, "it does not end with a line feed (truncated?)");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 1 || !lines[0].startsWith(MAGIC + " ")) {
            throw corrupt(file, "its first line is not '" + MAGIC + " <version>'");
        }
        String version = lines[0].substring(MAGIC.length() + 1);
        if (!version.equals(Integer.toString(VERSION))) {
            throw corrupt(file, "its format version is '" + version + "' but this library reads version " + VERSION);
        }
        if (lines.length != 4) {
            throw corrupt(file, "it has " + lines.length + " lines but version 1 has 4");
        }
        String body = lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n";
        String crcText = value(file, lines[3], "crc32");
        if (!crcText.matches("[0-9a-f]{8}") || Long.parseLong(crcText, 16) != crc(body)) {
            throw corrupt(file, "its checksum '" + crcText + "' does not match its content (expected "
                    + String.format("%08x", crc(body)) + ")");
        }
        long node = number(file, value(file, lines[1], "node-id"), "node-id", false);
        long millis = number(file, value(file, lines[2], "issued-up-to-millis"), "issued-up-to-millis", true);
        return new Mark(node, millis);
    }

    private static String value(Path file, String line, String key) {
        if (!line.startsWith(key + " ")) {
            throw corrupt(file, "expected a line '" + key + " <value>' but found '" + line + "'");
        }
        return line.substring(key.length() + 1);
    }

    private static long number(Path file, String text, String key, boolean signed) {
        if (!text.matches(signed ? "-?[0-9]{1,19}" : "[0-9]{1,19}")) {
            throw corrupt(file, key + " '" + text + "' is not a decimal number");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw corrupt(file, key + " '" + text + "' is out of range");
        }
    }

    private static HighWaterFileException corrupt(Path file, String why) {
        return new HighWaterFileException("high-water file " + file + " is not valid: " + why
                + ". It records the last timestamp used by this worker id; starting without it could reissue ids."
                + " Restore it, or delete it once the clock is past every id this worker issued.");
    }

    /**
     * Writes a mark durably: a temporary file beside it, forced to disk, renamed over the old one, then the
     * directory forced to disk so that the rename survives a power loss. Platforms that cannot open or force a
     * directory (Windows) throw {@code IOException} there; that one step is then skipped, as their file systems
     * offer no other way to make a rename durable.
     *
     * @param file the file
     * @param mark the mark
     * @throws HighWaterFileException if it cannot be written
     */
    public static void write(Path file, Mark mark) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(render(mark).getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new HighWaterFileException("cannot write high-water file " + file + ": " + e, e);
        }
    }
}
