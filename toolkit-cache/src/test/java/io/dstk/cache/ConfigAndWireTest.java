package io.dstk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.HexFormat;
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
    Wire.Out out = Wire.message(Wire.APPLY, 16);
    Wire.writeEntry(out, new Wire.WireEntry(new byte[] {'k'}, 2, 3, 4, 5, new byte[] {'v'}));
    String expected = "01" + "03" + "00000001" + "6b" + "0000000000000002" + "0000000000000003"
        + "0000000000000004" + "0000000000000005" + "00" + "00000001" + "76";
    assertThat(HexFormat.of().formatHex(out.toArray())).isEqualTo(expected);

    Wire.Out tomb = Wire.message(Wire.APPLY, 16);
    Wire.writeEntry(tomb, new Wire.WireEntry(new byte[] {'k'}, 2, 3, 4, 5, null));
    assertThat(HexFormat.of().formatHex(tomb.toArray())).endsWith("0000000000000005" + "01");
  }

  @Test
  void malformedOrForeignMessagesAreRejectedWithoutOverreading() {
    assertThatThrownBy(() -> Wire.open(new byte[] {2, 3}, Wire.APPLY)).hasMessageContaining("version 2");
    byte[] lying = HexFormat.of().parseHex("0103" + "7fffffff" + "6b");
    assertThatThrownBy(() -> Wire.readEntry(Wire.open(lying, Wire.APPLY))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds");
    assertThatThrownBy(() -> Wire.type(new byte[] {1})).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void versionsOrderByEpochThenSequence() {
    assertThat(new Version(2, 1)).isGreaterThan(new Version(1, 99));
    assertThat(new Version(2, 2).isNewerThan(new Version(2, 1))).isTrue();
    assertThat(new Version(2, 2).isNewerThan(new Version(2, 2))).isFalse();
    assertThatThrownBy(() -> new Version(-1, 0)).hasMessageContaining("epoch");
  }
}
