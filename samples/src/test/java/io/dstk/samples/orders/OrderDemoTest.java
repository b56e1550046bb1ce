package io.dstk.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs the README's main command end to end (three node processes, a burst, kill -9, restart), so it cannot rot. */
class OrderDemoTest {

  @Test
  void demoKeepsEveryAcceptedOrderAndTheLimit() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int status;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      status = OrderDemo.run();
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    original.print(out);

    assertThat(status).as(out).isZero();
    assertThat(out).contains("429s without Retry-After: 0", "limit held: true",
        "every accepted order was readable on every survivor and on the restarted node: true")
        .containsPattern("dave +sent 20: +\\d+ x 201 Created, +\\d+ x 429")
        .containsPattern("kill -9 n\\d")
        .containsPattern("restarted n\\d at http://127\\.0\\.0\\.1:\\d+")
        .doesNotContain("MISSING", "OVER THE LIMIT");
  }

  @Test
  void badFlagsAreRefusedWithoutStartingNodes() throws Exception {
    assertThat(OrderDemo.run("--nodes", "4")).isEqualTo(2);
    assertThat(OrderDemo.run("--colour")).isEqualTo(2);
  }
}
