package io.dstk.ratelimit.cluster;

import io.dstk.hash.ConsistentHash;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterRing;
import io.dstk.membership.Endpoint;
import io.dstk.membership.Member;
import io.dstk.membership.Registration;
import io.dstk.membership.RequestPolicy;
import io.dstk.membership.StaleViewException;
import io.dstk.ratelimit.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/*
 * Leased tokens. Two roles per key:
 *  - owner (the key's node on this member's ring): a Bucket that starts EMPTY whenever this member becomes the
 *    owner (so a handover never adds a fresh burst), scaled to the side's share of the expected members; it
 *    answers lease requests with min(want, whole tokens) and, when short, the time until the rest is there.
 *    Buckets of keys that move away are dropped on the ring change.
 *  - client (every member): a Slot holding the permits of its current lease and their expiry; decisions only
 *    touch the Slot. When the slot is at or below half its last batch (or expired), one lease request goes out
 *    in the background (at most one in flight per key); the owner being this member is a local call.
 * Batch = demand (permits asked for, admitted or not, since the last request) per nano * leaseTtl / 2, capped so
 * that the slot never holds more than maxBatch. Leftover permits roll into the next lease.
 * Even split: one Bucket per key on each member with limit / max(view size, expected), rescaled on view change.
 */
final class DefaultClusterRateLimiter implements ClusterRateLimiter {
    private final Cluster cluster;
    private final String selfName;
    private final ClusterRing ring;
    private final Endpoint<LeaseCodec.Request, LeaseCodec.Answer> endpoint;
    private final Registration served;
    private final Registration ringListener;
    private final Strategy strategy;
    private final OwnerUnreachable unreachable;
    private final RequestPolicy policy;
    private final Ticker ticker;
    private final long limit;
    private final long capacity;
    private final double ratePerNano;
    private final long leaseTtlNanos;
    private final long maxBatch;
    private final int expected;
    private final int maxKeys;
    private final Map<String, Bucket> owned = new ConcurrentHashMap<>();
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<String, Bucket> split = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder allowed = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder leaseRequests = new LongAdder();
    private final LongAdder leaseFailures = new LongAdder();
    private final LongAdder leaseNanos = new LongAdder();
    private final AtomicLong leaseMaxNanos = new AtomicLong();
    private final LongAdder fallbackDecisions = new LongAdder();
    private volatile int viewSize;
    private volatile boolean closed;

    private static final class Slot {
        long tokens;
        long expiresAt;
        boolean inFlight;
        long notBefore;
        long demand;
        long lastRequestAt;
        long lastBatch;
        long lastUsed;
        long fallbackUntil;
        boolean unreachable;
        Bucket fallback;

        Slot(long now) {
            expiresAt = now;
            notBefore = now;
            lastRequestAt = now;
            fallbackUntil = now;
            lastUsed = now;
        }
    }

    DefaultClusterRateLimiter(ClusterRateLimiterBuilder b) {
        this.cluster = b.cluster;
        this.selfName = cluster.self().name();
        this.strategy = b.strategy;
        this.unreachable = b.unreachable;
        this.policy = b.requestPolicy;
        this.ticker = b.ticker;
        this.limit = b.limit;
        this.capacity = b.capacity;
        this.ratePerNano = (double) b.limit / b.period.toNanos();
        this.leaseTtlNanos = b.leaseTtl.toNanos();
        this.maxBatch = b.maxBatch;
        this.expected = b.expectedMembers;
        this.maxKeys = b.maxKeys;
        this.endpoint = Endpoint.of("dstk.ratelimit." + b.name, LeaseCodec.REQUEST, LeaseCodec.ANSWER);
        this.ring = ClusterRing.create(cluster);
        this.viewSize = ring.view().size();
        this.ringListener = ring.addListener(change -> onRingChange(change.view().size(), change.current()));
        this.served = cluster.serve(endpoint, (from, request) -> grant(request.key(), request.want()));
    }

    // ---------------------------------------------------------------- decisions

    @Override
    public boolean tryAcquire(String key) {
        return tryAcquire(key, 1);
    }

