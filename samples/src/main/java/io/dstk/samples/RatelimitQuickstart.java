package io.dstk.samples;

import io.dstk.ratelimit.Budget;
import io.dstk.ratelimit.BudgetStore;
import io.dstk.ratelimit.RateLimitDecision;
import io.dstk.ratelimit.RateLimiter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Quickstart for toolkit-ratelimit: a token bucket that refuses with a {@code Retry-After}, then a budget that
 * warns at 80 % and trips its kill switch at 100 %, persisted in a file.
 */
public final class RatelimitQuickstart {

    private RatelimitQuickstart() {
    }

    /**
     * Runs the quickstart.
     *
     * @param args ignored
     * @throws IOException if the temporary directory for the budget file cannot be created
     */
    public static void main(String[] args) throws IOException {
        // 1. A token bucket: bursts of 3, then 1 request per second.
        RateLimiter limiter = RateLimiter.tokenBucket(3, 1, Duration.ofSeconds(1)).build();
        for (int request = 1; request <= 4; request++) {
            RateLimitDecision decision = limiter.tryAcquireWithDecision(1);
            if (decision.allowed()) {
                System.out.println("request " + request + ": 200 OK, RateLimit-Remaining: " + decision.remaining());
            } else {
                System.out.println("request " + request + ": 429 Too Many Requests, Retry-After: "
                        + decision.retryAfterSeconds());
            }
        }

        // 2. A budget of 100 units (say, cents of API spend), kept in a file across restarts.
        Path directory = Files.createTempDirectory("dstk-budgets");
        Budget budget = Budget.builder("llm-spend", 100)
                .threshold(0.8, event -> System.out.println("warning: " + event.used() + " of " + event.limit()
                        + " used"))
                .onTrip(event -> System.out.println("kill switch tripped, idempotency key " + event.idempotencyKey()))
                .store(BudgetStore.file(directory))
                .build();
        for (int cost : new int[] {50, 40, 30, 10, 1}) {
            boolean granted = budget.tryAcquire(cost);
            System.out.println("spend " + cost + ": " + (granted ? "granted" : "refused") + ", remaining "
                    + budget.state().remaining());
        }
        budget.raise(150);
        System.out.println("raised to 150, epoch " + budget.state().epoch() + ": spend 10 "
                + (budget.tryAcquire(10) ? "granted" : "refused"));

        Files.delete(directory.resolve("llm-spend.budget"));
        Files.delete(directory);
    }
}
