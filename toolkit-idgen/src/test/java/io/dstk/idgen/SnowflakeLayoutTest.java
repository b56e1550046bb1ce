package io.dstk.idgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class SnowflakeLayoutTest {

    @Test
    void discordsDocumentedExampleDecodesAsTheirDocsState() {
        // Discord developer docs, "Snowflakes": 175928847299117063 -> 2016-04-30 11:18:25.796 UTC,
        // internal worker 1, internal process 0, increment 7 (41944705796 ms after the Discord epoch).
        SnowflakeId id = SnowflakeLayout.discord().decode(175928847299117063L);

        assertThat(id.timestamp()).isEqualTo(Instant.parse("2016-04-30T11:18:25.796Z"));
        assertThat(id.tick()).isEqualTo(41944705796L);
        assertThat(id.nodeFields()).containsExactly(Map.entry("worker", 1L), Map.entry("process", 0L));
        assertThat(id.nodeId()).isEqualTo(SnowflakeLayout.discord().nodeId(1, 0)).isEqualTo(32);
        assertThat(id.sequence()).isEqualTo(7);
        assertThat(id).hasToString(
                "175928847299117063 {timestamp=2016-04-30T11:18:25.796Z, node=32, worker=1, process=0, increment=7}");
    }

    @Test
    void presetsHaveTheirPublishedFieldsAndEpochs() {
        assertThat(SnowflakeLayout.twitter()).hasToString("SnowflakeLayout{epoch=2010-11-04T01:42:54.657Z, tick=1ms,"
                + " fields=timestamp:41 | worker:10 | sequence:12}");
        assertThat(SnowflakeLayout.twitter().epoch().toEpochMilli()).isEqualTo(1288834974657L);
        assertThat(SnowflakeLayout.twitter().idsPerTick()).isEqualTo(4096);
        assertThat(SnowflakeLayout.discord()).hasToString("SnowflakeLayout{epoch=2015-01-01T00:00:00Z, tick=1ms,"
                + " fields=timestamp:42 | worker:5 | process:5 | increment:12}");
        assertThat(SnowflakeLayout.discord().epoch().toEpochMilli()).isEqualTo(1420070400000L);
        assertThat(SnowflakeLayout.sonyflake()).hasToString("SnowflakeLayout{epoch=2014-09-01T00:00:00Z, tick=10ms,"
                + " fields=timestamp:39 | sequence:8 | machine:16}");
        assertThat(SnowflakeLayout.sonyflake(Instant.parse("2020-01-01T00:00:00Z")).epoch())
                .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    }

    @Test
    void twitterIdsAreComposedBitForBit() {
        // 41-bit ms | 10-bit worker | 12-bit sequence, as in Twitter's IdWorker: (ts << 22) | (worker << 12) | seq
        long id = SnowflakeLayout.twitter().compose(123456789L, 513, 77);
        assertThat(id).isEqualTo((123456789L << 22) | (513L << 12) | 77);
        // Sonyflake: time << 24 | sequence << 16 | machine
        long sony = SnowflakeLayout.sonyflake().compose(1000, 0xBEEF, 5);
        assertThat(sony).isEqualTo((1000L << 24) | (5L << 16) | 0xBEEF);
    }

    @Test
    void idsOf64BitLayoutsTurnNegativeWhenTheTopTimestampBitIsSet() {
        SnowflakeLayout discord = SnowflakeLayout.discord();
        Instant first = discord.firstNegativeTimestamp().orElseThrow();
        assertThat(first).isEqualTo(Instant.ofEpochMilli(1420070400000L + (1L << 41)));
        long before = discord.compose((1L << 41) - 1, 0, 0);
        long after = discord.compose(1L << 41, 0, 0);
        assertThat(before).isPositive();
        assertThat(after).isNegative();
        assertThat(Long.compareUnsigned(after, before)).isPositive();
        assertThat(discord.decode(after).timestamp()).isEqualTo(first);
        assertThat(SnowflakeLayout.twitter().firstNegativeTimestamp()).isEmpty();
        assertThat(SnowflakeLayout.sonyflake().firstNegativeTimestamp()).isEmpty();
    }

    @Test
    void decodeRoundTripsForEveryPresetAndRandomCustomLayouts() {
        qt().withFixedSeed(20261129L).withExamples(2000).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            SnowflakeLayout layout = switch (r.nextInt(4)) {
                case 0 -> SnowflakeLayout.twitter();
                case 1 -> SnowflakeLayout.discord();
                case 2 -> SnowflakeLayout.sonyflake();
                default -> randomLayout(r);
            };
            long tick = r.nextLong(layout.timestampField().maxValue()) + 1;
            long node = layout.maxNodeId() == 0 ? 0 : r.nextLong(layout.maxNodeId() + 1);
            long seq = r.nextLong(layout.sequenceField().maxValue() + 1);

            SnowflakeId decoded = layout.decode(layout.compose(tick, node, seq));

            assertThat(decoded.tick()).isEqualTo(tick);
            assertThat(decoded.timestamp()).isEqualTo(Instant.ofEpochMilli(layout.startMillisOf(tick)));
            assertThat(decoded.nodeId()).isEqualTo(node);
            assertThat(decoded.sequence()).isEqualTo(seq);
            long[] parts = decoded.nodeFields().values().stream().mapToLong(Long::longValue).toArray();
            assertThat(layout.nodeId(parts)).isEqualTo(node);
        });
    }

    /** Fields in a random order (node fields before, between and after), timestamp above sequence. */
    static SnowflakeLayout randomLayout(SplittableRandom r) {
        int tsBits = 20 + r.nextInt(24);
        int seqBits = 1 + r.nextInt(16);
        int budget = 64 - tsBits - seqBits;
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"ts", Integer.toString(tsBits)});
        fields.add(new String[] {"seq", Integer.toString(seqBits)});
        int nodes = r.nextInt(4);
        for (int i = 0; i < nodes && budget > 0; i++) {
            int bits = 1 + r.nextInt(Math.min(8, budget));
            budget -= bits;
            fields.add(r.nextInt(fields.size() + 1), new String[] {"n" + i, Integer.toString(bits)});
        }
        SnowflakeLayout.Builder b = SnowflakeLayout.builder()
                .epoch(Instant.ofEpochMilli(r.nextLong(1_600_000_000_000L)))
                .tick(Duration.ofMillis(1 + r.nextInt(20)));
        boolean seenTs = false;
        for (String[] f : fields) {
            int bits = Integer.parseInt(f[1]);
            switch (f[0]) {
                case "ts" -> {
                    b.timestamp("timestamp", bits);
                    seenTs = true;
                }
                case "seq" -> {
                    if (!seenTs) {
                        throw new AssertionError("sequence before timestamp");
                    }
                    b.sequence("sequence", bits);
                }
                default -> b.node(f[0], bits);
            }
        }
        return b.build();
    }

    @Test
    void invalidLayoutsAreRejectedWithTheParameterNamed() {
        assertThatThrownBy(() -> SnowflakeLayout.builder().timestamp("t", 42).node("n", 12).sequence("s", 12).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("add up to 66");
        assertThatThrownBy(() -> SnowflakeLayout.builder().sequence("s", 12).timestamp("t", 41).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("less significant");
        assertThatThrownBy(() -> SnowflakeLayout.builder().timestamp("t", 41).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sequence");
        assertThatThrownBy(() -> SnowflakeLayout.builder().timestamp("t", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bits of field 't' was 0");
        assertThatThrownBy(() -> SnowflakeLayout.builder().timestamp("t", 30).timestamp("u", 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already added");
        assertThatThrownBy(() -> SnowflakeLayout.builder().node("a", 3).node("a", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("used twice");
        assertThatThrownBy(() -> SnowflakeLayout.builder().tick(Duration.ofNanos(500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tick was");
        assertThatThrownBy(() -> SnowflakeLayout.twitter().checkNodeId(1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeId was 1024");
        assertThatThrownBy(() -> SnowflakeLayout.discord().nodeId(32, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("worker was 32");
        assertThatThrownBy(() -> SnowflakeLayout.discord().nodeId(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[worker, process]");
    }
}
