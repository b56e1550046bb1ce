package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import io.dstk.membership.internal.Envelope;
import io.dstk.membership.internal.MemberInfo;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireFormatTest {

  @Test
  void envelopeGoldenBytes() {
    byte[] b = new Envelope(1, Envelope.KIND_REQUEST, 2, 3, "ab", new byte[] {9}).encode();
    assertThat(HexFormat.of().formatHex(b))
        .isEqualTo("0102" + "0000000000000002" + "0000000000000003" + "02" + "6162" + "00000001" + "09");
  }

  @Test
  void memberInfoGoldenBytes() {
    byte[] b = new MemberInfo(1, "a", Map.of("z", "1")).encode();
    assertThat(HexFormat.of().formatHex(b)).isEqualTo("01" + "000161" + "01" + "00017a" + "000131");
  }

  @Test
  void envelopeRoundTripsAndEveryTruncationIsRejected() {
    qt().withFixedSeed(42).forAll(integers().between(1, 255), longs().all(), strings().basicLatinAlphabet()
            .ofLengthBetween(0, 50), integers().between(0, 300))
        .checkAssert((kind, corr, topic, size) -> {
          byte[] payload = new byte[size];
          Arrays.fill(payload, (byte) size.intValue());
          byte[] enc = new Envelope(1, kind, corr, corr ^ 7, topic, payload).encode();
          Envelope d = Envelope.decode(enc, 0, enc.length, 1 << 20);
          assertThat(d.kind()).isEqualTo(kind);
          assertThat(d.correlationId()).isEqualTo(corr);
          assertThat(d.viewId()).isEqualTo(corr ^ 7);
          assertThat(d.topic()).isEqualTo(topic);
          assertThat(d.payload()).isEqualTo(payload);
          for (int cut = 0; cut < enc.length; cut += 1 + enc.length / 16) {
            int len = cut;
            assertThatThrownBy(() -> Envelope.decode(enc, 0, len, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class);
          }
        });
  }

  @Test
  void declaredPayloadLengthOverTheCapIsRejectedBeforeAllocation() {
    byte[] enc = new Envelope(1, 1, 0, -1, "t", new byte[10]).encode();
    assertThatThrownBy(() -> Envelope.decode(enc, 0, enc.length, 9)).hasMessageContaining("payload length 10");
    byte[] forged = enc.clone();
    forged[forged.length - 14] = 0x7f; // payload length's top byte: claims ~2 GB
    assertThatThrownBy(() -> Envelope.decode(forged, 0, forged.length, Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void randomBytesNeverDecodeToAnythingButIllegalArgument() {
    qt().withFixedSeed(7).forAll(arbitrary().pick(new byte[][] {{}, {1}, {1, 2, 3}}), integers().between(0, 64),
            longs().all())
        .checkAssert((prefix, len, seed) -> {
          byte[] b = new byte[len];
          new java.util.Random(seed).nextBytes(b);
          try {
            Envelope.decode(b, 0, b.length, 1024);
          } catch (IllegalArgumentException expected) {
            assertThat(expected).hasMessageNotContaining("Exception");
          }
          try {
            MemberInfo.decode(b);
          } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotEmpty();
          }
        });
  }

  @Test
  void shortByteFloatAndCharCodecsRoundTripEveryValueTheyCanHold() {
    qt().withFixedSeed(3).forAll(integers().between(Short.MIN_VALUE, Short.MAX_VALUE),
            integers().between(Character.MIN_VALUE, Character.MAX_VALUE), integers().all())
        .checkAssert((sh, ch, bits) -> {
          short s = sh.shortValue();
          assertThat(PayloadCodec.shorts().decode(PayloadCodec.shorts().encode(s))).isEqualTo(s);
          byte b = (byte) s;
          assertThat(PayloadCodec.byteValues().decode(PayloadCodec.byteValues().encode(b))).isEqualTo(b);
          char c = (char) ch.intValue();
          assertThat(PayloadCodec.chars().decode(PayloadCodec.chars().encode(c))).isEqualTo(c);
          float f = Float.intBitsToFloat(bits);
          assertThat(Float.floatToRawIntBits(PayloadCodec.floats().decode(PayloadCodec.floats().encode(f))))
              .isEqualTo(Float.floatToRawIntBits(f));
        });
    assertThat(HexFormat.of().formatHex(PayloadCodec.shorts().encode((short) 0x0102))).isEqualTo("0102");
    assertThat(HexFormat.of().formatHex(PayloadCodec.byteValues().encode((byte) -1))).isEqualTo("ff");
    assertThat(HexFormat.of().formatHex(PayloadCodec.floats().encode(1.0f))).isEqualTo("3f800000");
    assertThat(HexFormat.of().formatHex(PayloadCodec.chars().encode('A'))).isEqualTo("0041");
  }

  @Test
  void builtInCodecsRoundTripAndRejectWrongLengths() {
    qt().withFixedSeed(1).forAll(longs().all(), strings().allPossible().ofLengthBetween(0, 40))
        .checkAssert((l, s) -> {
          assertThat(PayloadCodec.longs().decode(PayloadCodec.longs().encode(l))).isEqualTo(l);
          assertThat(PayloadCodec.ints().decode(PayloadCodec.ints().encode(l.intValue()))).isEqualTo(l.intValue());
          assertThat(PayloadCodec.doubles().decode(PayloadCodec.doubles().encode((double) l)))
              .isEqualTo((double) l);
          String clean = s.codePoints().filter(c -> c < 0xD800 || c > 0xDFFF)
              .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
          assertThat(PayloadCodec.utf8().decode(PayloadCodec.utf8().encode(clean))).isEqualTo(clean);
        });
    assertThat(PayloadCodec.booleans().decode(PayloadCodec.booleans().encode(true))).isTrue();
    assertThatThrownBy(() -> PayloadCodec.shorts().decode(new byte[3])).hasMessageContaining("2 bytes");
    assertThatThrownBy(() -> PayloadCodec.byteValues().decode(new byte[0])).hasMessageContaining("1 bytes");
    assertThatThrownBy(() -> PayloadCodec.floats().decode(new byte[8])).hasMessageContaining("4 bytes");
    assertThatThrownBy(() -> PayloadCodec.chars().decode(new byte[1])).hasMessageContaining("2 bytes");
    assertThatThrownBy(() -> PayloadCodec.longs().decode(new byte[3])).hasMessageContaining("8 bytes");
    assertThatThrownBy(() -> PayloadCodec.booleans().decode(new byte[] {2})).hasMessageContaining("0 or 1");
    assertThatThrownBy(() -> PayloadCodec.utf8().decode(new byte[] {(byte) 0xff}))
        .hasMessageContaining("UTF-8");
  }
}
