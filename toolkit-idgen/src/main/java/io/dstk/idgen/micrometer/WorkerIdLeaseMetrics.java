package io.dstk.idgen.micrometer;

import io.dstk.idgen.cluster.ClusterWorkerIdSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Objects;

/**
 * Binds a {@link ClusterWorkerIdSource}'s lease statistics to a Micrometer registry.
 *
 * <p>All meters are pull-based, read {@link ClusterWorkerIdSource#stats()} when the registry is scraped and hold the
 * source weakly: nothing is added to lease handling. Every meter has the tag {@code group} (the source's group):
 * <ul>
 *   <li>{@value #GRANTS} (counter): worker ids leased;</li>
 *   <li>{@value #RENEWALS} (counter): lease renewals the store accepted;</li>
 *   <li>{@value #RENEWAL_FAILURES} (counter): renewals that failed (no quorum, timeout) and were retried;</li>
 *   <li>{@value #LOSSES} (counter): leases lost before they were closed (deadline passed or renewal refused): each
 *       one is a generator that fails from then on;</li>
 *   <li>{@value #HELD} (gauge): leases held now.</li>
 * </ul>
 * Requires {@code io.micrometer:micrometer-core} and {@code io.dstk:toolkit-store} on the class path. Kept apart from
 * {@link SnowflakeMetrics} so that binding a local generator's metrics loads no cluster class.
 */
public final class WorkerIdLeaseMetrics implements MeterBinder {
    /** Counter of worker ids leased. */
    public static final String GRANTS = "dstk.idgen.lease.grants";
    /** Counter of accepted renewals. */
    public static final String RENEWALS = "dstk.idgen.lease.renewals";
    /** Counter of failed (retried) renewals. */
    public static final String RENEWAL_FAILURES = "dstk.idgen.lease.renewal.failures";
    /** Counter of leases lost. */
    public static final String LOSSES = "dstk.idgen.lease.losses";
    /** Gauge of leases held. */
    public static final String HELD = "dstk.idgen.lease.held";

    private final ClusterWorkerIdSource source;
    private final Tags tags;

    /**
     * @param source    the source to watch
     * @param extraTags more tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public WorkerIdLeaseMetrics(ClusterWorkerIdSource source, Iterable<Tag> extraTags) {
        this.source = Objects.requireNonNull(source, "source");
        this.tags = Tags.of("group", source.group()).and(Objects.requireNonNull(extraTags, "extraTags"));
    }

    /** @param source the source to watch */
    public WorkerIdLeaseMetrics(ClusterWorkerIdSource source) {
        this(source, Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(GRANTS, source, s -> s.stats().grants())
                .tags(tags).description("Worker ids leased").register(registry);
        FunctionCounter.builder(RENEWALS, source, s -> s.stats().renewals())
                .tags(tags).description("Worker-id lease renewals accepted").register(registry);
        FunctionCounter.builder(RENEWAL_FAILURES, source, s -> s.stats().renewalFailures())
                .tags(tags).description("Worker-id lease renewals that failed and were retried").register(registry);
        FunctionCounter.builder(LOSSES, source, s -> s.stats().losses())
                .tags(tags).description("Worker-id leases lost before they were closed").register(registry);
        Gauge.builder(HELD, source, s -> s.stats().held())
                .tags(tags).description("Worker-id leases held").register(registry);
    }
}
