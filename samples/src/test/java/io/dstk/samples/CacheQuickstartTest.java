package io.dstk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CacheQuickstartTest {

  @Test
  void threeMembersShareWritesConditionalOpsAreAtomicAndALeaveLosesNothing() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      CacheQuickstart.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    original.print(out);
    assertThat(out)
        .contains("all 3 members ready")
        .contains("beta reads user:42 = Ada")
        .contains("gamma reads user:42 = Ada")
        .contains("gamma saw a remote write: user:42 = Ada")
        .contains("putIfAbsent from beta: false")
        .contains("replace Ada -> Grace from gamma: true")
        .contains("visits after 3 computes: 3")
        .contains("after gamma left, beta reads user:42 = Grace")
        .contains("entries on alpha: 2")
        .contains("done");
  }
}
