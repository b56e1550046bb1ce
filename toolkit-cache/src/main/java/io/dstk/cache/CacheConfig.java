package io.dstk.cache;

import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The immutable configuration of a {@link ReplicatedCache}. Every member hosting a cache of a given name must use the
 * same name, codecs, write mode and partition mode; sizes and listeners may differ.
 *
 * <pre>{@code
 * CacheConfig<String, String> config = CacheConfig.builder("sessions", PayloadCodec.utf8(), PayloadCodec.utf8())
 *     .maximumSize(100_000)
 *     .expireAfterWrite(Duration.ofMinutes(30))
 *     .build();
 * }</pre>
 *
 * <p>Defaults: 10 000 entries, {@link FullPolicy#EVICT}, no expiry, {@link WriteMode#SYNC},
 * {@link PartitionMode#CONSISTENCY} with reads allowed without quorum, {@link MergePolicy#highestVersion()}, values up
 * to 256 KiB, messages up to 1 MiB (the cluster's default {@code maxMessageBytes}), replication timeout 5 s,
 * write timeout 15 s, tombstones kept 5 min, operation ids kept 2 min, state transfer chunks of 512 entries or
 * 512 KiB, 10 000 writes in flight per orderer, {@code System::nanoTime} as ticker.
 *
 * <p><b>Message size.</b> Every message the cache sends must fit the cluster's
 * {@link io.dstk.membership.ClusterConfig#maxMessageBytes()}, or the receiver drops it. The largest is a
 * {@code replace} sent to the coordinator: the key (at most 16 KiB), the expected and the new value and
 * {@value #MESSAGE_OVERHEAD_BYTES} bytes of framing. {@link Builder#build()} rejects a {@code maxValueBytes} whose
 * largest message exceeds {@link #maxMessageBytes()}, and {@link ReplicatedCache#create} rejects a
 * {@code maxMessageBytes} above the cluster's; state-transfer chunks are cut to fit it too.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class CacheConfig<K, V> {
  /**
   * Bytes of framing around the key and values in the largest cache message (a {@code replace} request: format
   * version, type, request id, operation id, condition and four length fields, with room to spare).
   */
  public static final int MESSAGE_OVERHEAD_BYTES = 64;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private final Builder<K, V> b;

  private CacheConfig(Builder<K, V> b) {
    this.b = b.copy();
  }

  /**
   * Starts a configuration.
   *
   * @param name the cache name, 1..100 of {@code [A-Za-z0-9._-]}; caches of one name on different members replicate
   *     to each other
   * @param keyCodec encodes keys; equal keys must encode to equal bytes
   * @param valueCodec encodes values; conditional operations compare encoded bytes
   * @param <K> the key type
   * @param <V> the value type
   * @return a builder with the defaults
   * @throws IllegalArgumentException if the name is invalid
   * @throws NullPointerException if an argument is null
   */
  public static <K, V> Builder<K, V> builder(String name, PayloadCodec<K> keyCodec, PayloadCodec<V> valueCodec) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be 1..100 of [A-Za-z0-9._-]: '" + name + "'");
    }
    return new Builder<>(name, Objects.requireNonNull(keyCodec, "keyCodec"),
        Objects.requireNonNull(valueCodec, "valueCodec"));
  }

  /** @return the cache name */
  public String name() {
    return b.name;
  }

  /** @return the key codec */
  public PayloadCodec<K> keyCodec() {
    return b.keyCodec;
  }

  /** @return the value codec */
  public PayloadCodec<V> valueCodec() {
    return b.valueCodec;
  }

  /** @return the maximum number of entries, or 0 when bounded by weight instead */
  public long maximumSize() {
    return b.maximumSize;
  }

  /** @return the maximum total weight, or 0 when bounded by entry count */
  public long maximumWeight() {
    return b.maximumWeight;
  }

  /** @return the weigher, present when bounded by weight */
  public Optional<Weigher<K, V>> weigher() {
    return Optional.ofNullable(b.weigher);
  }

  /** @return what happens when the cache is full */
  public FullPolicy fullPolicy() {
    return b.fullPolicy;
  }

  /** @return how long after its last write an entry expires locally, if set */
  public Optional<Duration> expireAfterWrite() {
    return Optional.ofNullable(b.expireAfterWrite);
  }

  /** @return when writes are acknowledged */
  public WriteMode writeMode() {
    return b.writeMode;
  }

  /** @return the behaviour under partitions */
  public PartitionMode partitionMode() {
    return b.partitionMode;
  }

  /** @return whether a member without quorum serves reads in {@link PartitionMode#CONSISTENCY} mode */
  public boolean readsWithoutQuorum() {
    return b.readsWithoutQuorum;
  }

  /** @return the merge policy of {@link PartitionMode#AVAILABILITY} mode */
  public MergePolicy<K, V> mergePolicy() {
    return b.mergePolicy;
  }

  /** @return the loader, if set */
  public Optional<CacheLoader<K, V>> loader() {
    return Optional.ofNullable(b.loader);
  }

  /** @return the writer, if set */
  public Optional<CacheWriter<K, V>> writer() {
    return Optional.ofNullable(b.writer);
  }

  /** @return the largest accepted encoded value, in bytes */
  public int maxValueBytes() {
    return b.maxValueBytes;
  }

  /**
   * Returns the largest message the cache may send, which must not exceed the cluster's
   * {@link io.dstk.membership.ClusterConfig#maxMessageBytes()}.
   *
   * @return the message cap in bytes
   */
  public int maxMessageBytes() {
    return b.maxMessageBytes;
  }

  /**
   * Returns the size of the largest message a cache with this configuration can send: a {@code replace} carrying a
   * key of the largest size and two values of {@link #maxValueBytes()}.
   *
   * @return bytes; never above {@link #maxMessageBytes()}
   */
  public long largestMessageBytes() {
    return largestMessage(b.maxValueBytes);
  }

  private static long largestMessage(int valueBytes) {
    return MESSAGE_OVERHEAD_BYTES + (long) Wire.MAX_KEY_BYTES + 2L * valueBytes;
  }

  /**
   * Returns how long a member that neither acknowledges a replicated write nor leaves the view may delay it before
   * the writer asks it whether it holds the write (a lost acknowledgement) and, if it does not answer, waits for the
   * view to exclude it: the write then completes once the view excludes it, or fails with
   * {@link IndeterminateWriteException} when {@link #writeTimeout()} has passed since the write was submitted. It is
   * also how long a writer waits for the coordinator's answer to an ORDER before sending it again.
   *
   * @return the replication timeout
   */
  public Duration replicationTimeout() {
    return b.replicationTimeout;
  }

  /** @return the total time a write may take, retries on a lost coordinator included */
  public Duration writeTimeout() {
    return b.writeTimeout;
  }

  /** @return how long tombstones of removed keys are kept */
  public Duration tombstoneRetention() {
    return b.tombstoneRetention;
  }

  /** @return how long operation ids are remembered for de-duplicating retries */
  public Duration operationIdRetention() {
    return b.operationIdRetention;
  }

  /** @return the most entries in one state-transfer chunk */
  public int stateTransferChunkEntries() {
    return b.chunkEntries;
  }

  /** @return the most bytes in one state-transfer chunk; chunks are also cut to fit {@link #maxMessageBytes()} */
  public int stateTransferChunkBytes() {
    return b.chunkBytes;
  }

  /**
   * @return the most writes one member has in flight at once (each is tracked until every member confirmed it or
   *     it expired at {@link #writeTimeout()}); callers beyond it back off and retry
   */
  public int maxPendingWrites() {
    return b.maxPendingWrites;
  }

  /** @return the monotonic nanosecond clock used for expiry, tombstones and timings */
  public LongSupplier ticker() {
    return b.ticker;
  }

  @Override
  public String toString() {
    return "CacheConfig[" + b.name + ", " + (b.maximumWeight > 0 ? "maximumWeight=" + b.maximumWeight
        : "maximumSize=" + b.maximumSize) + ", " + b.fullPolicy + ", " + b.writeMode + ", " + b.partitionMode
        + (b.expireAfterWrite != null ? ", expireAfterWrite=" + b.expireAfterWrite : "") + "]";
  }

  /**
   * Builds a {@link CacheConfig}; every setter validates at once and names the setting in its message. Not
   * thread-safe.
   *
   * @param <K> the key type
   * @param <V> the value type
   */
  public static final class Builder<K, V> {
    private final String name;
    private final PayloadCodec<K> keyCodec;
    private final PayloadCodec<V> valueCodec;
    private long maximumSize = 10_000;
    private long maximumWeight;
    private Weigher<K, V> weigher;
    private FullPolicy fullPolicy = FullPolicy.EVICT;
    private Duration expireAfterWrite;
    private WriteMode writeMode = WriteMode.SYNC;
    private PartitionMode partitionMode = PartitionMode.CONSISTENCY;
    private boolean readsWithoutQuorum = true;
    private MergePolicy<K, V> mergePolicy = MergePolicy.highestVersion();
    private CacheLoader<K, V> loader;
    private CacheWriter<K, V> writer;
    private int maxValueBytes = 256 * 1024;
    private int maxMessageBytes = 1 << 20;
    private Duration replicationTimeout = Duration.ofSeconds(5);
    private Duration writeTimeout = Duration.ofSeconds(15);
    private Duration tombstoneRetention = Duration.ofMinutes(5);
    private Duration operationIdRetention = Duration.ofMinutes(2);
    private int chunkEntries = 512;
    private int chunkBytes = 512 * 1024;
    private int maxPendingWrites = 10_000;
    private LongSupplier ticker = System::nanoTime;

    private Builder(String name, PayloadCodec<K> keyCodec, PayloadCodec<V> valueCodec) {
      this.name = name;
      this.keyCodec = keyCodec;
      this.valueCodec = valueCodec;
    }

    private Builder<K, V> copy() {
      Builder<K, V> c = new Builder<>(name, keyCodec, valueCodec);
      c.maximumSize = maximumSize;
      c.maximumWeight = maximumWeight;
      c.weigher = weigher;
      c.fullPolicy = fullPolicy;
      c.expireAfterWrite = expireAfterWrite;
      c.writeMode = writeMode;
      c.partitionMode = partitionMode;
      c.readsWithoutQuorum = readsWithoutQuorum;
      c.mergePolicy = mergePolicy;
      c.loader = loader;
      c.writer = writer;
      c.maxValueBytes = maxValueBytes;
      c.maxMessageBytes = maxMessageBytes;
      c.replicationTimeout = replicationTimeout;
      c.writeTimeout = writeTimeout;
      c.tombstoneRetention = tombstoneRetention;
      c.operationIdRetention = operationIdRetention;
      c.chunkEntries = chunkEntries;
      c.chunkBytes = chunkBytes;
      c.maxPendingWrites = maxPendingWrites;
      c.ticker = ticker;
      return c;
    }

    /**
     * Bounds the cache by entry count (clears a weight bound).
     *
     * @param entries the maximum, 1..2^40
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder<K, V> maximumSize(long entries) {
      if (entries < 1 || entries > (1L << 40)) {
        throw new IllegalArgumentException("maximumSize must be in 1..2^40: " + entries);
      }
      this.maximumSize = entries;
      this.maximumWeight = 0;
      this.weigher = null;
      return this;
    }

    /**
     * Bounds the cache by total weight (clears an entry-count bound): the memory budget.
     *
     * @param weight the maximum total weight, positive
     * @param entryWeigher computes each entry's weight
     * @return this builder
     * @throws IllegalArgumentException if {@code weight} is not positive
     * @throws NullPointerException if {@code entryWeigher} is null
     */
    public Builder<K, V> maximumWeight(long weight, Weigher<K, V> entryWeigher) {
      if (weight < 1) {
        throw new IllegalArgumentException("maximumWeight must be positive: " + weight);
      }
      this.weigher = Objects.requireNonNull(entryWeigher, "weigher");
      this.maximumWeight = weight;
      this.maximumSize = 0;
      return this;
    }

    /**
     * Sets what happens when full.
     *
     * @param policy {@link FullPolicy#EVICT} or {@link FullPolicy#REJECT}
     * @return this builder
     */
    public Builder<K, V> fullPolicy(FullPolicy policy) {
      this.fullPolicy = Objects.requireNonNull(policy, "fullPolicy");
      return this;
    }

    /**
     * Expires each entry on each member this long after that member applied its last write (local, like eviction).
     * Never early: a read at or after that instant misses, a read before it hits. The entry's memory is reclaimed, and
     * its {@link CacheEvent.Evicted} event sent, by Caffeine's maintenance up to about one second later.
     *
     * @param duration positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder<K, V> expireAfterWrite(Duration duration) {
      this.expireAfterWrite = positive("expireAfterWrite", duration);
      return this;
    }

    /**
     * Sets when writes are acknowledged.
     *
     * @param mode {@link WriteMode#SYNC} or {@link WriteMode#ASYNC}
     * @return this builder
     */
    public Builder<K, V> writeMode(WriteMode mode) {
      this.writeMode = Objects.requireNonNull(mode, "writeMode");
      return this;
    }

    /**
     * Sets the behaviour under partitions.
     *
     * @param mode {@link PartitionMode#CONSISTENCY} or {@link PartitionMode#AVAILABILITY}
     * @return this builder
     */
    public Builder<K, V> partitionMode(PartitionMode mode) {
      this.partitionMode = Objects.requireNonNull(mode, "partitionMode");
      return this;
    }

    /**
     * Sets whether a member without quorum serves (possibly stale) reads in consistency mode.
     *
     * @param allowed true to serve, false to throw {@link NoQuorumException}
     * @return this builder
     */
    public Builder<K, V> readsWithoutQuorum(boolean allowed) {
      this.readsWithoutQuorum = allowed;
      return this;
    }

    /**
     * Sets the merge policy of availability mode.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder<K, V> mergePolicy(MergePolicy<K, V> policy) {
      this.mergePolicy = Objects.requireNonNull(policy, "mergePolicy");
      return this;
    }

    /**
     * Sets a loader for local misses.
     *
     * @param cacheLoader the loader
     * @return this builder
     */
    public Builder<K, V> loader(CacheLoader<K, V> cacheLoader) {
      this.loader = Objects.requireNonNull(cacheLoader, "loader");
      return this;
    }

    /**
     * Sets a write-through writer, called only by the ordering member.
     *
     * @param cacheWriter the writer
     * @return this builder
     */
    public Builder<K, V> writer(CacheWriter<K, V> cacheWriter) {
      this.writer = Objects.requireNonNull(cacheWriter, "writer");
      return this;
    }

    /**
     * Sets the largest accepted encoded value.
     *
     * @param bytes 1..16 MiB; a {@code replace} carries two values, so at most
     *     ({@link #maxMessageBytes(int) maxMessageBytes} - 16 KiB - {@value CacheConfig#MESSAGE_OVERHEAD_BYTES}) / 2,
     *     checked by {@link #build()}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder<K, V> maxValueBytes(int bytes) {
      if (bytes < 1 || bytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException("maxValueBytes must be in 1..16777216: " + bytes);
      }
      this.maxValueBytes = bytes;
      return this;
    }

    /**
     * Sets the largest message the cache may send: at most the cluster's
     * {@link io.dstk.membership.ClusterConfig.Builder#maxMessageBytes(int) maxMessageBytes}, which
     * {@link ReplicatedCache#create} checks. Set it whenever the cluster's is below the default 1 MiB.
     *
     * @param bytes 1..64 MiB, as the cluster's setting
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder<K, V> maxMessageBytes(int bytes) {
      if (bytes < 1 || bytes > 64 * 1024 * 1024) {
        throw new IllegalArgumentException("maxMessageBytes must be in 1..67108864: " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /**
     * Sets how long an unresponsive member still in the view may delay a SYNC write before the write waits for the
     * view to exclude it (see {@link CacheConfig#replicationTimeout()}).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder<K, V> replicationTimeout(Duration timeout) {
      this.replicationTimeout = positive("replicationTimeout", timeout);
      return this;
    }

    /**
     * Sets the total time a write may take, including retries when the coordinator is lost.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder<K, V> writeTimeout(Duration timeout) {
      this.writeTimeout = positive("writeTimeout", timeout);
      return this;
    }

    /**
     * Sets how long tombstones of removed keys are kept; a replicated write older than a purged tombstone could
     * otherwise resurrect a key, so keep it well above the longest partition you want to heal from.
     *
     * @param retention positive
     * @return this builder
     */
    public Builder<K, V> tombstoneRetention(Duration retention) {
      this.tombstoneRetention = positive("tombstoneRetention", retention);
      return this;
    }

    /**
     * Sets how long operation ids are remembered to de-duplicate retries; at least {@link #writeTimeout(Duration)},
     * or a write retried near the end of its timeout could be applied twice (checked by {@link #build()}).
     *
     * @param retention positive
     * @return this builder
     */
    public Builder<K, V> operationIdRetention(Duration retention) {
      this.operationIdRetention = positive("operationIdRetention", retention);
      return this;
    }

    /**
     * Sets the state-transfer chunk bounds.
     *
     * @param entries most entries per chunk, 1..100 000
     * @param bytes most bytes per chunk, 1 KiB..16 MiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder<K, V> stateTransferChunk(int entries, int bytes) {
      if (entries < 1 || entries > 100_000) {
        throw new IllegalArgumentException("stateTransferChunk entries must be in 1..100000: " + entries);
      }
      if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException("stateTransferChunk bytes must be in 1024..16777216: " + bytes);
      }
      this.chunkEntries = entries;
      this.chunkBytes = bytes;
      return this;
    }

    /**
     * Sets how many writes one member has in flight at once (the bound of its write tracking).
     *
     * @param writes 1..1 000 000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder<K, V> maxPendingWrites(int writes) {
      if (writes < 1 || writes > 1_000_000) {
        throw new IllegalArgumentException("maxPendingWrites must be in 1..1000000: " + writes);
      }
      this.maxPendingWrites = writes;
      return this;
    }

    /**
     * Sets the monotonic nanosecond clock (for tests in virtual time).
     *
     * @param nanos the clock
     * @return this builder
     */
    public Builder<K, V> ticker(LongSupplier nanos) {
      this.ticker = Objects.requireNonNull(nanos, "ticker");
      return this;
    }

    /**
     * Validates the combination and builds the configuration.
     *
     * @return the immutable configuration
     * @throws IllegalArgumentException if the write timeout is below the replication timeout, the operation id
     *     retention below the write timeout, or the largest message {@code maxValueBytes} allows exceeds
     *     {@code maxMessageBytes}
     */
    public CacheConfig<K, V> build() {
      if (writeTimeout.compareTo(replicationTimeout) < 0) {
        throw new IllegalArgumentException("writeTimeout (" + writeTimeout + ") must be >= replicationTimeout ("
            + replicationTimeout + ")");
      }
      if (operationIdRetention.compareTo(writeTimeout) < 0) {
        throw new IllegalArgumentException("operationIdRetention (" + operationIdRetention
            + ") must be >= writeTimeout (" + writeTimeout + "), or a retried write could be applied twice");
      }
      long largest = largestMessage(maxValueBytes);
      if (largest > maxMessageBytes) {
        long fits = Math.max(0, ((long) maxMessageBytes - MESSAGE_OVERHEAD_BYTES - Wire.MAX_KEY_BYTES) / 2);
        throw new IllegalArgumentException("maxValueBytes (" + maxValueBytes + ") allows messages of " + largest
            + " bytes (a replace carries a key of up to " + Wire.MAX_KEY_BYTES + " bytes and two values), more than "
            + "maxMessageBytes (" + maxMessageBytes + "): lower maxValueBytes to at most " + fits
            + " or raise maxMessageBytes together with the cluster's");
      }
      return new CacheConfig<>(this);
    }

    private static Duration positive(String setting, Duration d) {
      Objects.requireNonNull(d, setting);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(setting + " must be positive: " + d);
      }
      return d;
    }
  }
}
