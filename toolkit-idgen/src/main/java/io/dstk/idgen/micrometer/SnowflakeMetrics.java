package io.dstk.idgen.micrometer;

import io.dstk.idgen.SnowflakeGenerator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Objects;

/**
 * Binds a {@link SnowflakeGenerator}'s statistics to a Micrometer registry.
 *
 * <p>All meters are pull-based ({@link FunctionCounter} and {@link Gauge} reading
 * {@link SnowflakeGenerator#stats()} when the registry is scraped) and hold the generator weakly: binding adds
 * nothing to the id path, and a generator that is no longer used can be collected. Every meter has the tags
 * {@code generator} (the name given here) and {@code node} (the node id):
 * <ul>
 *   <li>{@value #IDS_ISSUED} (counter): ids issued;</li>
 *   <li>{@value #CLOCK_BACKWARDS} (counter): backward steps of the wall clock the generator saw, each counted
 *       once, whether its logical clock absorbed the step, a call waited or failed;</li>
 *   <li>{@value #CLOCK_FAILURES} (counter): calls that failed with a {@code ClockMovedBackwardsException};</li>
 *   <li>{@value #TICKS_WAITED} (counter): timestamp ticks that calls spent waiting;</li>
 *   <li>{@value #CLOCK_LEAD} (gauge, milliseconds): how far the generator's logical clock is ahead of the wall
 *       clock.</li>
 * </ul>
 * Requires {@code io.micrometer:micrometer-core} on the class path (an optional dependency of this module).
 */
public final class SnowflakeMetrics implements MeterBinder {
    /** Counter of ids issued. */
    public static final String IDS_ISSUED = "dstk.idgen.ids.issued";
    /** Counter of backward steps of the wall clock that the generator saw. */
    public static final String CLOCK_BACKWARDS = "dstk.idgen.clock.backwards";
    /** Counter of calls that failed because the clock went back too far. */
    public static final String CLOCK_FAILURES = "dstk.idgen.clock.failures";
    /** Counter of ticks spent waiting. */
    public static final String TICKS_WAITED = "dstk.idgen.ticks.waited";
    /** Gauge of the logical clock's lead over the wall clock, in milliseconds. */
    public static final String CLOCK_LEAD = "dstk.idgen.clock.lead";

    private final SnowflakeGenerator generator;
    private final Tags tags;

    /**
     * @param generator the generator to watch
     * @param name      the value of the {@code generator} tag
     * @param extraTags more tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public SnowflakeMetrics(SnowflakeGenerator generator, String name, Iterable<Tag> extraTags) {
        this.generator = Objects.requireNonNull(generator, "generator");
        this.tags = Tags.of("generator", Objects.requireNonNull(name, "name"),
                "node", Long.toString(generator.nodeId())).and(Objects.requireNonNull(extraTags, "extraTags"));
    }

    /**
     * @param generator the generator to watch
     * @param name      the value of the {@code generator} tag
     */
    public SnowflakeMetrics(SnowflakeGenerator generator, String name) {
        this(generator, name, Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(IDS_ISSUED, generator, g -> g.stats().idsIssued())
                .tags(tags).description("Ids issued").register(registry);
        FunctionCounter.builder(CLOCK_BACKWARDS, generator, g -> g.stats().clockBackwardsEvents())
                .tags(tags).description("Backward steps of the wall clock the generator saw")
                .register(registry);
        FunctionCounter.builder(CLOCK_FAILURES, generator, g -> g.stats().clockFailures())
                .tags(tags).description("Calls that failed because the clock went back too far")
                .register(registry);
        FunctionCounter.builder(TICKS_WAITED, generator, g -> g.stats().ticksWaited())
                .tags(tags).description("Timestamp ticks spent waiting").register(registry);
        Gauge.builder(CLOCK_LEAD, generator, g -> g.stats().lead().toMillis())
                .tags(tags).baseUnit("milliseconds")
                .description("How far the logical clock is ahead of the wall clock").register(registry);
    }
}
