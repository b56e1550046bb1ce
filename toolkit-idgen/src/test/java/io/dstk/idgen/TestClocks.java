package io.dstk.idgen;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Clocks that tests drive. */
final class TestClocks {
    private TestClocks() {
    }

    /** A clock set by hand; optionally moving by a step on each read (so that waiting callers finish). */
    static final class Manual implements InstantSource {
        private final AtomicLong millis;
        private volatile long stepPerRead;

        Manual(long millis) {
            this.millis = new AtomicLong(millis);
        }

        void set(long value) {
            millis.set(value);
        }

        void advance(long delta) {
            millis.addAndGet(delta);
        }

        void stepPerRead(long step) {
            stepPerRead = step;
        }

        @Override
        public long millis() {
            return millis.getAndAdd(stepPerRead);
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }

    /**
     * A clock that moves on each read: by the next step of its script (any sign: backward steps, stalls, jumps),
     * then by 1 ms per read once the script is used up, so waiting callers always finish. Remembers its last
     * reading. Single-threaded use.
     */
    static final class Scripted implements InstantSource {
        private final List<Integer> steps;
        private int next;
        private long millis;

        Scripted(long start, List<Integer> steps) {
            this.millis = start;
            this.steps = steps;
        }

        @Override
        public long millis() {
            long value = millis;
            millis += next < steps.size() ? steps.get(next++) : 1;
            last = value;
            return value;
        }

        long last;

        long lastRead() {
            return last;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }
}
