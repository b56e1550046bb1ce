package io.dstk.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OrderCodecTest {
  private final OrderCodec codec = new OrderCodec();
  private final Order order = new Order(1_234_567_890_123L, "c-1", "Buch über Java", 3, OrderStatus.PAID,
      1_700_000_000_000L, 1_700_000_005_000L);

  @Test
  void encodesTheDocumentedLayout() throws IOException {
    // Built field by field from the layout in OrderCodec's javadoc.
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(expected)) {
      out.writeByte(1);
      out.writeLong(1_234_567_890_123L);
      out.writeByte(1);
      out.writeInt(3);
      out.writeLong(1_700_000_000_000L);
      out.writeLong(1_700_000_005_000L);
      out.writeUTF("c-1");
      out.writeUTF("Buch über Java");
    }
    assertThat(codec.encode(order)).isEqualTo(expected.toByteArray());
  }

  @Test
  void decodesWhatItEncodes() {
    for (OrderStatus status : OrderStatus.values()) {
      Order o = order.withStatus(status, 1_700_000_009_000L);
      assertThat(codec.decode(codec.encode(o))).isEqualTo(o);
    }
  }

  @Test
  void rejectsUnknownVersionTruncationAndTrailingBytes() {
    byte[] bytes = codec.encode(order);
    byte[] otherVersion = bytes.clone();
    otherVersion[0] = 2;
    byte[] badStatus = bytes.clone();
    badStatus[9] = 9;
    assertThatThrownBy(() -> codec.decode(otherVersion)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version: 2");
    assertThatThrownBy(() -> codec.decode(badStatus)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("status code: 9");
    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
  }

  @Test
  void onlyForwardTransitionsAreAllowed() {
    assertThat(OrderStatus.NEW.canMoveTo(OrderStatus.PAID)).isTrue();
    assertThat(OrderStatus.NEW.canMoveTo(OrderStatus.CANCELLED)).isTrue();
    assertThat(OrderStatus.PAID.canMoveTo(OrderStatus.SHIPPED)).isTrue();
    assertThat(OrderStatus.NEW.canMoveTo(OrderStatus.SHIPPED)).isFalse();
    assertThat(OrderStatus.PAID.canMoveTo(OrderStatus.CANCELLED)).isFalse();
    assertThat(OrderStatus.SHIPPED.canMoveTo(OrderStatus.PAID)).isFalse();
    assertThat(OrderStatus.CANCELLED.canMoveTo(OrderStatus.NEW)).isFalse();
    for (OrderStatus s : OrderStatus.values()) {
      assertThat(s.canMoveTo(s)).isFalse();
      s.nextInProcessing().ifPresent(next -> assertThat(s.canMoveTo(next)).isTrue());
    }
  }

  @Test
  void invalidOrdersCannotBeBuilt() {
    assertThatThrownBy(() -> new Order(1, "c 1", "x", 1, OrderStatus.NEW, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("customer").hasMessageContaining("c 1");
    assertThatThrownBy(() -> new Order(1, "c", " ", 1, OrderStatus.NEW, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("item");
    assertThatThrownBy(() -> new Order(1, "c", "x", 0, OrderStatus.NEW, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quantity").hasMessageContaining("0");
    assertThatThrownBy(() -> new Order(0, "c", "x", 1, OrderStatus.NEW, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
  }

  @Test
  void nodeFlagsAreParsedAndValidated() {
    NodeOptions o = NodeOptions.parse("--name", "n2", "--http-port", "8082", "--voters", "a,b,c");
    assertThat(o.name()).isEqualTo("n2");
    assertThat(o.httpPort()).isEqualTo(8082);
    assertThat(o.voters()).containsExactly("a", "b", "c");
    assertThat(o.bindAddress()).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> NodeOptions.parse("--http-port", "1")).hasMessageContaining("--name");
    assertThatThrownBy(() -> NodeOptions.parse("--name", "n1", "--colour", "red")).hasMessageContaining("--colour");
    assertThatThrownBy(() -> NodeOptions.parse("--name", "n1", "--http-port", "x")).hasMessageContaining("'x'");
    assertThatThrownBy(() -> NodeOptions.parse("--name", "n1", "--budget", "0")).hasMessageContaining("--budget");
  }
}
