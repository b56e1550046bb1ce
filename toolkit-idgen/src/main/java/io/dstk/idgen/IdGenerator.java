package io.dstk.idgen;

/**
 * A source of unique {@code long} ids.
 *
 * <p><b>Guarantees.</b> Implementations are thread-safe. One generator never returns the same id twice and
 * never returns an id smaller than one it returned before (in the order of the atomic step that reserved it;
 * for layouts that use all 64 bits, "smaller" is meant unsigned, see {@link SnowflakeLayout}). Each thread
 * therefore sees strictly increasing ids. Uniqueness across generators rests on distinct node ids: see
 * {@link WorkerIdSource}.
 *
 * <p><b>Failure.</b> A method that cannot issue an id without risking a duplicate throws (for example
 * {@link ClockMovedBackwardsException}) instead; the generator stays usable and a later call may succeed.
 *
 * <p>Start with {@link #snowflake(SnowflakeLayout)}.
 */
public interface IdGenerator {

    /**
     * Starts a Snowflake generator of the given layout.
     *
     * @param layout the bit layout, e.g. {@link SnowflakeLayout#twitter()}
     * @return a builder
     * @throws NullPointerException if {@code layout} is null
     */
    static SnowflakeGenerator.Builder snowflake(SnowflakeLayout layout) {
        return new SnowflakeGenerator.Builder(layout);
    }

    /**
     * Returns the next id. May wait briefly (for the next tick when the current one is used up, or for a clock
     * that stepped back within the configured tolerance).
     *
     * @return a new id
     * @throws ClockMovedBackwardsException if the clock went back further than the generator may wait, or stepped
     *         back again or stalled while the call waited (see {@link ClockSafety})
     * @throws WorkerIdUnavailableException if the worker id can no longer be used (its lease ended)
     * @throws IllegalStateException if the layout's timestamp field has run out of ticks
     */
    long nextId();

    /**
     * Returns {@code count} new ids in increasing order, reserving as many as the current tick has left in one
     * atomic step (a block larger than that takes one step per tick and may wait for the next ticks). Same
     * guarantees and exceptions as {@link #nextId()}. If a call throws after part of the block was reserved, that
     * part is discarded: those ids are never issued.
     *
     * @param count how many ids, at least 1
     * @return a new array of {@code count} ids
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    long[] nextIds(int count);
}
