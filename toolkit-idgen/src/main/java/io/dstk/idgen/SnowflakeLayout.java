package io.dstk.idgen;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The bit layout of a Snowflake id: which fields a 64-bit id holds, in which order, how wide each is, the
 * epoch and the length of one timestamp tick.
 *
 * <p>A layout has exactly one timestamp field (ticks since the epoch), exactly one sequence field (ids made in
 * the same tick) and any number of node fields (the worker id, possibly split into sub-fields such as
 * Discord's worker and process). Fields are listed from the most to the least significant; the last field
 * ends at bit 0 and the widths add up to at most 64. The timestamp field must be more significant than the
 * sequence field, so that ids of one generator grow with time. The node fields together form the
 * <em>node id</em>: the concatenation of their values, first field highest.
 *
 * <p><b>Negative ids.</b> Ids are Java {@code long}s. When the widths add up to less than 64, bit 63 is always
 * zero and ids are never negative. When they add up to exactly 64, bit 63 is the top bit of the most
 * significant field: if that field is the timestamp, ids turn negative from {@link #firstNegativeTimestamp()}
 * on (for {@link #discord()}: 2^41 ms after 2015-01-01, in September 2084), and signed comparison of ids then
 * no longer follows time (compare with {@link Long#compareUnsigned(long, long)}); if it is a node field, the
 * ids of nodes whose top node bit is set are always negative.
 *
 * <p>Instances are immutable and thread-safe. This is a format: ids outlive the process, so a layout in use
 * must never change (golden tests pin the presets).
 */
public final class SnowflakeLayout {

    /** What a field of a layout holds. */
    public enum FieldKind {
        /** Ticks since the epoch. */
        TIMESTAMP,
        /** Part (or all) of the node id. */
        NODE,
        /** The number of the id within its tick. */
        SEQUENCE
    }

    /**
     * One field of a layout.
     *
     * @param name  the field's name, shown by {@link SnowflakeId#toString()}
     * @param kind  what the field holds
     * @param bits  its width
     * @param shift the position of its lowest bit in the id
     */
    public record Field(String name, FieldKind kind, int bits, int shift) {
        /** @return the largest value the field can hold */
        public long maxValue() {
            return bits == 64 ? -1L : (1L << bits) - 1;
        }

        long extract(long id) {
            return (id >>> shift) & maxValue();
        }
    }

    /** Default Sonyflake epoch: 2014-09-01T00:00:00Z. */
    public static final Instant SONYFLAKE_EPOCH = Instant.parse("2014-09-01T00:00:00Z");

    private static final SnowflakeLayout TWITTER = builder()
            .epoch(Instant.ofEpochMilli(1288834974657L))
            .timestamp("timestamp", 41).node("worker", 10).sequence("sequence", 12).build();
    private static final SnowflakeLayout DISCORD = builder()
            .epoch(Instant.ofEpochMilli(1420070400000L))
            .timestamp("timestamp", 42).node("worker", 5).node("process", 5).sequence("increment", 12).build();

    private final Instant epoch;
    private final long epochMillis;
    private final long tickMillis;
    private final List<Field> fields;
    private final Field timestamp;
    private final Field sequence;
    private final List<Field> nodeFields;
    private final int nodeBits;
    private final int totalBits;

    private SnowflakeLayout(Builder b) {
        this.epoch = b.epoch;
        this.epochMillis = b.epoch.toEpochMilli();
        this.tickMillis = b.tick.toMillis();
        int total = 0;
        for (Builder.Spec s : b.specs) {
            total += s.bits;
        }
        List<Field> list = new ArrayList<>();
        List<Field> nodes = new ArrayList<>();
        Field ts = null;
        Field seq = null;
        int shift = total;
        int node = 0;
        for (Builder.Spec s : b.specs) {
            shift -= s.bits;
            Field f = new Field(s.name, s.kind, s.bits, shift);
            list.add(f);
            switch (s.kind) {
                case TIMESTAMP -> ts = f;
                case SEQUENCE -> seq = f;
                case NODE -> {
                    nodes.add(f);
                    node += s.bits;
                }
                default -> throw new AssertionError(s.kind);
            }
        }
        this.fields = Collections.unmodifiableList(list);
        this.nodeFields = Collections.unmodifiableList(nodes);
        this.timestamp = ts;
        this.sequence = seq;
        this.nodeBits = node;
        this.totalBits = total;
    }

    /**
     * Twitter's Snowflake: epoch 1288834974657 (2010-11-04T01:42:54.657Z), 1 ms ticks,
     * {@code 0 | 41-bit timestamp | 10-bit worker | 12-bit sequence}: 4,096,000 ids per second per worker.
     *
     * @return the layout
     */
    public static SnowflakeLayout twitter() {
        return TWITTER;
    }

    /**
     * Discord's snowflake: epoch 1420070400000 (2015-01-01T00:00:00Z), 1 ms ticks,
     * {@code 42-bit timestamp | 5-bit worker | 5-bit process | 12-bit increment}. The node id is
     * {@code worker << 5 | process} (see {@link #nodeId(long...)}). It uses all 64 bits: ids turn negative
     * in 2084.
     *
     * @return the layout
     */
    public static SnowflakeLayout discord() {
        return DISCORD;
    }

    /**
     * Sony's Sonyflake with its default epoch {@link #SONYFLAKE_EPOCH}: 10 ms ticks,
     * {@code 0 | 39-bit timestamp | 8-bit sequence | 16-bit machine id}: 25,600 ids per second per machine.
     *
     * @return the layout
     */
    public static SnowflakeLayout sonyflake() {
        return sonyflake(SONYFLAKE_EPOCH);
    }

    /**
     * Sonyflake with another epoch (Sonyflake's own "start time" setting).
     *
     * @param epoch the epoch
     * @return the layout
     * @throws NullPointerException if {@code epoch} is null
     */
    public static SnowflakeLayout sonyflake(Instant epoch) {
        return builder().epoch(epoch).tick(Duration.ofMillis(10))
                .timestamp("timestamp", 39).sequence("sequence", 8).node("machine", 16).build();
    }

    /**
     * Starts a custom layout: default epoch the Unix epoch, default tick 1 ms; fields are added from the most
     * significant to the least significant.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A copy of this layout with another epoch.
     *
     * @param newEpoch the epoch
     * @return the layout
     * @throws NullPointerException if {@code newEpoch} is null
     * @throws IllegalArgumentException if the epoch is not a whole number of milliseconds
     */
    public SnowflakeLayout withEpoch(Instant newEpoch) {
        Builder b = builder().epoch(newEpoch).tick(tick());
        for (Field f : fields) {
            b.add(f.name(), f.kind(), f.bits());
        }
        return b.build();
    }

    /** @return the instant of tick 0 */
    public Instant epoch() {
        return epoch;
    }

    /** @return the length of one tick of the timestamp field */
    public Duration tick() {
        return Duration.ofMillis(tickMillis);
    }

    /** @return the fields, most significant first */
    public List<Field> fields() {
        return fields;
    }

    /** @return the timestamp field */
    public Field timestampField() {
        return timestamp;
    }

    /** @return the sequence field */
    public Field sequenceField() {
        return sequence;
    }

    /** @return the node fields, most significant first (possibly empty) */
    public List<Field> nodeFields() {
        return nodeFields;
    }

    /** @return the width of the node id: the node fields' widths added up */
    public int nodeBits() {
        return nodeBits;
    }

    /** @return the largest node id: {@code 2^nodeBits() - 1} */
    public long maxNodeId() {
        return nodeBits == 0 ? 0 : (nodeBits == 64 ? -1L : (1L << nodeBits) - 1);
    }

    /** @return the widths of all fields added up (at most 64) */
    public int totalBits() {
        return totalBits;
    }

    /** @return how many ids one node can make per tick */
    public long idsPerTick() {
        return sequence.maxValue() + 1;
    }

    /** @return the last instant the timestamp field can represent (the start of its last tick) */
    public Instant maxTimestamp() {
        return Instant.ofEpochMilli(epochMillis + timestamp.maxValue() * tickMillis);
    }

    /**
     * The first timestamp from which this layout's ids are negative, if that depends on time: only when the
     * widths add up to 64 and the timestamp is the most significant field.
     *
     * @return that instant, or empty if ids of this layout never turn negative because of their timestamp
     */
    public Optional<Instant> firstNegativeTimestamp() {
        if (totalBits < 64 || timestamp.shift() + timestamp.bits() != 64) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(epochMillis + (1L << (timestamp.bits() - 1)) * tickMillis));
    }

    /**
     * Composes a node id from the values of the node fields, most significant first: for {@link #discord()},
     * {@code nodeId(worker, process)}.
     *
     * @param values one value per node field
     * @return the node id
     * @throws IllegalArgumentException if the number of values differs from the number of node fields or a
     *         value does not fit its field
     */
    public long nodeId(long... values) {
        if (values.length != nodeFields.size()) {
            throw new IllegalArgumentException("values: expected " + nodeFields.size() + " (one per node field "
                    + nodeFieldNames() + ") but got " + values.length);
        }
        long id = 0;
        for (int i = 0; i < values.length; i++) {
            Field f = nodeFields.get(i);
            if (values[i] < 0 || Long.compareUnsigned(values[i], f.maxValue()) > 0) {
                throw new IllegalArgumentException(f.name() + " was " + values[i] + " but must be in [0, "
                        + f.maxValue() + "]");
            }
            id = (id << f.bits()) | values[i];
        }
        return id;
    }

    private List<String> nodeFieldNames() {
        List<String> names = new ArrayList<>();
        for (Field f : nodeFields) {
            names.add(f.name());
        }
        return names;
    }

    /**
     * Checks that a node id fits this layout's node fields.
     *
     * @param nodeId the node id
     * @return {@code nodeId}
     * @throws IllegalArgumentException if it is negative or larger than {@link #maxNodeId()}
     */
    public long checkNodeId(long nodeId) {
        if (nodeId < 0 || nodeId > maxNodeId()) {
            throw new IllegalArgumentException("nodeId was " + nodeId + " but must be in [0, " + maxNodeId()
                    + "] for " + nodeBits + " node bits");
        }
        return nodeId;
    }

    /**
     * The bits of a node id placed where the layout puts them, ready to be OR-ed into an id.
     *
     * @param nodeId the node id
     * @return the node id's bits in place
     * @throws IllegalArgumentException if the node id does not fit
     */
    public long placeNodeId(long nodeId) {
        checkNodeId(nodeId);
        long placed = 0;
        long rest = nodeId;
        for (int i = nodeFields.size() - 1; i >= 0; i--) {
            Field f = nodeFields.get(i);
            placed |= (rest & f.maxValue()) << f.shift();
            rest = f.bits() == 64 ? 0 : rest >>> f.bits();
        }
        return placed;
    }

    /**
     * Composes an id from its parts.
     *
     * @param tick     ticks since the epoch
     * @param nodeId   the node id
     * @param sequence the sequence number
     * @return the id
     * @throws IllegalArgumentException if a part does not fit its field
     */
    public long compose(long tick, long nodeId, long sequence) {
        checkFits(timestamp, tick);
        checkFits(this.sequence, sequence);
        return (tick << timestamp.shift()) | placeNodeId(nodeId) | (sequence << this.sequence.shift());
    }

    private static void checkFits(Field f, long value) {
        if (value < 0 || Long.compareUnsigned(value, f.maxValue()) > 0) {
            throw new IllegalArgumentException(f.name() + " was " + value + " but must be in [0, " + f.maxValue()
                    + "]");
        }
    }

    /**
     * The tick containing an instant given in milliseconds since the Unix epoch.
     *
     * @param epochMilli milliseconds since 1970-01-01T00:00:00Z
     * @return ticks since this layout's epoch, rounded down (negative before the epoch)
     */
    public long tickOf(long epochMilli) {
        return Math.floorDiv(epochMilli - epochMillis, tickMillis);
    }

    /**
     * The start of a tick in milliseconds since the Unix epoch.
     *
     * @param tick ticks since this layout's epoch
     * @return the tick's first millisecond
     */
    public long startMillisOf(long tick) {
        return epochMillis + tick * tickMillis;
    }

    /**
     * Splits an id into its parts.
     *
     * @param id an id of this layout
     * @return its parts
     */
    public SnowflakeId decode(long id) {
        long tick = timestamp.extract(id);
        long node = 0;
        Map<String, Long> nodeValues = new LinkedHashMap<>();
        for (Field f : nodeFields) {
            long v = f.extract(id);
            nodeValues.put(f.name(), v);
            node = f.bits() == 64 ? v : (node << f.bits()) | v;
        }
        return new SnowflakeId(id, Instant.ofEpochMilli(startMillisOf(tick)), tick, node,
                Collections.unmodifiableMap(nodeValues), sequence.extract(id), sequence.name());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnowflakeLayout l && epochMillis == l.epochMillis && tickMillis == l.tickMillis
                && fields.equals(l.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epochMillis, tickMillis, fields);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SnowflakeLayout{epoch=").append(epoch).append(", tick=")
                .append(tickMillis).append("ms, fields=");
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            sb.append(i == 0 ? "" : " | ").append(f.name()).append(':').append(f.bits());
        }
        return sb.append('}').toString();
    }

    /**
     * Builds a custom {@link SnowflakeLayout}. Fields are added from the most significant to the least
     * significant. Not thread-safe.
     */
    public static final class Builder {
        private record Spec(String name, FieldKind kind, int bits) {
        }

        private Instant epoch = Instant.EPOCH;
        private Duration tick = Duration.ofMillis(1);
        private final List<Spec> specs = new ArrayList<>();

        private Builder() {
        }

        /**
         * Sets the epoch (tick 0); default 1970-01-01T00:00:00Z.
         *
         * @param epoch a whole number of milliseconds since the Unix epoch
         * @return this builder
         * @throws NullPointerException if {@code epoch} is null
         * @throws IllegalArgumentException if it has sub-millisecond precision
         */
        public Builder epoch(Instant epoch) {
            Objects.requireNonNull(epoch, "epoch");
            if (epoch.getNano() % 1_000_000 != 0) {
                throw new IllegalArgumentException("epoch was " + epoch + " but must be a whole millisecond");
            }
            this.epoch = epoch;
            return this;
        }

        /**
         * Sets the length of one tick; default 1 ms.
         *
         * @param tick a whole number of milliseconds, at least 1
         * @return this builder
         * @throws NullPointerException if {@code tick} is null
         * @throws IllegalArgumentException if it is shorter than 1 ms or not a whole number of milliseconds
         */
        public Builder tick(Duration tick) {
            Objects.requireNonNull(tick, "tick");
            if (tick.compareTo(Duration.ofMillis(1)) < 0 || tick.getNano() % 1_000_000 != 0) {
                throw new IllegalArgumentException("tick was " + tick + " but must be a whole number of ms >= 1");
            }
            this.tick = tick;
            return this;
        }

        /**
         * Adds the timestamp field.
         *
         * @param name its name
         * @param bits its width, 1 to 63
         * @return this builder
         */
        public Builder timestamp(String name, int bits) {
            return add(name, FieldKind.TIMESTAMP, bits);
        }

        /**
         * Adds a node field (or sub-field).
         *
         * @param name its name
         * @param bits its width, 1 to 63
         * @return this builder
         */
        public Builder node(String name, int bits) {
            return add(name, FieldKind.NODE, bits);
        }

        /**
         * Adds the sequence field.
         *
         * @param name its name
         * @param bits its width, 1 to 62
         * @return this builder
         */
        public Builder sequence(String name, int bits) {
            return add(name, FieldKind.SEQUENCE, bits);
        }

        Builder add(String name, FieldKind kind, int bits) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name was blank");
            }
            if (bits < 1 || bits > 63) {
                throw new IllegalArgumentException("bits of field '" + name + "' was " + bits
                        + " but must be in [1, 63]");
            }
            for (Spec s : specs) {
                if (s.name.equals(name)) {
                    throw new IllegalArgumentException("name '" + name + "' is used twice");
                }
                if (kind != FieldKind.NODE && s.kind == kind) {
                    throw new IllegalArgumentException("a " + kind + " field was already added ('" + s.name + "')");
                }
            }
            specs.add(new Spec(name, kind, bits));
            return this;
        }

        /**
         * Validates and builds the layout.
         *
         * @return the layout
         * @throws IllegalStateException if the timestamp or sequence field is missing, the widths add up to more
         *         than 64, or the sequence is more significant than the timestamp
         */
        public SnowflakeLayout build() {
            int total = 0;
            int tsIndex = -1;
            int seqIndex = -1;
            for (int i = 0; i < specs.size(); i++) {
                Spec s = specs.get(i);
                total += s.bits;
                if (s.kind == FieldKind.TIMESTAMP) {
                    tsIndex = i;
                } else if (s.kind == FieldKind.SEQUENCE) {
                    seqIndex = i;
                }
            }
            if (tsIndex < 0 || seqIndex < 0) {
                throw new IllegalStateException("a layout needs a timestamp and a sequence field but has " + specs);
            }
            if (total > 64) {
                throw new IllegalStateException("field widths add up to " + total + " but must be <= 64: " + specs);
            }
            if (seqIndex < tsIndex) {
                throw new IllegalStateException("the sequence field must be less significant than the timestamp"
                        + " field, or ids would not grow with time: " + specs);
            }
            return new SnowflakeLayout(this);
        }
    }
}
