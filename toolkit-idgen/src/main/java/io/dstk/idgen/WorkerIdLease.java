package io.dstk.idgen;

/**
 * The right to issue ids under one node id, obtained from a {@link WorkerIdSource}.
 *
 * <p>This is the extension point a worker-id source implements. A generator calls it only off its hot path:
 * once at start ({@link #nodeId()}, {@link #issuedUpToMillis()}, {@link #onRevoke(Runnable)}), then {@link #extend(long)} each time its ids
 * reach the end of what the lease allows, and {@link #close()} once. Times are milliseconds since the Unix
 * epoch, compared with the generator's clock.
 *
 * <p><b>Contract.</b> Ids under this node id with timestamps up to {@code issuedUpToMillis()} may already
 * exist (issued by a previous holder or an earlier run of this process): the generator only issues later ones.
 * A generator issues an id with timestamp {@code t} only after {@code extend} returned a value {@code >= t}.
 * A source that hands one node id to several holders over time must keep them apart with these two values:
 * a lease that expires returns its expiry (minus the clock drift it allows for) from {@code extend}, and the
 * next holder's {@code issuedUpToMillis()} covers the previous holder's last possible timestamp: the largest
 * value {@code extend} returned to it (a call that was already issuing when the lease ended may still use it, see
 * {@link #onRevoke(Runnable)}), which includes its logical-clock lead ({@link ClockSafety#maxLead()}).
 *
 * <p>Implementations must be thread-safe.
 */
public interface WorkerIdLease extends AutoCloseable {

    /** @return the node id; fits the layout it was acquired for */
    long nodeId();

    /**
     * The last timestamp (ms since the Unix epoch) that ids under this node id may already carry.
     *
     * @return that timestamp, or {@link Long#MIN_VALUE} if no id is known to exist
     */
    long issuedUpToMillis();

    /**
     * Asks to issue ids with timestamps up to at least {@code wantedMillis}. Sources that persist a high-water
     * mark record it here before returning.
     *
     * @param wantedMillis the timestamp the generator is about to use
     * @return the last timestamp the holder may use, at least {@code wantedMillis}; {@link Long#MAX_VALUE} for
     *         no limit
     * @throws WorkerIdUnavailableException if the node id may not be used up to {@code wantedMillis}
     * @throws HighWaterFileException if a high-water mark could not be recorded
     */
    long extend(long wantedMillis);

    /**
     * Registers what to run when this lease ends without its generator closing it (its source was closed, or the
     * lease was lost), so that the generator refuses further ids at once instead of at the end of what
     * {@link #extend(long)} last granted. A generator calls this once, right after acquiring the lease. The lease
     * runs the action at most once, on any thread, at once if it has already ended; the action does not block.
     *
     * <p>Even so, a call that was already issuing an id may still finish it: a source that gives the node id to
     * another holder must treat everything {@code extend} granted as possibly used (see the class comment). The
     * default does nothing (the generator stops at the end of its grant).
     *
     * @param action what to run; not null
     */
    default void onRevoke(Runnable action) {
    }

    /** Gives the node id back. Idempotent. The default does nothing. */
    @Override
    default void close() {
    }
}
