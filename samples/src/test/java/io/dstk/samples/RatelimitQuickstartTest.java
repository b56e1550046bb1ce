package io.dstk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RatelimitQuickstartTest {

    @Test
    void refusesWithRetryAfterAndTripsTheKillSwitchOnce() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            RatelimitQuickstart.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "request 1: 200 OK, RateLimit-Remaining: 2",
                "request 2: 200 OK, RateLimit-Remaining: 1",
                "request 3: 200 OK, RateLimit-Remaining: 0",
                "request 4: 429 Too Many Requests, Retry-After: 1",
                "spend 50: granted, remaining 50",
                "warning: 90 of 100 used",
                "spend 40: granted, remaining 10",
                "spend 30: refused, remaining 10",
                "kill switch tripped, idempotency key llm-spend/0/trip",
                "spend 10: granted, remaining 0",
                "spend 1: refused, remaining 0",
                "raised to 150, epoch 1: spend 10 granted");
    }
}
