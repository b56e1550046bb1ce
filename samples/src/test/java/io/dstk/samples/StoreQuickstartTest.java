package io.dstk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StoreQuickstartTest {

  @Test
  void mainHandsTheLeaseOverWithAGrowingEpoch() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      StoreQuickstart.main(new String[0]);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    old.print(out);
    assertThat(out).containsPattern("store ready, leader is [abc]\\b");
    assertThat(out).contains("b gets it while a holds it: false");
    Matcher first = Pattern.compile("a holds 'scheduler' with epoch (\\d+)").matcher(out);
    Matcher second = Pattern.compile("after release b holds 'scheduler' with epoch (\\d+)").matcher(out);
    assertThat(first.find()).isTrue();
    assertThat(second.find()).isTrue();
    assertThat(Long.parseLong(second.group(1))).isEqualTo(Long.parseLong(first.group(1)) + 1);
    assertThat(out).containsPattern("a runs job 1 with fencing token " + first.group(1));
  }
}
