package io.dstk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MembershipQuickstartTest {

  @Test
  void threeMembersFormAClusterAnswerARequestAndSeeOneLeave() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      // a cluster name of its own, so a build running at the same time on this machine cannot meet it
      MembershipQuickstart.main(new String[] {"quickstart-membership-" + ProcessHandle.current().pid()});
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    original.print(out);
    assertThat(out)
        .contains("view: [alpha, beta, gamma]")
        .contains("coordinator: alpha")
        .contains("gamma's zone as alpha sees it: eu-west-1b")
        .contains("beta answered: hello alpha, from beta")
        .contains("event: gamma left, view is now [alpha, beta]")
        .contains("done");
  }
}
