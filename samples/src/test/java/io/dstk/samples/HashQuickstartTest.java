package io.dstk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HashQuickstartTest {

    @Test
    void printsWhereKeysLandAndThatAboutAQuarterMoveWhenANodeJoins() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            HashQuickstart.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("Where keys land on [cache-a, cache-b, cache-c]:").contains("After cache-d joins:");
        assertThat(printed).containsPattern("user:1 +-> cache-[abc] +replicas \\[cache-[abc], cache-[abc]\\]");
        // Every key printed after the join either stays or moved to cache-d.
        assertThat(printed).doesNotContainPattern("-> cache-[abc] +\\(moved");
        Matcher moved = Pattern.compile("Keys moved: (\\d+) of 1000000").matcher(printed);
        assertThat(moved.find()).isTrue();
        double fraction = Integer.parseInt(moved.group(1)) / 1e6;
        assertThat(fraction).isBetween(0.15, 0.35);  // ideal 25%, 160 virtual nodes per node
        assertThat(printed).contains("the ideal is 25.0%").contains("peak/mean");
    }
}
