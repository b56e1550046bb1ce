package io.dstk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigAndWireTest {

  private static CacheConfig.Builder<String, String> builder() {
    return CacheConfig.builder("c", PayloadCodec.utf8(), PayloadCodec.utf8());
  }

  @Test
  void builderRejectsBadSettingsNamingTheSettingAndValue() {
    assertThatThrownBy(() -> CacheConfig.builder("bad name", PayloadCodec.utf8(), PayloadCodec.utf8()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name").hasMessageContaining("bad name");
    assertThatThrownBy(() -> builder().maximumSize(0)).hasMessageContaining("maximumSize").hasMessageContaining("0");
    assertThatThrownBy(() -> builder().maximumWeight(-1, (k, v) -> 1)).hasMessageContaining("maximumWeight");
    assertThatThrownBy(() -> builder().expireAfterWrite(Duration.ZERO)).hasMessageContaining("expireAfterWrite");
    assertThatThrownBy(() -> builder().maxValueBytes(0)).hasMessageContaining("maxValueBytes");
    assertThatThrownBy(() -> builder().stateTransferChunk(0, 4096)).hasMessageContaining("entries");
    assertThatThrownBy(() -> builder().replicationTimeout(Duration.ofSeconds(10)).writeTimeout(Duration.ofSeconds(1))
        .build()).hasMessageContaining("writeTimeout");
    assertThatThrownBy(() -> builder().writeMode(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("writeMode");
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    CacheConfig<String, String> c = builder().build();
    assertThat(c.maximumSize()).isEqualTo(10_000);
    assertThat(c.fullPolicy()).isEqualTo(FullPolicy.EVICT);
    assertThat(c.writeMode()).isEqualTo(WriteMode.SYNC);
    assertThat(c.partitionMode()).isEqualTo(PartitionMode.CONSISTENCY);
    assertThat(c.readsWithoutQuorum()).isTrue();
    assertThat(c.maxValueBytes()).isEqualTo(256 * 1024);
    assertThat(c.maxMessageBytes()).isEqualTo(1 << 20);
    assertThat(c.operationIdRetention()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.replicationTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.writeTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.tombstoneRetention()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void operationIdRetentionShorterThanWriteTimeoutIsRejectedNamingBoth() {
    assertThatThrownBy(() -> builder().writeTimeout(Duration.ofSeconds(30)).operationIdRetention(Duration.ofSeconds(29))
        .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operationIdRetention (PT29S)")
        .hasMessageContaining("writeTimeout (PT30S)");
    assertThat(builder().writeTimeout(Duration.ofSeconds(30)).operationIdRetention(Duration.ofSeconds(30)).build()
        .operationIdRetention()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void valueCapWhoseReplaceExceedsTheMessageCapIsRejectedNamingBoth() {
    // a replace carries the key (up to 16 KiB), the expected and the new value, and framing
    int fits = (1 << 20) - Wire.MAX_KEY_BYTES - CacheConfig.MESSAGE_OVERHEAD_BYTES;
    assertThat(builder().maxValueBytes(fits / 2).build().largestMessageBytes()).isEqualTo(1 << 20);
    assertThatThrownBy(() -> builder().maxValueBytes(fits / 2 + 1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxValueBytes (" + (fits / 2 + 1) + ")")
        .hasMessageContaining("maxMessageBytes (1048576)").hasMessageContaining("at most " + fits / 2);
    assertThatThrownBy(() -> builder().maxValueBytes(512 * 1024).build()).hasMessageContaining("maxMessageBytes");
    assertThatThrownBy(() -> builder().maxMessageBytes(0)).hasMessageContaining("maxMessageBytes")
        .hasMessageContaining("0");
    for (int messageCap : new int[] {32 * 1024, 1 << 20, 32 << 20}) {
      CacheConfig<String, String> c = builder().maxMessageBytes(messageCap)
          .maxValueBytes((messageCap - Wire.MAX_KEY_BYTES - CacheConfig.MESSAGE_OVERHEAD_BYTES) / 2).build();
      assertThat(c.largestMessageBytes()).isLessThanOrEqualTo(messageCap);
    }
  }

  /** Golden bytes written by hand from the format in docs/cache.md: a change of layout must fail here. */
  @Test
  void applyMessageLayoutIsStable() {
    byte[] apply = SyncReplicator.encodeApply(true, "w", 9, List.of("t"),
        new Wire.WireEntry(new byte[] {'k'}, 2, 3, 4, 5, new byte[] {'v'}));
    String expected = "02" + "03" + "01" + "00000001" + "77" + "0000000000000009" + "00000001" + "00000001" + "74"
        + "00000001" + "6b" + "0000000000000002" + "0000000000000003" + "0000000000000004" + "0000000000000005"
        + "00" + "00000001" + "76";
    assertThat(HexFormat.of().formatHex(apply)).isEqualTo(expected);

    byte[] tomb = SyncReplicator.encodeApply(false, "w", 9, List.of(),
        new Wire.WireEntry(new byte[] {'k'}, 2, 3, 4, 5, null));
    assertThat(HexFormat.of().formatHex(tomb)).startsWith("020300").endsWith("0000000000000005" + "01");
  }

  @Test
  void orderResultAndProbeLayoutsAreStable() {
    WriteOp put = new WriteOp(new OpId(1, 2), new byte[] {'k'}, WriteOp.COND_NONE, null, null,
        new byte[] {'v'});
    assertThat(HexFormat.of().formatHex(put.encodeOrder())).isEqualTo("02" + "01" + "0000000000000001"
        + "0000000000000002" + "00" + "00000001" + "6b" + "01" + "00000001" + "76");
    WriteResult dup = new WriteResult(WriteResult.DUPLICATE, new Version(3, 4), null, false, "d", List.of("t"), 9);
    assertThat(HexFormat.of().formatHex(dup.encode(new OpId(1, 2)))).isEqualTo("02" + "02" + "0000000000000001"
        + "0000000000000002" + "0b" + "0000000000000003" + "0000000000000004" + "00" + "00000001" + "64"
        + "0000000000000009" + "00000001" + "00000001" + "74");
    Wire.In in = Wire.open(dup.encode(new OpId(1, 2)), Wire.RESULT);
    assertThat(new OpId(in.i64(), in.i64())).isEqualTo(new OpId(1, 2));
    assertThat(WriteResult.decode(in)).satisfies(r -> {
      assertThat(r.status()).isEqualTo(WriteResult.DUPLICATE);
      assertThat(r.version()).isEqualTo(new Version(3, 4));
      assertThat(r.targets()).containsExactly("t");
      assertThat(r.viewId()).isEqualTo(9);
    });
    assertThat(HexFormat.of().formatHex(SyncReplicator.probe(new byte[] {'k'}, new Version(3, 4))))
        .isEqualTo("02" + "0b" + "00000001" + "6b" + "0000000000000003" + "0000000000000004");
  }

  @Test
  void malformedOrForeignMessagesAreRejectedWithoutOverreading() {
    assertThatThrownBy(() -> Wire.open(new byte[] {3, 3}, Wire.APPLY)).hasMessageContaining("version 3");
    byte[] lying = HexFormat.of().parseHex("0203" + "7fffffff" + "6b");
    assertThatThrownBy(() -> Wire.readEntry(Wire.open(lying, Wire.APPLY))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds");
    byte[] manyTargets = HexFormat.of().parseHex("0202" + "0000000000000001" + "0000000000000002" + "00"
        + "0000000000000003" + "0000000000000004" + "00" + "00000000" + "0000000000000009" + "7fffffff");
    Wire.In in = Wire.open(manyTargets, Wire.RESULT);
    in.i64();
    in.i64();
    assertThatThrownBy(() -> WriteResult.decode(in)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count");
    assertThatThrownBy(() -> Wire.type(new byte[] {2})).isInstanceOf(IllegalArgumentException.class);
  }

  /** A member still speaking version 1 (ORDER/ACCEPT/RESULT by request id, APPLY as a request) is refused. */
  @Test
  void messagesOfTheEarlierWireVersionAreRefusedNamingBothVersions() {
    byte[] v1Apply = HexFormat.of().parseHex("01" + "03" + "00000001" + "6b" + "0000000000000002"
        + "0000000000000003" + "0000000000000004" + "0000000000000005" + "00" + "00000001" + "76");
    assertThatThrownBy(() -> Wire.open(v1Apply, Wire.APPLY)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported cache wire version 1").hasMessageContaining("speaks 2");
    assertThatThrownBy(() -> Wire.type(v1Apply)).hasMessageContaining("version 1");
  }

  @Test
  void versionsOrderByEpochThenSequence() {
    assertThat(new Version(2, 1)).isGreaterThan(new Version(1, 99));
    assertThat(new Version(2, 2).isNewerThan(new Version(2, 1))).isTrue();
    assertThat(new Version(2, 2).isNewerThan(new Version(2, 2))).isFalse();
    assertThatThrownBy(() -> new Version(-1, 0)).hasMessageContaining("epoch");
  }
}
