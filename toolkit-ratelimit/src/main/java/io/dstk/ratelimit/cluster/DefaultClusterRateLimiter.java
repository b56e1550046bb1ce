package io.dstk.ratelimit.cluster;

import io.dstk.hash.ConsistentHash;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterRing;
import io.dstk.membership.Endpoint;
import io.dstk.membership.Member;
import io.dstk.membership.Registration;
import io.dstk.membership.RequestPolicy;
import io.dstk.membership.StaleViewException;
import io.dstk.ratelimit.RateLimitDecision;
import io.dstk.ratelimit.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/*
 * Leased tokens. Two roles per key:
 *  - owner (the key's node on this member's ring): a Bucket scaled to the side's share of the expected members; it
 *    answers lease requests with min(want, whole tokens) and, when short, the time until the rest is there.
 *    Buckets of keys that move away are dropped on the ring change. A new bucket starts as if it had been created
 *    EMPTY at start = max(since + leaseTtl, trimmedUpTo), i.e. with min(capacity, rate * (now - start)) tokens,
 *    where `since` is when this member became the key's owner without a break (history of rings, below) and
 *    trimmedUpTo the last use of any owner bucket dropped by the maxKeys sweep. Right after a handover that is
 *    empty (no fresh burst while the old owner's grants may still be in use); on a stable owner a key first seen
 *    starts full. Ring history: one Epoch per ring change with its time; a view that ADDS members (join, merge)
 *    is a break for every key, since a member that comes back from a partition may have owned keys on its side.
 *    Entries older than leaseTtl + capacity / rate are pruned (the oldest kept entry is then a break: later than
 *    the truth, so only ever conservative).
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
    private final long startedAt;
    private final long historyNanos;
    private final ArrayDeque<Epoch> history = new ArrayDeque<>();
    private final RateLimitDecision allowedMark;
    private final RateLimitDecision deniedMark;
    private volatile long trimmedUpTo;
    private volatile int viewSize;
    private volatile boolean closed;

    /** A ring and the tick it was installed at; {@code added}: the view added members (or it is the first). */
    private record Epoch(ConsistentHash<Member> ring, long at, boolean added) {
    }

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
        /** Completed when the lease request in flight completes (null when none was sent yet). */
        CompletableFuture<Void> pending;
        /** The owner's hint from the last short grant: the rest of that lease will be there at restAt. */
        boolean restHint;
        long restAt;

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
        this.startedAt = ticker.read();
        this.trimmedUpTo = startedAt;
        this.historyNanos = leaseTtlNanos + (long) Math.min(Long.MAX_VALUE / 4, Math.ceil(capacity / ratePerNano));
        this.allowedMark = new RateLimitDecision(true, capacity, 0, 0, 0);
        this.deniedMark = new RateLimitDecision(false, capacity, 0, 1, 0);
        this.endpoint = Endpoint.of("dstk.ratelimit." + b.name, LeaseCodec.REQUEST, LeaseCodec.ANSWER);
        this.ring = ClusterRing.create(cluster);
        this.viewSize = ring.view().size();
        this.ringListener = ring.addListener(change -> onRingChange(change.view().size(), change.previous(),
                change.current()));
        synchronized (history) {
            if (history.isEmpty()) {
                history.add(new Epoch(ring.current(), ticker.read(), true));
            }
        }
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
        checkPermits(permits);
        return count(decide(key, permits, false, null)).allowed();
    }

    @Override
    public RateLimitDecision tryAcquireWithDecision(String key, int permits) {
        checkKey(key);
        checkPermits(permits);
        return count(decide(key, permits, true, null));
    }

    @Override
    public boolean tryAcquire(String key, int permits, Duration maxWait) {
        return tryAcquireWithDecision(key, permits, maxWait, false).allowed();
    }

    @Override
    public RateLimitDecision tryAcquireWithDecision(String key, int permits, Duration maxWait) {
        return tryAcquireWithDecision(key, permits, maxWait, true);
    }

    private RateLimitDecision tryAcquireWithDecision(String key, int permits, Duration maxWait, boolean full) {
        checkKey(key);
        checkPermits(permits);
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
        }
        Wait wait = new Wait(false);
        RateLimitDecision d = decide(key, permits, full, wait);
        if (!d.allowed() && wait.lease != null) {
            awaitLease(wait.lease, maxWait);
            d = decide(key, permits, full, Wait.AGAIN);
        }
        return count(d);
    }

    /** Waits for a lease response, at most {@code maxWait}; an interrupt ends the wait (the flag is kept). */
    private static void awaitLease(CompletableFuture<Void> lease, Duration maxWait) {
        try {
            Duration capped = maxWait.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365) : maxWait;
            lease.get(capped.toNanos(), TimeUnit.NANOSECONDS); // toNanos() overflows beyond 292 years
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | ExecutionException e) {
            // decide with what is there
        }
    }

    private RateLimitDecision count(RateLimitDecision d) {
        (d.allowed() ? allowed : denied).increment();
        return d;
    }

    private static void checkPermits(int permits) {
        if (permits <= 0) {
            throw new IllegalArgumentException("permits must be positive, was " + permits);
        }
    }

    /** The lease response a waiting call may wait for, and whether the call decides again after its wait. */
    private static final class Wait {
        /** A decision taken again at once (after a lease this member granted itself); never waits. */
        static final Wait AGAIN = new Wait(true);
        CompletableFuture<Void> lease;
        final boolean again;

        Wait(boolean again) {
            this.again = again;
        }
    }

    /**
     * One decision; {@code full}: build a real decision, else return a mark. {@code wait} (nullable): receives the
     * lease response worth waiting for when the call is denied only because no batch has arrived yet.
     */
    private RateLimitDecision decide(String key, int permits, boolean full, Wait wait) {
        if (closed) {
            return full ? new RateLimitDecision(false, capacity, 0, Long.MAX_VALUE, 0) : deniedMark;
        }
        return strategy == Strategy.EVEN_SPLIT ? splitAcquire(key, permits, full)
                : leasedAcquire(key, permits, full, wait);
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > 256) {
            throw new IllegalArgumentException("key must be 1..256 characters, was " + key.length());
        }
    }

    private RateLimitDecision splitAcquire(String key, int permits, boolean full) {
        long now = ticker.read();
        Bucket bucket = split.get(key);
        if (bucket == null) {
            double share = memberShare();
            bucket = split.computeIfAbsent(key, k -> new Bucket(capacity * share, ratePerNano * share, now, true));
            trimBuckets(split);
        }
        if (!full) {
            return bucket.tryTake(permits, now) ? allowedMark : deniedMark;
        }
        synchronized (bucket) {
            boolean ok = bucket.tryTake(permits, now);
            return bucketDecision(bucket, ok, permits, now);
        }
    }

    /** A decision from a local bucket (even split, local fallback). Holds the bucket's monitor. */
    private RateLimitDecision bucketDecision(Bucket bucket, boolean ok, int permits, long now) {
        long retry = ok ? 0 : Math.max(1, bucket.nanosUntil(permits));
        return new RateLimitDecision(ok, capacity, bucket.available(now), retry, bucket.nanosUntilFull());
    }

    private RateLimitDecision leasedAcquire(String key, int permits, boolean full, Wait wait) {
        long now = ticker.read();
        Slot s = slots.get(key);
        if (s == null) {
            s = slots.computeIfAbsent(key, k -> new Slot(now));
            trimSlots();
        }
        boolean ok;
        boolean inFallback = false;
        boolean request = false;
        CompletableFuture<Void> done = null;
        RateLimitDecision decision = null;
        synchronized (s) {
            s.lastUsed = now;
            if (wait == null || !wait.again) {
                s.demand += permits; // a decision taken again after a wait is not new demand
            }
            if (now - s.expiresAt >= 0) {
                s.tokens = 0;
            }
            if (s.tokens >= permits) {
                s.tokens -= permits;
                ok = true;
            } else if (s.unreachable && now - s.fallbackUntil < 0) {
                inFallback = true;
                ok = fallback(s, permits, now);
            } else {
                ok = false;
            }
            if (!s.inFlight && now - s.notBefore >= 0 && s.tokens * 2 <= s.lastBatch) {
                s.inFlight = true;
                s.pending = new CompletableFuture<>();
                done = s.pending;
                request = true;
            }
            if (!ok && wait != null && !wait.again && s.inFlight && s.tokens == 0 && !inFallback
                    && permits <= maxBatch) {
                wait.lease = s.pending; // no batch yet and one on its way: worth waiting for
            }
            if (full) {
                decision = leasedDecision(s, ok, inFallback, permits, now);
            }
        }
        if (request) {
            requestLease(key, s, now, done);
            if (!ok && done.isDone() && (wait == null || !wait.again)) {
                // this member is the owner and granted the lease in this call: decide once more with it
                return leasedAcquire(key, permits, full, Wait.AGAIN);
            }
        }
        return full ? decision : ok ? allowedMark : deniedMark;
    }

    /*
     * What this member knows, as a decision (guarded by the slot). Remaining: the permits left in the local batch
     * (or the fallback bucket). Retry-after, an estimate: the owner's "rest at" hint from the last short grant if
     * still ahead; otherwise the missing permits at the side's refill rate; never for more than maxBatch permits
     * (a lease never holds them) unless the fallback decides. Reset: the capacity minus the local batch at the rate.
     */
    private RateLimitDecision leasedDecision(Slot s, boolean ok, boolean inFallback, int permits, long now) {
        if (inFallback && s.fallback != null) {
            synchronized (s.fallback) {
                return bucketDecision(s.fallback, ok, permits, now);
            }
        }
        double rate = ratePerNano * sideShare();
        long remaining = inFallback ? 0 : Math.max(0, s.tokens);
        long reset = (long) Math.ceil(Math.max(0, capacity - Math.min(remaining, capacity)) / rate);
        if (ok) {
            return new RateLimitDecision(true, capacity, remaining, 0, reset);
        }
        long retry;
        if (permits > maxBatch && !inFallback) {
            retry = Long.MAX_VALUE;
        } else if (s.restHint && s.restAt - now > 0) {
            retry = s.restAt - now;
        } else {
            retry = (long) Math.ceil((permits - Math.min(remaining, permits)) / rate);
        }
        if (inFallback && unreachable == OwnerUnreachable.FAIL_CLOSED) {
            retry = Math.max(retry, s.notBefore - now); // the next lease request
        }
        return new RateLimitDecision(false, capacity, remaining, Math.max(1, retry), reset);
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

    private void requestLease(String key, Slot s, long sendAt, CompletableFuture<Void> done) {
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
            complete(s, asked, sendAt, null, e, done);
            return;
        }
        if (owner.name().equals(selfName)) {
            LeaseCodec.Answer answer;
            try {
                answer = grant(key, asked);
            } catch (RuntimeException e) {
                complete(s, asked, sendAt, null, e, done);
                return;
            }
            complete(s, asked, sendAt, answer, null, done);
            return;
        }
        try {
            cluster.request(owner, endpoint, new LeaseCodec.Request(key, asked), policy)
                    .whenComplete((answer, error) -> complete(s, asked, sendAt, answer, error, done));
        } catch (RuntimeException e) {
            complete(s, asked, sendAt, null, e, done);
        }
    }

    private void complete(Slot s, long want, long sendAt, LeaseCodec.Answer answer, Throwable error,
                          CompletableFuture<Void> done) {
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
                s.restHint = answer.granted() < want;
                if (s.restHint) {
                    s.restAt = now + answer.retryAfterNanos();
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
        done.complete(null);
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
                double initial = initialTokens(key, now) * share;
                bucket = owned.computeIfAbsent(key, k -> new Bucket(capacity * share, ratePerNano * share, now,
                        initial));
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

    /**
     * The tokens (before the side's scaling) a new owner bucket for {@code key} may start with: as many as a bucket
     * created empty at {@code max(since + leaseTtl, trimmedUpTo)} would hold now.
     */
    double initialTokens(String key, long now) {
        long start = ownedSince(key, now) + leaseTtlNanos;
        long trimmed = trimmedUpTo;
        if (trimmed - start > 0) {
            start = trimmed;
        }
        long age = now - start;
        return age <= 0 ? 0 : Math.min(capacity, age * ratePerNano);
    }

    /** Since when this member has owned {@code key} without a break, by the ring history; {@code now} if unsure. */
    long ownedSince(String key, long now) {
        synchronized (history) {
            Epoch last = history.peekLast();
            if (last == null || last.ring() != ring.current()) {
                return now; // a ring change is being installed
            }
            long since = now;
            for (Iterator<Epoch> it = history.descendingIterator(); it.hasNext(); ) {
                Epoch e = it.next();
                if (!e.ring().nodeFor(key).name().equals(selfName)) {
                    break;
                }
                since = e.at();
                if (e.added()) {
                    break;
                }
            }
            return since;
        }
    }

    private void recordEpoch(ConsistentHash<Member> previous, ConsistentHash<Member> current, long now) {
        Set<String> before = new HashSet<>();
        previous.nodes().forEach(m -> before.add(m.name()));
        boolean added = current.nodes().stream().anyMatch(m -> !before.contains(m.name()));
        synchronized (history) {
            Epoch last = history.peekLast();
            if (last != null && last.ring() == current) {
                return;
            }
            history.add(new Epoch(current, now, added || last == null));
            while (history.size() > 64) {
                history.removeFirst();
            }
            // an entry is needed only while its successor is younger than historyNanos
            while (history.size() > 1) {
                Iterator<Epoch> it = history.iterator();
                it.next();
                if (now - it.next().at() < historyNanos) {
                    break;
                }
                history.removeFirst();
            }
        }
    }

    private void onRingChange(int size, ConsistentHash<Member> previous, ConsistentHash<Member> current) {
        viewSize = size;
        long now = ticker.read();
        recordEpoch(previous, current, now);
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
                    if (map == owned && e.getValue().lastUsed - trimmedUpTo > 0) {
                        trimmedUpTo = e.getValue().lastUsed; // a new bucket for it must not start fuller
                    }
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

    /** Rings in the ownership history; for tests. */
    int epochs() {
        synchronized (history) {
            return history.size();
        }
    }

    /** The owner's bucket for a key, or null; for tests. */
    Bucket ownedBucket(String key) {
        return owned.get(key);
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