    @Override
    public boolean tryAcquire(String key, int permits) {
        checkKey(key);
        if (permits <= 0) {
            throw new IllegalArgumentException("permits must be positive, was " + permits);
        }
        boolean ok = !closed && (strategy == Strategy.EVEN_SPLIT ? splitAcquire(key, permits)
                : leasedAcquire(key, permits));
        (ok ? allowed : denied).increment();
        return ok;
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > 256) {
            throw new IllegalArgumentException("key must be 1..256 characters, was " + key.length());
        }
    }

    private boolean splitAcquire(String key, int permits) {
        long now = ticker.read();
        Bucket bucket = split.get(key);
        if (bucket == null) {
            double share = memberShare();
            bucket = split.computeIfAbsent(key, k -> new Bucket(capacity * share, ratePerNano * share, now, true));
            trimBuckets(split);
        }
        return bucket.tryTake(permits, now);
    }

    private boolean leasedAcquire(String key, int permits) {
        long now = ticker.read();
        Slot s = slots.get(key);
        if (s == null) {
            s = slots.computeIfAbsent(key, k -> new Slot(now));
            trimSlots();
        }
        boolean ok;
        boolean request = false;
        synchronized (s) {
            s.lastUsed = now;
            s.demand += permits;
            if (now - s.expiresAt >= 0) {
                s.tokens = 0;
            }
            if (s.tokens >= permits) {
                s.tokens -= permits;
                ok = true;
            } else if (s.unreachable && now - s.fallbackUntil < 0) {
                ok = fallback(s, permits, now);
            } else {
                ok = false;
            }
            if (!s.inFlight && now - s.notBefore >= 0 && s.tokens * 2 <= s.lastBatch) {
                s.inFlight = true;
                request = true;
            }
        }
        if (request) {
            requestLease(key, s, now);
        }
        return ok;
    }

    private boolean fallback(Slot s, int permits, long now) {
        fallbackDecisions.increment();
        switch (unreachable) {
            case FAIL_OPEN:
                return true;
            case FAIL_CLOSED:
                return false;
            default:
                if (s.fallback == null) {
                    double share = memberShare();
                    s.fallback = new Bucket(capacity * share, ratePerNano * share, now, false);
                }
                return s.fallback.tryTake(permits, now);
        }
    }

    // ---------------------------------------------------------------- client side of leases

    private void requestLease(String key, Slot s, long sendAt) {
        long want;
        synchronized (s) {
            long elapsed = Math.max(1_000_000L, sendAt - s.lastRequestAt);
            double demandPerNano = (double) s.demand / elapsed;
            want = (long) Math.ceil(demandPerNano * (leaseTtlNanos / 2.0));
            want = Math.max(1, Math.min(want, maxBatch - Math.min(s.tokens, maxBatch - 1)));
            s.demand = 0;
            s.lastRequestAt = sendAt;
        }
        inFlight.incrementAndGet();
        int asked = (int) Math.min(Integer.MAX_VALUE, want);
        Member owner;
        try {
            owner = ring.current().nodeFor(key);
        } catch (RuntimeException e) {
            complete(s, asked, sendAt, null, e);
            return;
        }
        if (owner.name().equals(selfName)) {
            LeaseCodec.Answer answer;
            try {
                answer = grant(key, asked);
            } catch (RuntimeException e) {
                complete(s, asked, sendAt, null, e);
                return;
            }
            complete(s, asked, sendAt, answer, null);
            return;
        }
        try {
            cluster.request(owner, endpoint, new LeaseCodec.Request(key, asked), policy)
                    .whenComplete((answer, error) -> complete(s, asked, sendAt, answer, error));
        } catch (RuntimeException e) {
            complete(s, asked, sendAt, null, e);
        }
    }

    private void complete(Slot s, long want, long sendAt, LeaseCodec.Answer answer, Throwable error) {
        long now = ticker.read();
        long latency = Math.max(0, now - sendAt);
        leaseRequests.increment();
        leaseNanos.add(latency);
        leaseMaxNanos.accumulateAndGet(latency, Math::max);
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        synchronized (s) {
            s.inFlight = false;
            if (answer != null && answer.status() == LeaseCodec.Answer.GRANTED) {
                if (now - s.expiresAt >= 0) {
                    s.tokens = 0;
                }
                s.tokens += answer.granted();
                s.expiresAt = sendAt + leaseTtlNanos;
                s.lastBatch = Math.max(answer.granted(), 1);
                s.unreachable = false;
                s.fallback = null;
                if (answer.granted() < want) {
                    s.notBefore = now + Math.min(answer.retryAfterNanos(), leaseTtlNanos / 10);
                }
            } else if (answer != null || isReroute(cause)) {
                s.notBefore = now + leaseTtlNanos / 20; // ring moving: ask again soon, maybe elsewhere
            } else {
                leaseFailures.increment();
                s.unreachable = true;
                s.fallbackUntil = now + leaseTtlNanos;
                s.notBefore = now + leaseTtlNanos / 10;
            }
        }
        inFlight.decrementAndGet();
    }

    private static boolean isReroute(Throwable cause) {
        return cause instanceof StaleViewException;
    }

    // ---------------------------------------------------------------- owner side

    LeaseCodec.Answer grant(String key, int want) {
        ConsistentHash<Member> current = ring.current();
        if (closed || !current.nodeFor(key).name().equals(selfName)) {
            return new LeaseCodec.Answer(LeaseCodec.Answer.NOT_OWNER, 0, 0);
        }
        long now = ticker.read();
        while (true) {
            Bucket bucket = owned.get(key);
            if (bucket == null) {
                double share = sideShare();
                bucket = owned.computeIfAbsent(key, k -> new Bucket(capacity * share, ratePerNano * share, now, false));
                trimBuckets(owned);
            }
            synchronized (bucket) {
                if (bucket.removed) {
                    owned.remove(key, bucket);
                    continue;
                }
                long granted = bucket.takeUpTo(want, now);
                long retry = granted < want ? Math.min(bucket.nanosUntil(want - granted), leaseTtlNanos) : 0;
                return new LeaseCodec.Answer(LeaseCodec.Answer.GRANTED, granted, retry);
            }
        }
    }

    private void onRingChange(int size, ConsistentHash<Member> current) {
        viewSize = size;
        long now = ticker.read();
        double side = sideShare();
        for (Map.Entry<String, Bucket> e : owned.entrySet()) {
            Bucket bucket = e.getValue();
            synchronized (bucket) {
                if (!current.nodeFor(e.getKey()).name().equals(selfName)) {
                    bucket.removed = true;
                    owned.remove(e.getKey(), bucket);
                } else {
                    bucket.limits(capacity * side, ratePerNano * side, now);
                }
            }
        }
        double member = memberShare();
        for (Bucket bucket : split.values()) {
            bucket.limits(capacity * member, ratePerNano * member, now);
        }
    }

    /** Drops the least recently used buckets once the map is 1/8 over maxKeys. */
    private void trimBuckets(Map<String, Bucket> map) {
        if (map.size() <= maxKeys + maxKeys / 8) {
            return;
        }
        synchronized (map) {
            int excess = map.size() - maxKeys;
            if (excess <= 0) {
                return;
            }
            List<Map.Entry<String, Bucket>> entries = new ArrayList<>(map.entrySet());
            long now = ticker.read(); // compare ages, not raw ticks: tickers may wrap
            entries.sort(Comparator.comparingLong(e -> lastUsed(e.getValue()) - now));
            for (Map.Entry<String, Bucket> e : entries.subList(0, Math.min(excess, entries.size()))) {
                synchronized (e.getValue()) {
                    e.getValue().removed = true;
                    map.remove(e.getKey(), e.getValue());
                }
            }
        }
    }

    private static long lastUsed(Bucket bucket) {
        synchronized (bucket) {
            return bucket.lastUsed;
        }
    }

    /** Drops the least recently used lease slots (their permits are lost) once 1/8 over maxKeys. */
    private void trimSlots() {
        if (slots.size() <= maxKeys + maxKeys / 8) {
            return;
        }
        synchronized (slots) {
            int excess = slots.size() - maxKeys;
            if (excess <= 0) {
                return;
            }
            List<Map.Entry<String, Slot>> entries = new ArrayList<>(slots.entrySet());
            long now = ticker.read();
            entries.sort(Comparator.comparingLong(e -> slotLastUsed(e.getValue()) - now));
            for (Map.Entry<String, Slot> e : entries.subList(0, Math.min(excess, entries.size()))) {
                slots.remove(e.getKey(), e.getValue());
            }
        }
    }

    private static long slotLastUsed(Slot s) {
        synchronized (s) {
            return s.lastUsed;
        }
    }

    /** Key counts per role, for tests. */
    int[] keyCounts() {
        return new int[] {slots.size(), owned.size(), split.size()};
    }

    /** The share of the limit this side of a partition enforces. */
    private double sideShare() {
        return expected > 0 ? Math.min(1.0, (double) viewSize / expected) : 1.0;
    }

    /** The share of the limit one member enforces alone (even split, local fallback). */
    private double memberShare() {
        return 1.0 / Math.max(1, Math.max(viewSize, expected));
    }

    // ---------------------------------------------------------------- the rest

    @Override
    public long overAdmissionBound(int members, Duration window) {
        if (members <= 0) {
            throw new IllegalArgumentException("members must be positive, was " + members);
        }
        Objects.requireNonNull(window, "window");
        double refill = ratePerNano * window.toNanos();
        return capacity + (long) Math.ceil(refill) + (strategy == Strategy.LEASED_TOKENS ? members * maxBatch : 0);
    }

    /** Lease requests in flight on this member (tests wait for 0 between virtual-time steps). */
    int leasesInFlight() {
        return inFlight.get();
    }

    @Override
    public ClusterRateLimiterStats stats() {
        return new ClusterRateLimiterStats(allowed.sum(), denied.sum(), leaseRequests.sum(), leaseFailures.sum(),
                leaseNanos.sum(), leaseMaxNanos.get(), fallbackDecisions.sum());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        served.close();
        ringListener.close();
        ring.close();
    }

    @Override
    public String toString() {
        return "ClusterRateLimiter{" + endpoint.name() + ", " + strategy + ", limit=" + limit + ", capacity="
                + capacity + ", maxBatch=" + maxBatch + ", members=" + viewSize + '}';
    }
}
