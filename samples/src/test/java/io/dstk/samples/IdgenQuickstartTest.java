package io.dstk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class IdgenQuickstartTest {

    @Test
    void quickstartGeneratesAndDecodesIds() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            IdgenQuickstart.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);

        assertThat(out).containsPattern("snowflake id: \\d+")
                .containsPattern("decoded: +\\d+ \\{timestamp=\\d{4}-.*, worker=7, sequence=0}")
                .containsPattern("short codes: +base62 [0-9A-Za-z]+, crockford [0-9A-Z]+")
                .contains("issued so far: 4")
                .contains("discord:      175928847299117063 {timestamp=2016-04-30T11:18:25.796Z, node=32, worker=1,"
                        + " process=0, increment=7}")
                .containsPattern("uuid v7: +[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} made at ")
                .containsPattern("ulid: +[0-7][0-9A-Z]{25} < [0-7][0-9A-Z]{25} : true")
                .contains("parsed back:  true");
    }
}
