package io.dstk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ClusterRatelimitQuickstartTest {

  @Test
  void mainStaysWithinTheClusterLimit_andTripsTheBudgetOnce() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      ClusterRatelimitQuickstart.main(new String[0]);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    old.print(out);
    Matcher admitted = Pattern.compile("admitted (\\d+) of 3000 calls").matcher(out);
    assertThat(admitted.find()).isTrue();
    assertThat(Long.parseLong(admitted.group(1))).isPositive();
    assertThat(out).containsPattern("within the bound of \\d+: true");
    assertThat(out).contains("a spends 2: true", "b spends 1: true", "c spends 1: false");
    assertThat(Pattern.compile("kill switch tripped on b, key llm-spend/0/trip").matcher(out).results().count())
        .isEqualTo(1);
    assertThat(out).doesNotContain("tripped on a", "tripped on c");
  }
}
