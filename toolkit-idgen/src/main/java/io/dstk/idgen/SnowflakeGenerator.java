package io.dstk.idgen;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A Snowflake {@link IdGenerator}: ids made of a timestamp, a node id and a per-tick sequence, laid out by a
 * {@link SnowflakeLayout}.
 *
 * <p><b>Guarantees.</b> Thread-safe and lock-free. Ids are unique and strictly increasing for one generator
 * (see {@link IdGenerator}), whatever the clock does: see {@link ClockSafety} for backward steps. Across
 * generators, ids are unique while their node ids are distinct. Across restarts of the process, only if the
 * {@link WorkerIdSource} keeps a high-water mark ({@link WorkerIdSource#withHighWaterFile}); otherwise the
 * guarantee is limited to one process lifetime.
 *
 * <p><b>Cost.</b> When the current tick has room, {@link #nextId()} reads the clock once, does one
 * compare-and-set on one {@code AtomicLong} and allocates nothing. A used-up tick makes callers spin until the
 * next one: a layout makes at most {@link SnowflakeLayout#idsPerTick()} ids per tick.
 *
 * <p><b>Lifecycle.</b> {@link #close()} gives the worker id back; later calls throw
 * {@link IllegalStateException}. Close is idempotent.
 */
public interface SnowflakeGenerator extends IdGenerator, AutoCloseable {

    /** @return the layout */
    SnowflakeLayout layout();

    /** @return the node id this generator puts in its ids */
    long nodeId();

    /**
     * A snapshot of the counters, cheap to take and never on the id path.
     *
     * @return the statistics
     */
    Stats stats();

    /** Gives the worker id back. Idempotent. */
    @Override
    void close();

    /**
     * Counters of a generator, taken at one moment (each exact by itself; taken while ids are issued they may
     * be a few ids apart from each other).
     *
     * @param idsIssued            ids issued since the start
     * @param clockBackwardsEvents backward steps of the wall clock the generator saw: a reading below a tick it
     *                             had read before, counted once per step, whether the logical clock absorbed
     *                             it, the call waited or it failed (a step the clock recovered from between
     *                             two calls' readings is not seen)
     * @param clockFailures        calls that failed with {@link ClockMovedBackwardsException}
     * @param ticksWaited          ticks that calls spent waiting, for a used-up tick or a clock that went back
     * @param lead                 how far the logical clock is ahead of the wall clock now (zero if not)
     */
    record Stats(long idsIssued, long clockBackwardsEvents, long clockFailures, long ticksWaited, Duration lead) {
    }

    /**
     * Configures a {@link SnowflakeGenerator}. Defaults: the system clock, {@link ClockSafety#defaults()}; the
     * worker id is required. Not thread-safe.
     */
    final class Builder {
        final SnowflakeLayout layout;
        WorkerIdSource workerIds;
        InstantSource clock = InstantSource.system();
        ClockSafety clockSafety = ClockSafety.defaults();
        LongConsumer parker = LockSupport::parkNanos;
        LongSupplier ticker = System::nanoTime;

        Builder(SnowflakeLayout layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
        }

        /**
         * Sets the node id ({@code workerIds(WorkerIdSource.fixed(nodeId))}).
         *
         * @param nodeId the node id
         * @return this builder
         * @throws IllegalArgumentException if it does not fit the layout's node fields
         */
        public Builder nodeId(long nodeId) {
            layout.checkNodeId(nodeId);
            return workerIds(WorkerIdSource.fixed(nodeId));
        }

        /**
         * Sets where the node id comes from (required).
         *
         * @param source the source
         * @return this builder
         * @throws NullPointerException if {@code source} is null
         */
        public Builder workerIds(WorkerIdSource source) {
            this.workerIds = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * Sets the clock; default {@link InstantSource#system()}. Only {@link InstantSource#millis()} is used.
         *
         * @param clock the clock
         * @return this builder
         * @throws NullPointerException if {@code clock} is null
         */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets what happens when the clock steps back; default {@link ClockSafety#defaults()}.
         *
         * @param clockSafety the setting
         * @return this builder
         * @throws NullPointerException if {@code clockSafety} is null
         */
        public Builder clockSafety(ClockSafety clockSafety) {
            this.clockSafety = Objects.requireNonNull(clockSafety, "clockSafety");
            return this;
        }

        /** For tests in virtual time: how a waiting caller pauses for the given nanoseconds. */
        Builder parker(LongConsumer parker) {
            this.parker = Objects.requireNonNull(parker, "parker");
            return this;
        }

        /** For tests in virtual time: the monotonic clock (nanoseconds) that bounds a caller's wait. */
        Builder ticker(LongSupplier ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Acquires the worker id and builds the generator.
         *
         * @return the generator
         * @throws IllegalStateException if no worker id source was set
         * @throws IllegalArgumentException if the layout's epoch is in the future of the clock
         * @throws WorkerIdUnavailableException if the worker id cannot be had or does not fit the layout
         * @throws HighWaterFileException if a high-water file cannot be read or is corrupt
         */
        public SnowflakeGenerator build() {
            if (workerIds == null) {
                throw new IllegalStateException("workerIds (or nodeId) must be set");
            }
            long now = clock.millis();
            if (layout.epoch().toEpochMilli() > now) {
                throw new IllegalArgumentException("epoch was " + layout.epoch() + " but must not be in the future"
                        + " (clock says " + clock.instant() + ")");
            }
            return new AtomicSnowflake(this, workerIds.acquire(layout));
        }
    }
}
