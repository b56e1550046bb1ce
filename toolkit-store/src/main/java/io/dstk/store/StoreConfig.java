package io.dstk.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The immutable, validated configuration of a {@link ClusterStore}.
 *
 * <pre>{@code
 * StoreConfig config = StoreConfig.voters("node-1", "node-2", "node-3").build();
 * }</pre>
 *
 * <p>Every member that opens the store must use the same voters, store name and limits ({@link #maxKeys()} is
 * enforced by the replicated state machine, so voters with different caps would diverge; so are the bounds of
 * {@link Builder#dedupWindow the table of recent requests}). Defaults: store name
 * {@code store}; raft transport on the cluster's bind address, ports from the cluster's base port + 200 over the
 * cluster's port range, its thread pool capped at the cluster's {@code ClusterConfig.maxThreads()} and protected like
 * the cluster's channel (TLS, or encryption and authentication with the shared key); operation timeout 5 s; values up to 64 KiB; 10,000 keys; TTLs 1 s..1 h; maximum clock drift
 * 200 ms; in-memory log, snapshot every 1 MiB of log; duplicate requests recognised for 1 min or the latest 50,000
 * writes, whichever is less; {@code System::nanoTime} as the monotonic clock.
 *
 * <p>Builders validate each value when it is set and name the setting in the message; {@link Builder#build()}
 * rejects incompatible combinations. Builders are not thread-safe; built configs are.
 */
public final class StoreConfig {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final List<String> voters;
  private final String storeName;
  private final int basePort;
  private final int portRange;
  private final List<String> seeds;
  private final Duration operationTimeout;
  private final int maxValueBytes;
  private final int maxKeys;
  private final Duration minTtl;
  private final Duration maxTtl;
  private final Duration maxClockDrift;
  private final Path logDirectory;
  private final long maxLogBytes;
  private final boolean logFsync;
  private final Duration voteTimeout;
  private final int dedupMaxEntries;
  private final Duration dedupMaxAge;
  private final LongSupplier ticker;

  private StoreConfig(Builder b) {
    this.voters = List.copyOf(b.voters);
    this.storeName = b.storeName;
    this.basePort = b.basePort;
    this.portRange = b.portRange;
    this.seeds = List.copyOf(b.seeds);
    this.operationTimeout = b.operationTimeout;
    this.maxValueBytes = b.maxValueBytes;
    this.maxKeys = b.maxKeys;
    this.minTtl = b.minTtl;
    this.maxTtl = b.maxTtl;
    this.maxClockDrift = b.maxClockDrift;
    this.logDirectory = b.logDirectory;
    this.maxLogBytes = b.maxLogBytes;
    this.logFsync = b.logFsync;
    this.voteTimeout = b.voteTimeout;
    this.dedupMaxEntries = b.dedupMaxEntries;
    this.dedupMaxAge = b.dedupMaxAge;
    this.ticker = b.ticker;
  }

  /**
   * Starts a configuration with the node names of the voters: the members that run raft and hold the data.
   *
   * @param nodeNames 3 or 5 distinct node names (1 is accepted for development: no fault tolerance)
   * @return a builder
   * @throws IllegalArgumentException if the count is not 1, 3 or 5, or a name is blank or repeated
   */
  public static Builder voters(String... nodeNames) {
    Objects.requireNonNull(nodeNames, "nodeNames");
    return new Builder(List.of(nodeNames));
  }

  /**
   * Returns the voters' node names, in the configured order.
   *
   * @return the voters
   */
  public List<String> voters() {
    return voters;
  }

  /**
   * Returns the smallest number of voters that makes progress.
   *
   * @return {@code voters().size() / 2 + 1}
   */
  public int majority() {
    return voters.size() / 2 + 1;
  }

  /**
   * Returns the store name; several stores on one cluster need distinct names.
   *
   * @return the store name
   */
  public String storeName() {
    return storeName;
  }

  /**
   * Returns the first port of the raft transport, or 0 for the cluster's base port + 200.
   *
   * @return the base port
   */
  public int basePort() {
    return basePort;
  }

  /**
   * Returns how many ports from the base port the raft transport may bind and discovery probes, or 0 for the
   * cluster's port range.
   *
   * @return the range
   */
  public int portRange() {
    return portRange;
  }

  /**
   * Returns the {@code host:port} seeds of the voters' raft transports, for voters on several hosts; empty means the
   * port range on this member's bind address.
   *
   * @return the seeds
   */
  public List<String> seeds() {
    return seeds;
  }

  /**
   * Returns the bound on every operation, from the call to the answer.
   *
   * @return the timeout
   */
  public Duration operationTimeout() {
    return operationTimeout;
  }

  /**
   * Returns the largest value accepted by {@code put} and {@code compareAndSet}.
   *
   * @return the cap in bytes
   */
  public int maxValueBytes() {
    return maxValueBytes;
  }

  /**
   * Returns the cap on map keys, counters and leases together.
   *
   * @return the cap
   */
  public int maxKeys() {
    return maxKeys;
  }

  /**
   * Returns the shortest lease TTL accepted.
   *
   * @return the minimum TTL
   */
  public Duration minTtl() {
    return minTtl;
  }

  /**
   * Returns the longest lease TTL accepted.
   *
   * @return the maximum TTL
   */
  public Duration maxTtl() {
    return maxTtl;
  }

  /**
   * Returns the margin a holder subtracts from its lease's TTL: a lease acquired with TTL {@code t} at local time
   * {@code s} (taken before the request was sent) is held until {@code s + t - maxClockDrift} by the holder's clock.
   * It must cover the difference between the rates of the holder's and the leader's monotonic clocks over one TTL.
   *
   * @return the drift margin
   */
  public Duration maxClockDrift() {
    return maxClockDrift;
  }

  /**
   * Returns the directory of the on-disk raft log, or empty for the in-memory log.
   *
   * @return the directory
   */
  public Optional<Path> logDirectory() {
    return Optional.ofNullable(logDirectory);
  }

  /**
   * Returns the log size after which a voter snapshots its state and truncates its log.
   *
   * @return the bound in bytes
   */
  public long maxLogBytes() {
    return maxLogBytes;
  }

  /**
   * Returns whether the on-disk log is fsynced on every append.
   *
   * @return true to fsync
   */
  public boolean logFsync() {
    return logFsync;
  }

  /**
   * Returns how long a voting round waits for votes ({@code ELECTION2.vote_timeout}).
   *
   * @return the vote timeout
   */
  public Duration voteTimeout() {
    return voteTimeout;
  }

  /**
   * Returns how many recent write results the state machine keeps to answer a retried request (same request id)
   * with its first result instead of applying it twice.
   *
   * @return the bound on the table of recent requests
   */
  public int dedupMaxEntries() {
    return dedupMaxEntries;
  }

  /**
   * Returns how long, in store time, a write result is kept to answer a retried request; at least
   * {@link #operationTimeout()}, so that every retry of one call falls within it.
   *
   * @return the age bound on the table of recent requests
   */
  public Duration dedupMaxAge() {
    return dedupMaxAge;
  }

  /**
   * Returns the monotonic clock in nanoseconds used for deadlines, lease expiry and the leader's time stamps.
   *
   * @return the ticker
   */
  public LongSupplier ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "StoreConfig[voters=" + voters + ", name=" + storeName
        + (basePort == 0 ? "" : ", ports=" + basePort + "+" + portRange)
        + (seeds.isEmpty() ? "" : ", seeds=" + seeds)
        + ", timeout=" + operationTimeout + ", maxValueBytes=" + maxValueBytes + ", maxKeys=" + maxKeys
        + ", ttl=" + minTtl + ".." + maxTtl + ", maxClockDrift=" + maxClockDrift
        + ", dedup=" + dedupMaxEntries + "/" + dedupMaxAge
        + (logDirectory == null ? ", log=memory" : ", log=" + logDirectory) + "]";
  }

  /** Builds a {@link StoreConfig}; each setter validates its argument. */
  public static final class Builder {
    private final List<String> voters;
    private String storeName = "store";
    private int basePort;
    private int portRange;
    private final List<String> seeds = new ArrayList<>();
    private Duration operationTimeout = Duration.ofSeconds(5);
    private int maxValueBytes = 64 * 1024;
    private int maxKeys = 10_000;
    private Duration minTtl = Duration.ofSeconds(1);
    private Duration maxTtl = Duration.ofHours(1);
    private Duration maxClockDrift = Duration.ofMillis(200);
    private Path logDirectory;
    private long maxLogBytes = 1 << 20;
    private boolean logFsync = true;
    private Duration voteTimeout = Duration.ofMillis(600);
    private int dedupMaxEntries = 50_000;
    private Duration dedupMaxAge = Duration.ofMinutes(1);
    private LongSupplier ticker = System::nanoTime;

    private Builder(List<String> names) {
      if (names.size() != 1 && names.size() != 3 && names.size() != 5) {
        throw new IllegalArgumentException("voters must be 3 or 5 node names (1 for development): " + names);
      }
      LinkedHashSet<String> set = new LinkedHashSet<>();
      for (String n : names) {
        Objects.requireNonNull(n, "voter");
        if (n.isBlank() || n.contains(",")) {
          throw new IllegalArgumentException("voter name must not be blank or contain ',': '" + n + "'");
        }
        if (!set.add(n)) {
          throw new IllegalArgumentException("voter named twice: '" + n + "' in " + names);
        }
      }
      this.voters = List.copyOf(set);
    }

    /**
     * Sets the store name (default {@code store}).
     *
     * @param name 1..64 characters of {@code [A-Za-z0-9._-]}
     * @return this builder
     * @throws IllegalArgumentException if the name does not match
     */
    public Builder storeName(String name) {
      Objects.requireNonNull(name, "storeName");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("storeName must be 1..64 characters of [A-Za-z0-9._-]: '" + name + "'");
      }
      this.storeName = name;
      return this;
    }

    /**
     * Sets the raft transport's port range (default: the cluster's base port + 200 and its range).
     *
     * @param base the first port, 1..65535
     * @param range how many ports, 1..100
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder ports(int base, int range) {
      if (base < 1 || base > 65535) {
        throw new IllegalArgumentException("base port must be in 1..65535: " + base);
      }
      if (range < 1 || range > 100 || base + range - 1 > 65535) {
        throw new IllegalArgumentException("port range must be in 1..100 and end by 65535: " + range);
      }
      this.basePort = base;
      this.portRange = range;
      return this;
    }

    /**
     * Sets the {@code host:port} addresses of the voters' raft transports, for voters on several hosts.
     *
     * @param hostPorts one per voter, e.g. {@code 10.0.0.5:8000}
     * @return this builder
     * @throws IllegalArgumentException if an entry is not {@code host:port}
     */
    public Builder seeds(String... hostPorts) {
      seeds.clear();
      for (String s : hostPorts) {
        Objects.requireNonNull(s, "seed");
        int colon = s.lastIndexOf(':');
        int port;
        try {
          port = colon <= 0 ? -1 : Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
          port = -1;
        }
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("seed must be host:port with a port in 1..65535: '" + s + "'");
        }
        seeds.add(s);
      }
      return this;
    }

    /**
     * Sets the bound on every operation (default 5 s).
     *
     * @param timeout 10 ms..10 min
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder operationTimeout(Duration timeout) {
      this.operationTimeout = checkRange("operationTimeout", timeout, Duration.ofMillis(10), Duration.ofMinutes(10));
      return this;
    }

    /**
     * Sets the value size cap (default 64 KiB).
     *
     * @param bytes 1..1 MiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxValueBytes(int bytes) {
      if (bytes < 1 || bytes > 1 << 20) {
        throw new IllegalArgumentException("maxValueBytes must be in 1..1048576: " + bytes);
      }
      this.maxValueBytes = bytes;
      return this;
    }

    /**
     * Sets the cap on map keys, counters and leases together (default 10,000). Must be equal on every voter.
     *
     * @param keys 1..1,000,000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxKeys(int keys) {
      if (keys < 1 || keys > 1_000_000) {
        throw new IllegalArgumentException("maxKeys must be in 1..1000000: " + keys);
      }
      this.maxKeys = keys;
      return this;
    }

    /**
     * Sets the accepted lease TTLs (default 1 s..1 h).
     *
     * @param min the shortest TTL, at least 10 ms
     * @param max the longest TTL, at most 1 day, not below {@code min}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder ttlBounds(Duration min, Duration max) {
      checkRange("minTtl", min, Duration.ofMillis(10), Duration.ofDays(1));
      checkRange("maxTtl", max, min, Duration.ofDays(1));
      this.minTtl = min;
      this.maxTtl = max;
      return this;
    }

    /**
     * Sets the drift margin a holder subtracts from its lease (default 200 ms); see
     * {@link StoreConfig#maxClockDrift()}.
     *
     * @param drift 0..1 h
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxClockDrift(Duration drift) {
      this.maxClockDrift = checkRange("maxClockDrift", drift, Duration.ZERO, Duration.ofHours(1));
      return this;
    }

    /**
     * Keeps the raft log on disk (jgroups-raft's file log) in this directory, so a restarted voter recovers its
     * state from its snapshot and log; default in memory.
     *
     * @param dir the directory, created if missing
     * @return this builder
     */
    public Builder logDirectory(Path dir) {
      this.logDirectory = Objects.requireNonNull(dir, "logDirectory");
      return this;
    }

    /**
     * Sets the log size after which a voter snapshots and truncates its log (default 1 MiB).
     *
     * @param bytes 4 KiB..1 GiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxLogBytes(long bytes) {
      if (bytes < 4096 || bytes > 1L << 30) {
        throw new IllegalArgumentException("maxLogBytes must be in 4096..1073741824: " + bytes);
      }
      this.maxLogBytes = bytes;
      return this;
    }

    /**
     * Sets whether the on-disk log is fsynced on every append (default true).
     *
     * @param fsync true to fsync
     * @return this builder
     */
    public Builder logFsync(boolean fsync) {
      this.logFsync = fsync;
      return this;
    }

    /**
     * Sets how long a voting round waits for votes (default 600 ms).
     *
     * @param timeout 50 ms..1 min
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder voteTimeout(Duration timeout) {
      this.voteTimeout = checkRange("voteTimeout", timeout, Duration.ofMillis(50), Duration.ofMinutes(1));
      return this;
    }

    /**
     * Sets the window in which a retried write is recognised as a duplicate (default 50,000 entries, 1 min): the
     * state machine remembers the result of each write by its request id, for at most {@code maxAge} of store time
     * and at most {@code maxEntries} writes, and answers a duplicate with the first result. Each entry costs about
     * 100 bytes of heap on every voter and in every snapshot. A retry arriving after its entry left the window is
     * applied again, so size it for the write rate: {@code maxEntries / writes per second} should exceed the
     * operation timeout. Must be equal on every voter.
     *
     * @param maxEntries 1..1,000,000
     * @param maxAge 1 s..1 day, at least the operation timeout (checked by {@link #build()})
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder dedupWindow(int maxEntries, Duration maxAge) {
      if (maxEntries < 1 || maxEntries > 1_000_000) {
        throw new IllegalArgumentException("dedup maxEntries must be in 1..1000000: " + maxEntries);
      }
      this.dedupMaxAge = checkRange("dedup maxAge", maxAge, Duration.ofSeconds(1), Duration.ofDays(1));
      this.dedupMaxEntries = maxEntries;
      return this;
    }

    /**
     * Sets the monotonic clock in nanoseconds (default {@code System::nanoTime}); tests inject a controllable one.
     *
     * @param nanos the ticker
     * @return this builder
     */
    public Builder ticker(LongSupplier nanos) {
      this.ticker = Objects.requireNonNull(nanos, "ticker");
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     * @throws IllegalArgumentException if {@code maxClockDrift} is not below {@code minTtl}, or the dedup window's
     *     age is below the operation timeout
     */
    public StoreConfig build() {
      if (dedupMaxAge.compareTo(operationTimeout) < 0) {
        throw new IllegalArgumentException("dedup maxAge (" + dedupMaxAge + ") must be at least operationTimeout ("
            + operationTimeout + ")");
      }
      if (maxClockDrift.compareTo(minTtl) >= 0) {
        throw new IllegalArgumentException("maxClockDrift (" + maxClockDrift + ") must be below minTtl (" + minTtl
            + ")");
      }
      return new StoreConfig(this);
    }

    private static Duration checkRange(String name, Duration d, Duration min, Duration max) {
      Objects.requireNonNull(d, name);
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ": " + d);
      }
      return d;
    }
  }
}
