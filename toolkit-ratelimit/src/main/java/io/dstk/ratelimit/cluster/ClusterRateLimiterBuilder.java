package io.dstk.ratelimit.cluster;

import io.dstk.membership.Cluster;
import io.dstk.membership.RequestPolicy;
import io.dstk.ratelimit.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configures a {@link ClusterRateLimiter}. Setters validate at once and name the value in the exception.
 *
 * <p>Defaults: {@link ClusterRateLimiter.Strategy#LEASED_TOKENS}, capacity = limit, lease TTL 1 s, max batch
 * {@code max(1, capacity / 10)}, {@link ClusterRateLimiter.OwnerUnreachable#LOCAL_FALLBACK}, lease requests with
 * a 200 ms timeout, one attempt, view-checked, circuit breaker opening after 3 consecutive timeouts for 1 s, no
 * expected member count (no partition scaling), 100 000 keys, {@link Ticker#system()}. Not thread safe.
 */
public final class ClusterRateLimiterBuilder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    final Cluster cluster;
    final String name;
    final long limit;
    final Duration period;
    long capacity;
    ClusterRateLimiter.Strategy strategy = ClusterRateLimiter.Strategy.LEASED_TOKENS;
    Duration leaseTtl = Duration.ofSeconds(1);
    long maxBatch;
    ClusterRateLimiter.OwnerUnreachable unreachable = ClusterRateLimiter.OwnerUnreachable.LOCAL_FALLBACK;
    RequestPolicy requestPolicy = RequestPolicy.defaults().withTimeout(Duration.ofMillis(200)).withViewCheck(true)
            .withCircuitBreaker(3, Duration.ofSeconds(1));
    int expectedMembers;
    int maxKeys = 100_000;
    Ticker ticker = Ticker.system();

    ClusterRateLimiterBuilder(Cluster cluster, String name, long limit, Duration period) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(period, "period");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1 to 64 characters of [A-Za-z0-9._-], was \"" + name
                    + "\"");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, was " + period);
        }
        this.name = name;
        this.limit = limit;
        this.period = period;
        this.capacity = limit;
    }

    /**
     * Sets the burst: the most permits the key's bucket holds (default: the limit).
     *
     * @param permits at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code permits} is not positive
     */
    public ClusterRateLimiterBuilder capacity(long permits) {
        if (permits <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + permits);
        }
        this.capacity = permits;
        return this;
    }

    /**
     * Sets how the limit is shared (default {@link ClusterRateLimiter.Strategy#LEASED_TOKENS}).
     *
     * @param strategy the strategy
     * @return this builder
     * @throws NullPointerException if {@code strategy} is null
     */
    public ClusterRateLimiterBuilder strategy(ClusterRateLimiter.Strategy strategy) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    /**
     * Sets how long a lease's permits stay usable (default 1 s). Shorter loses fewer permits to a member whose
     * demand stops, longer sends fewer lease requests.
     *
     * @param ttl between 10 ms and 1 hour
     * @return this builder
     * @throws IllegalArgumentException if {@code ttl} is out of range
     * @throws NullPointerException     if {@code ttl} is null
     */
    public ClusterRateLimiterBuilder leaseTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.compareTo(Duration.ofMillis(10)) < 0 || ttl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("leaseTtl must be between 10 ms and 1 h, was " + ttl);
        }
        this.leaseTtl = ttl;
        return this;
    }

    /**
     * Sets the most permits one member holds in a lease for one key (default {@code max(1, capacity / 10)}).
     * It bounds the over-admission; smaller means more lease requests under load.
     *
     * @param permits at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code permits} is not positive
     */
    public ClusterRateLimiterBuilder maxBatch(long permits) {
        if (permits <= 0) {
            throw new IllegalArgumentException("maxBatch must be positive, was " + permits);
        }
        this.maxBatch = permits;
        return this;
    }

    /**
     * Sets the decision while the owner of a key cannot be reached (default
     * {@link ClusterRateLimiter.OwnerUnreachable#LOCAL_FALLBACK}).
     *
     * @param policy the policy
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public ClusterRateLimiterBuilder onOwnerUnreachable(ClusterRateLimiter.OwnerUnreachable policy) {
        this.unreachable = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * Sets the timeout, retries and circuit breaker of lease requests. View checking is always switched on.
     *
     * @param policy the policy
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public ClusterRateLimiterBuilder requestPolicy(RequestPolicy policy) {
        this.requestPolicy = Objects.requireNonNull(policy, "policy").withViewCheck(true);
        return this;
    }

    /**
     * Sets the number of members the cluster should have. Each side of a partition (and a cluster that lost
     * members) then enforces only {@code members in view / expected} of the limit. Default 0: no scaling.
     *
     * @param members at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code members} is not positive
     */
    public ClusterRateLimiterBuilder expectedMembers(int members) {
        if (members <= 0) {
            throw new IllegalArgumentException("expectedMembers must be positive, was " + members);
        }
        this.expectedMembers = members;
        return this;
    }

    /**
     * Sets how many keys this member keeps state for, in each role (lease slots, owned buckets, even-split
     * buckets); default 100 000. Beyond it (plus 1/8 slack) the least recently used keys are dropped, which only
     * ever admits less: a dropped lease loses its permits, a dropped owner bucket comes back as if created empty
     * when it was last used.
     *
     * @param keys at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code keys} is not positive
     */
    public ClusterRateLimiterBuilder maxKeys(int keys) {
        if (keys <= 0) {
            throw new IllegalArgumentException("maxKeys must be positive, was " + keys);
        }
        this.maxKeys = keys;
        return this;
    }

    /**
     * Sets the monotonic clock for buckets and lease expiry (default {@link Ticker#system()}).
     *
     * @param ticker the ticker
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     */
    public ClusterRateLimiterBuilder ticker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        return this;
    }

    /**
     * Builds the limiter and registers its lease endpoint ({@code dstk.ratelimit.<name>}) on the cluster.
     *
     * @return the limiter
     * @throws IllegalArgumentException if {@code maxBatch} exceeds the capacity
     */
    public ClusterRateLimiter build() {
        if (maxBatch == 0) {
            maxBatch = Math.max(1, capacity / 10);
        }
        if (maxBatch > capacity) {
            throw new IllegalArgumentException("maxBatch must not exceed capacity " + capacity + ", was " + maxBatch);
        }
        return new DefaultClusterRateLimiter(this);
    }
}
