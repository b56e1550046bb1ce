package io.dstk.idgen;

import java.time.Instant;
import java.util.Map;

/**
 * The parts of a Snowflake id, as returned by {@link SnowflakeLayout#decode(long)}.
 *
 * <p>Immutable. {@link #toString()} reads like
 * {@code 175928847299117063 {timestamp=2016-04-30T11:18:25.796Z, worker=1, process=0, increment=7}}.
 *
 * @param id           the id
 * @param timestamp    the start of its tick
 * @param tick         ticks since the layout's epoch
 * @param nodeId       the node id (all node fields together)
 * @param nodeFields   each node field's value by name, most significant first
 * @param sequence     the sequence number within the tick
 * @param sequenceName the layout's name for the sequence field
 */
public record SnowflakeId(long id, Instant timestamp, long tick, long nodeId, Map<String, Long> nodeFields,
                          long sequence, String sequenceName) {

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(id).append(" {timestamp=").append(timestamp);
        if (nodeFields.size() > 1) {
            sb.append(", node=").append(nodeId);
        }
        nodeFields.forEach((k, v) -> sb.append(", ").append(k).append('=').append(v));
        return sb.append(", ").append(sequenceName).append('=').append(sequence).append('}').toString();
    }
}
