package io.dstk.idgen;

import io.dstk.idgen.internal.HighWaterFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Where a {@link SnowflakeGenerator} gets its node (worker) id: the SPI behind {@link WorkerIdLease}.
 *
 * <p>Ids of different generators differ only if their node ids differ: two live generators of one layout must
 * never share a node id. The sources here take the id from configuration ({@link #fixed(long)},
 * {@link #fromSystemProperty(String)}, {@link #fromEnvironment(String)}): keeping them distinct is the
 * operator's job. <b>Never derive a node id from an IP or MAC address</b> (containers share and reuse them;
 * Sonyflake's IP-derived machine ids have produced duplicate ids in Kubernetes). A source that leases ids from
 * a cluster plugs in here by implementing {@link #acquire(SnowflakeLayout)}.
 *
 * <p><b>Restarts.</b> Without a high-water file, the no-duplicate guarantee holds for one process lifetime: a
 * process that restarts with a clock set back could reissue ids it issued before. Add
 * {@link #withHighWaterFile(Path)} to extend the guarantee across restarts on one host.
 *
 * <p>Implementations must be thread-safe; these are immutable.
 */
@FunctionalInterface
public interface WorkerIdSource {

    /**
     * Obtains a node id for a layout.
     *
     * @param layout the layout the id is for; the node id must fit its node fields
     * @return the lease; the caller closes it
     * @throws WorkerIdUnavailableException if no node id can be had
     * @throws HighWaterFileException if a high-water file cannot be read
     */
    WorkerIdLease acquire(SnowflakeLayout layout);

    /**
     * A fixed node id.
     *
     * @param nodeId the node id; checked against the layout at {@link #acquire(SnowflakeLayout)}
     * @return the source
     * @throws IllegalArgumentException if {@code nodeId} is negative
     */
    static WorkerIdSource fixed(long nodeId) {
        if (nodeId < 0) {
            throw new IllegalArgumentException("nodeId was " + nodeId + " but must not be negative");
        }
        return new FixedWorkerIdSource(nodeId, "fixed");
    }

    /**
     * The node id from a system property, read at {@link #acquire(SnowflakeLayout)}.
     *
     * @param key the property, e.g. {@code "dstk.idgen.worker-id"}
     * @return the source
     * @throws NullPointerException if {@code key} is null
     */
    static WorkerIdSource fromSystemProperty(String key) {
        Objects.requireNonNull(key, "key");
        return fromLookup("system property " + key, k -> System.getProperty(key));
    }

    /**
     * The node id from an environment variable, read at {@link #acquire(SnowflakeLayout)}.
     *
     * @param variable the variable, e.g. {@code "DSTK_IDGEN_WORKER_ID"}
     * @return the source
     * @throws NullPointerException if {@code variable} is null
     */
    static WorkerIdSource fromEnvironment(String variable) {
        Objects.requireNonNull(variable, "variable");
        return fromLookup("environment variable " + variable, k -> System.getenv(variable));
    }

    private static WorkerIdSource fromLookup(String what, UnaryOperator<String> lookup) {
        return layout -> {
            String text = lookup.apply(what);
            if (text == null || text.isBlank()) {
                throw new WorkerIdUnavailableException(what + " is not set: it must hold this worker's id, in [0, "
                        + layout.maxNodeId() + "]");
            }
            long id;
            try {
                id = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw new WorkerIdUnavailableException(what + " was '" + text + "' but must be a number in [0, "
                        + layout.maxNodeId() + "]", e);
            }
            return new FixedWorkerIdSource(id, what).acquire(layout);
        };
    }

    /**
     * This source, plus a high-water file (see {@link #withHighWaterFile(Path, Duration)}) that reserves one
     * second ahead.
     *
     * @param file the file; its directory must exist
     * @return the source
     */
    default WorkerIdSource withHighWaterFile(Path file) {
        return withHighWaterFile(file, Duration.ofSeconds(1));
    }

    /**
     * This source, plus a high-water file that makes the no-duplicate guarantee hold across restarts.
     *
     * <p>Before the generator issues ids with a timestamp past the recorded mark, it records
     * {@code timestamp + reserveAhead} in the file (written to a temporary file, forced to disk, then renamed
     * over the old one). At start the generator only issues ids after the recorded mark, so a process
     * restarted with a clock that went back does not reuse ids: it waits or fails as its {@link ClockSafety}
     * says. Larger {@code reserveAhead}: fewer writes (one per {@code reserveAhead} of issuing), longer waits
     * after a quick restart. The format (versioned, checksummed text) is in {@code docs/idgen.md}. A file
     * that exists but is not valid, or was written for another node id, makes {@code acquire} throw
     * {@link HighWaterFileException}; it is never silently ignored. One file per generator: two generators
     * sharing a file (or a node id) is a configuration error this cannot detect.
     *
     * @param file         the file; its directory must exist
     * @param reserveAhead how far ahead each write reserves, 1 ms to 1 hour
     * @return the source
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code reserveAhead} is out of range
     */
    default WorkerIdSource withHighWaterFile(Path file, Duration reserveAhead) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(reserveAhead, "reserveAhead");
        if (reserveAhead.compareTo(Duration.ofMillis(1)) < 0 || reserveAhead.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("reserveAhead was " + reserveAhead + " but must be in [1 ms, 1 h]");
        }
        WorkerIdSource delegate = this;
        long aheadMillis = reserveAhead.toMillis();
        return layout -> HighWaterFile.lease(delegate.acquire(layout), file, aheadMillis);
    }
}
