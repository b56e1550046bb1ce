package io.dstk.idgen.cluster;

import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.WorkerIdUnavailableException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What one holder issued: its ids and, by the JVM's monotonic clock, when its first id call started and its last
 * successful call returned (the interval in which it issued ids).
 */
final class IssueLog {
    final String holder;
    final List<Long> ids = new ArrayList<>();
    volatile long firstCallNanos = Long.MAX_VALUE;
    volatile long lastReturnNanos = Long.MIN_VALUE;
    volatile WorkerIdUnavailableException failure;

    IssueLog(String holder) {
        this.holder = holder;
    }

    /** Issues one id; returns false (and records why) once the worker id is no longer usable. */
    synchronized boolean issue(SnowflakeGenerator gen) {
        long start = System.nanoTime();
        try {
            long id = gen.nextId();
            if (firstCallNanos == Long.MAX_VALUE) {
                firstCallNanos = start;
            }
            lastReturnNanos = System.nanoTime();
            ids.add(id);
            return true;
        } catch (WorkerIdUnavailableException e) {
            failure = e;
            return false;
        }
    }

    /** Issues ids, about one per 200 microseconds, until the worker id fails or {@code stop} says so. */
    void issueUntil(SnowflakeGenerator gen, BooleanSupplier stop) {
        while (!stop.getAsBoolean() && issue(gen)) {
            LockSupport.parkNanos(200_000);
        }
    }

    synchronized List<Long> ids() {
        return new ArrayList<>(ids);
    }

    synchronized long lastId() {
        return ids.get(ids.size() - 1);
    }

    synchronized long firstId() {
        return ids.get(0);
    }
}
