package io.dstk.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import io.dstk.store.internal.Codec.Command;
import io.dstk.store.internal.Codec.Op;
import io.dstk.store.internal.Codec.Result;
import io.dstk.store.internal.Codec.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Golden vectors of the documented formats (docs/store.md), round trips and malformed input. */
class FormatTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void putCommand_goldenVector() {
    byte[] bytes = Codec.encode(new Command(Op.PUT, 0x0102030405060708L, 0x1112131415161718L, 5, "k", 0, 0, null,
        new byte[] {1, 2}));
    assertThat(HEX.formatHex(bytes)).isEqualTo(
        "02" + "02" + "0102030405060708" + "1112131415161718" + "0000000000000005" + "0001" + "6b"
            + "0000000000000000" + "0000000000000000" + "00" + "00000002" + "0102");
  }

  @Test
  void leaseAcquireCommand_goldenVector() {
    byte[] bytes = Codec.encode(new Command(Op.LEASE_ACQUIRE, 0, "L", 1_000_000_000L, 0, "h", null));
    assertThat(HEX.formatHex(bytes)).isEqualTo(
        "02" + "14" + "0000000000000000" + "0000000000000000" + "0000000000000000" + "0001" + "4c"
            + "000000003b9aca00" + "0000000000000000" + "01" + "0001" + "68" + "ffffffff");
  }

  @Test
  void version1Commands_stillDecode_withoutARequestId() {
    byte[] v1 = HEX.parseHex("01" + "02" + "0102030405060708" + "0001" + "6b" + "0000000000000000"
        + "0000000000000000" + "00" + "00000002" + "0102");
    Command c = Codec.decodeCommand(v1, 0, v1.length);
    assertThat(c.op()).isEqualTo(Op.PUT);
    assertThat(c.stamp()).isEqualTo(0x0102030405060708L);
    assertThat(c.hasRequestId()).isFalse();
    assertThat(c.name()).isEqualTo("k");
    assertThat(c.value()).containsExactly(1, 2);
  }

  @Test
  void stampIsWrittenAtItsDocumentedOffset() {
    byte[] bytes = Codec.encode(new Command(Op.GET, 0, "k", 0, 0, null, null));
    Codec.stamp(bytes, 42);
    assertThat(Codec.decodeCommand(bytes, 0, bytes.length).stamp()).isEqualTo(42);
    assertThat(HEX.formatHex(bytes, 2, 10)).isEqualTo("000000000000002a");
  }

  @Test
  void result_goldenVector() {
    byte[] bytes = Codec.encode(new Result(Status.LEASE_HELD, 3, 5, "h", null));
    assertThat(HEX.formatHex(bytes)).isEqualTo(
        "01" + "03" + "0000000000000003" + "0000000000000005" + "01" + "0001" + "68" + "ffffffff");
  }

  @Test
  void leaderAnnouncement_goldenVector() {
    // A new leader's announcement on the topic dstk.store.<storeName>.leader: a result, status 23, term, name.
    byte[] bytes = Codec.encode(new Result(Status.LEADER, 7, 0, "a", null));
    assertThat(HEX.formatHex(bytes)).isEqualTo(
        "01" + "17" + "0000000000000007" + "0000000000000000" + "01" + "0001" + "61" + "ffffffff");
  }

  @Test
  void snapshot_goldenVector() throws Exception {
    StoreStateMachine sm = new StoreStateMachine(10);
    sm.apply(new Command(Op.PUT, 100, "k", 0, 0, null, new byte[] {9}));
    sm.apply(new Command(Op.COUNTER_ADD, 200, 7, 1, "c", 5, 0, null, null));
    sm.apply(new Command(Op.LEASE_ACQUIRE, 300, "L", 50, 0, "h", null));
    byte[] snap = snapshot(sm);
    assertThat(HEX.formatHex(snap)).isEqualTo(
        "44535453" + "02" + "0000000000000001" + "000000000000012c"
            + "00000001" + "0001" + "6b" + "0000000000000001" + "00000001" + "09"
            + "00000001" + "0001" + "63" + "0000000000000005"
            + "00000001" + "0001" + "4c" + "01" + "0001" + "68" + "0000000000000001" + "000000000000015e"
            + "00000001" + "0000000000000007" + "0000000000000001" + "00000000000000c8"
            + "00" + "0000000000000005" + "0000000000000000" + "00" + "ffffffff");
    StoreStateMachine copy = new StoreStateMachine(10);
    copy.readContentFrom(new DataInputStream(new ByteArrayInputStream(snap)));
    assertThat(snapshot(copy)).isEqualTo(snap);
    // The restored table still recognises the request.
    assertThat(copy.apply(new Command(Op.COUNTER_ADD, 400, 7, 1, "c", 5, 0, null, null)).version()).isEqualTo(5);
    assertThat(copy.duplicates()).isEqualTo(1);
  }

  @Test
  void version1Snapshot_isStillRead_withAnEmptyTableOfRecentRequests() throws Exception {
    byte[] v1 = HEX.parseHex("44535453" + "01" + "0000000000000001" + "000000000000012c"
        + "00000001" + "0001" + "6b" + "0000000000000001" + "00000001" + "09"
        + "00000001" + "0001" + "63" + "0000000000000005"
        + "00000001" + "0001" + "4c" + "01" + "0001" + "68" + "0000000000000001" + "000000000000015e");
    StoreStateMachine sm = new StoreStateMachine(10);
    sm.readContentFrom(new DataInputStream(new ByteArrayInputStream(v1)));
    assertThat(sm.recentRequests()).isZero();
    assertThat(sm.time()).isEqualTo(300);
    assertThat(sm.apply(new Command(Op.COUNTER_GET, 0, "c", 0, 0, null, null)).version()).isEqualTo(5);
    assertThat(sm.apply(new Command(Op.GET, 0, "k", 0, 0, null, null)).value()).containsExactly(9);
  }

  @Test
  void commandRoundTrip() {
    qt().withFixedSeed(7).forAll(integers().between(0, 255), longs().all(), strings().basicLatinAlphabet()
        .ofLengthBetween(0, 200), arbitrary().pick(new String[] {null, "holder", "ä€"}))
        .checkAssert((op, stamp, name, holder) -> {
          long a = Long.rotateLeft(stamp, 17);
          Command c = new Command(op, stamp, a, stamp ^ a, name, a, ~a, holder,
              holder == null ? null : name.getBytes());
          byte[] bytes = Codec.encode(c);
          Command d = Codec.decodeCommand(bytes, 0, bytes.length);
          assertThat(Codec.encode(d)).isEqualTo(bytes);
          assertThat(d.name()).isEqualTo(name);
          assertThat(d.holder()).isEqualTo(holder);
          assertThat(d.client()).isEqualTo(a);
          assertThat(d.seq()).isEqualTo(stamp ^ a);
        });
  }

  @Test
  void randomBytes_areRejectedWithIllegalArgumentOnly() {
    Random rnd = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[rnd.nextInt(64)];
      rnd.nextBytes(b);
      if (b.length > 0 && rnd.nextBoolean()) {
        b[0] = 1; // get past the version check
      }
      try {
        Codec.decodeCommand(b, 0, b.length);
      } catch (IllegalArgumentException expected) {
        // fine
      }
      try {
        Codec.decodeResult(b);
      } catch (IllegalArgumentException expected) {
        // fine
      }
    }
    StoreStateMachine sm = new StoreStateMachine(10);
    byte[] r = sm.apply(new byte[] {1, 2, 0}, 0, 3, true);
    assertThat(Codec.decodeResult(r).status()).isEqualTo(Status.BAD_COMMAND);
  }

  @Test
  void hugeDeclaredLengths_areRejectedBeforeAllocation() {
    byte[] cmd = Codec.encode(new Command(Op.PUT, 0, "k", 0, 0, null, new byte[1]));
    // Overwrite the value length (last 4 + 1 bytes) with 2^31-1.
    int at = cmd.length - 5;
    cmd[at] = 0x7f;
    cmd[at + 1] = (byte) 0xff;
    cmd[at + 2] = (byte) 0xff;
    cmd[at + 3] = (byte) 0xff;
    assertThatThrownBy(() -> Codec.decodeCommand(cmd, 0, cmd.length)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside 0..1048576");
    byte[] snap = HEX.parseHex("44535453" + "01" + "0000000000000000" + "0000000000000000" + "7fffffff");
    assertThatThrownBy(() -> new StoreStateMachine(10).readContentFrom(new DataInputStream(
        new ByteArrayInputStream(snap)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count");
    byte[] v3 = HEX.parseHex("03" + "01");
    assertThatThrownBy(() -> Codec.decodeCommand(v3, 0, v3.length)).hasMessageContaining("version 3");
  }

  static byte[] snapshot(StoreStateMachine sm) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sm.writeContentTo(new DataOutputStream(out));
    return out.toByteArray();
  }
}
