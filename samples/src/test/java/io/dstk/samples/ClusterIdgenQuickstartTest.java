package io.dstk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ClusterIdgenQuickstartTest {

  @Test
  void mainLeasesDistinctWorkerIdsAndReGrantsOneOnlyAfterTheQuarantine() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      ClusterIdgenQuickstart.main(new String[0]);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    old.print(out);
    Matcher m = Pattern.compile("worker id (\\d) issues \\d+ \\{timestamp=").matcher(out);
    Set<String> workerIds = new HashSet<>();
    while (m.find()) {
      workerIds.add(m.group(1));
    }
    assertThat(workerIds).hasSize(3);
    Matcher again = Pattern.compile("worker id (\\d) taken again after a quarantine of (\\d+) ms \\(freed: (\\d)\\)")
        .matcher(out);
    assertThat(again.find()).isTrue();
    assertThat(again.group(1)).isEqualTo(again.group(3));
    assertThat(Long.parseLong(again.group(2))).isGreaterThanOrEqualTo(1200);
    assertThat(out).contains("leases granted by a's source: 2");
  }
}
