package io.dstk.membership;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.conf.XmlConfigurator;
import org.jgroups.protocols.TP;
import org.jgroups.stack.Protocol;

/**
 * The immutable, validated configuration of a {@link Cluster} member.
 *
 * <p>Start from a preset, adjust, then {@link Builder#build()}:
 *
 * <ul>
 *   <li>{@link #localhost(String)}: members on one machine, TCP on 127.0.0.1, no multicast, no port list to edit:
 *       each member binds the first free port of a small loopback range (default 7800..7819) and discovery probes that
 *       range ({@code TCPPING}), so JVMs started at the same moment find each other.
 *   <li>{@link #staticSeeds(String...)}: TCP, discovery through a fixed list of {@code host:port} seeds.
 *   <li>{@link #dns(String)}: TCP, discovery through the A records of a DNS name (Kubernetes headless service).
 *   <li>{@link #lan(String)}: UDP multicast on one LAN.
 *   <li>{@link #fromJGroupsXml(Path)}: your own JGroups stack; this module then only adds its naming, events and
 *       messaging on top.
 * </ul>
 *
 * <p>Every preset sets failure detection explicitly ({@code FD_SOCK2} bound to the same address as the transport,
 * {@code FD_ALL3}, {@code VERIFY_SUSPECT2}), merge checks ({@code MERGE3} with an explicit {@code check_interval}),
 * capped thread pools, {@code tcp_nodelay} and no diagnostics. A configuration that binds to a non-loopback address
 * without {@link Builder#security(ClusterSecurity)} is refused by {@link Builder#build()} unless
 * {@link Builder#insecure()} was called.
 *
 * <p>Builders validate each value when it is set and name the setting in the exception message; incompatible
 * combinations are refused by {@code build()}. Builders are not thread-safe; built configs are immutable.
 */
public final class ClusterConfig {

  /** How members find each other and talk. */
  enum Transport {
    LOCALHOST,
    STATIC_SEEDS,
    DNS,
    LAN,
    XML
  }

  /** The current wire version of this module's messages and member announcements. */
  static final int WIRE_VERSION = 1;

  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private final Builder b;

  private ClusterConfig(Builder b) {
    this.b = b.copy();
  }

  /**
   * Preset for members on one machine: TCP bound to 127.0.0.1, discovery over a loopback port range, fast failure
   * detection and merge checks. Safe without security since nothing leaves the machine.
   *
   * @param clusterName the cluster name; only members with the same name form a cluster
   * @return a builder to adjust
   * @throws IllegalArgumentException if the name is not 1..100 characters of {@code [A-Za-z0-9._-]}
   */
  public static Builder localhost(String clusterName) {
    Builder b = new Builder(Transport.LOCALHOST, clusterName);
    b.bindAddress = "127.0.0.1";
    b.basePort = 7800;
    b.portRange = 20;
    b.discoveryTimeout = Duration.ofMillis(500);
    b.mergeMinInterval = Duration.ofSeconds(1);
    b.mergeMaxInterval = Duration.ofSeconds(3);
    b.mergeCheckInterval = Duration.ofSeconds(4);
    b.heartbeatInterval = Duration.ofSeconds(1);
    b.heartbeatTimeout = Duration.ofSeconds(4);
    return b;
  }

  /**
   * Preset for TCP with a fixed list of seed members, e.g. {@code "10.0.0.5:7800"}. Set {@link Builder#bindAddress}
   * to this host's address.
   *
   * @param seeds {@code host:port} of the members to contact first (this member may be one of them)
   * @return a builder to adjust
   * @throws IllegalArgumentException if a seed is not {@code host:port} with a port in 1..65535
   */
  public static Builder staticSeeds(String... seeds) {
    Objects.requireNonNull(seeds, "seeds");
    if (seeds.length == 0) {
      throw new IllegalArgumentException("seeds must not be empty");
    }
    Builder b = new Builder(Transport.STATIC_SEEDS, "dstk");
    for (String seed : seeds) {
      b.seeds.add(checkSeed(seed));
    }
    b.bindAddress = null;
    return b;
  }

  /**
   * Preset for Kubernetes and other DNS-based discovery: TCP, members found through the A records of a DNS name
   * (JGroups {@code DNS_PING}); for Kubernetes use a headless service with {@code publishNotReadyAddresses: true}.
   * Set {@link Builder#bindAddress} to the pod address.
   *
   * @param serviceName the DNS name to resolve, e.g. {@code myapp-headless.default.svc.cluster.local}
   * @return a builder to adjust
   * @throws IllegalArgumentException if the name is blank
   */
  public static Builder dns(String serviceName) {
    Objects.requireNonNull(serviceName, "serviceName");
    if (serviceName.isBlank()) {
      throw new IllegalArgumentException("serviceName must not be blank: '" + serviceName + "'");
    }
    Builder b = new Builder(Transport.DNS, "dstk");
    b.dnsQuery = serviceName;
    b.bindAddress = null;
    return b;
  }

  /**
   * Preset for UDP multicast on one LAN. Set {@link Builder#bindAddress} to this host's LAN address. Security on
   * UDP needs a shared key ({@link ClusterSecurity#sharedKey}): JGroups' {@code SYM_ENCRYPT} and {@code AUTH}.
   *
   * @param multicastAddress the multicast group, e.g. {@code 239.8.8.8}
   * @return a builder to adjust
   * @throws IllegalArgumentException if the address is not a multicast address
   */
  public static Builder lan(String multicastAddress) {
    Objects.requireNonNull(multicastAddress, "multicastAddress");
    try {
      InetAddress a = InetAddress.getByName(multicastAddress);
      if (!a.isMulticastAddress()) {
        throw new IllegalArgumentException("multicastAddress is not a multicast address: " + multicastAddress);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("multicastAddress is unknown: " + multicastAddress, e);
    }
    Builder b = new Builder(Transport.LAN, "dstk");
    b.multicastAddress = multicastAddress;
    b.bindAddress = null;
    b.basePort = 45588;
    return b;
  }

  /**
   * Uses your own JGroups XML stack. {@link Builder#build()} reads and parses the file with JGroups' own XML parser
   * and checks that every protocol named in it exists and that the bottom one is a transport; {@link Cluster#join}
   * reads the file again to create the channel. Failure detection, merging, security and bind addresses are then
   * yours; the builder's transport settings are ignored.
   *
   * @param xml path of a JGroups XML configuration
   * @return a builder to adjust
   * @throws IllegalArgumentException if the file is not readable
   */
  public static Builder fromJGroupsXml(Path xml) {
    Objects.requireNonNull(xml, "xml");
    if (!Files.isReadable(xml) || !Files.isRegularFile(xml)) {
      throw new IllegalArgumentException("xml is not a readable file: " + xml);
    }
    Builder b = new Builder(Transport.XML, "dstk");
    b.xmlPath = xml;
    b.bindAddress = null;
    return b;
  }

  private static String checkSeed(String seed) {
    Objects.requireNonNull(seed, "seed");
    int colon = seed.lastIndexOf(':');
    if (colon <= 0 || colon == seed.length() - 1) {
      throw new IllegalArgumentException("seed must be host:port: '" + seed + "'");
    }
    int port;
    try {
      port = Integer.parseInt(seed.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("seed port is not a number: '" + seed + "'", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("seed port must be in 1..65535: '" + seed + "'");
    }
    return seed;
  }

  /** Resolves the host part of a {@code host:port} already checked by {@link #checkSeed}. */
  private static void resolveHost(String setting, String hostPort) {
    String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(setting + " has an unknown host: '" + host + "' in '" + hostPort + "'", e);
    }
  }

  /**
   * Parses a JGroups XML stack with JGroups' own parser (no DTDs, no external entities) and loads each protocol
   * class, so that a malformed file or an unknown protocol fails at build time rather than at join.
   */
  private static void checkJGroupsXml(Path xml) {
    List<ProtocolConfiguration> protocols;
    try (InputStream in = Files.newInputStream(xml)) {
      protocols = XmlConfigurator.getInstance(in).getProtocolStack();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("fromJGroupsXml file " + xml + " is not a readable JGroups stack: "
          + e.getMessage(), e);
    }
    if (protocols == null || protocols.isEmpty()) {
      throw new IllegalArgumentException("fromJGroupsXml file " + xml + " names no protocols");
    }
    for (int i = 0; i < protocols.size(); i++) {
      ProtocolConfiguration p = protocols.get(i);
      Class<?> type;
      try {
        type = p.loadProtocolClass(null);
      } catch (Exception e) {
        throw new IllegalArgumentException("fromJGroupsXml file " + xml + " names an unknown protocol '"
            + p.getProtocolName() + "'", e);
      }
      if (!Protocol.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException("fromJGroupsXml file " + xml + ": '" + p.getProtocolName()
            + "' is not a JGroups protocol");
      }
      if (i == 0 && !TP.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException("fromJGroupsXml file " + xml + ": the first protocol must be a "
            + "transport (UDP, TCP, ...), not '" + p.getProtocolName() + "'");
      }
    }
  }

  // ---- accessors ------------------------------------------------------------------------------------------------

  Transport transport() {
    return b.transport;
  }

  /**
   * Returns the cluster name.
   *
   * @return the cluster name
   */
  public String clusterName() {
    return b.clusterName;
  }

  /**
   * Returns this member's node name (default: {@code node-} and 8 random hex digits).
   *
   * @return the node name
   */
  public String nodeName() {
    return b.nodeName;
  }

  /**
   * Returns the metadata every member sees.
   *
   * @return an immutable map
   */
  public Map<String, String> metadata() {
    return Map.copyOf(b.metadata);
  }

  /**
   * Returns the bind address.
   *
   * @return the address, or empty for {@link #fromJGroupsXml}
   */
  public Optional<String> bindAddress() {
    return Optional.ofNullable(b.bindAddress);
  }

  /**
   * Returns the first port of the transport's port range.
   *
   * @return the base port (0 = ephemeral)
   */
  public int basePort() {
    return b.basePort;
  }

  /**
   * Returns how many ports from {@link #basePort()} the transport may bind and discovery probes.
   *
   * @return the port range
   */
  public int portRange() {
    return b.portRange;
  }

  List<String> seeds() {
    return List.copyOf(b.seeds);
  }

  String dnsQuery() {
    return b.dnsQuery;
  }

  String dnsServer() {
    return b.dnsServer;
  }

  String multicastAddress() {
    return b.multicastAddress;
  }

  Path xmlPath() {
    return b.xmlPath;
  }

  /**
   * Returns the bound on {@link Cluster#join(ClusterConfig)} (default 15 s).
   *
   * @return the join timeout
   */
  public Duration joinTimeout() {
    return b.joinTimeout;
  }

  /**
   * Returns how long a joining member waits for discovery responses (JGroups {@code GMS.join_timeout}).
   *
   * @return the discovery timeout
   */
  public Duration discoveryTimeout() {
    return b.discoveryTimeout;
  }

  /**
   * Returns the lower bound of the interval between merge probes ({@code MERGE3.min_interval}).
   *
   * @return the interval
   */
  public Duration mergeMinInterval() {
    return b.mergeMinInterval;
  }

  /**
   * Returns the upper bound of the interval between merge probes ({@code MERGE3.max_interval}).
   *
   * @return the interval
   */
  public Duration mergeMaxInterval() {
    return b.mergeMaxInterval;
  }

  /**
   * Returns how often the coordinator checks for diverging views ({@code MERGE3.check_interval}).
   *
   * @return the interval
   */
  public Duration mergeCheckInterval() {
    return b.mergeCheckInterval;
  }

  /**
   * Returns the heartbeat interval ({@code FD_ALL3.interval}).
   *
   * @return the interval
   */
  public Duration heartbeatInterval() {
    return b.heartbeatInterval;
  }

  /**
   * Returns how long without a heartbeat before a member is suspected ({@code FD_ALL3.timeout}); this bounds the
   * detection of a paused or unreachable member. A crashed process is detected sooner by its closed socket.
   *
   * @return the timeout
   */
  public Duration heartbeatTimeout() {
    return b.heartbeatTimeout;
  }

  /**
   * Returns how long a suspicion is verified before the member is removed ({@code VERIFY_SUSPECT2.timeout}).
   *
   * @return the timeout
   */
  public Duration verifySuspectTimeout() {
    return b.verifySuspectTimeout;
  }

  /**
   * Returns the cap of each thread pool (JGroups' and this module's messaging pool).
   *
   * @return the maximum number of threads
   */
  public int maxThreads() {
    return b.maxThreads;
  }

  /**
   * Returns the expected cluster size used for quorum, or 0 if quorum is not tracked or tracked by
   * {@link #voters()}.
   *
   * @return the expected member count
   */
  public int expectedMembers() {
    return b.expectedMembers;
  }

  /**
   * Returns the node names whose strict majority makes a quorum, in the order given.
   *
   * @return the voters, or an empty list if quorum is not tracked or tracked by {@link #expectedMembers()}
   */
  public List<String> voters() {
    return b.voters;
  }

  /**
   * Returns the executor that delivers membership events to listeners. Default: a pool of at most
   * {@link #maxThreads()} daemon threads owned and shut down by the cluster; each listener has at most one task on
   * it at a time.
   *
   * @return the executor, or empty for the default
   */
  public Optional<Executor> eventExecutor() {
    return Optional.ofNullable(b.eventExecutor);
  }

  /**
   * Returns the executor that runs message and request handlers and the dependent stages of request futures.
   * Default: a pool of at most {@link #maxThreads()} daemon threads with a queue of 10,000 tasks (messages beyond are
   * dropped and counted), owned and shut down by the cluster. With the default, a request handler that is quick runs
   * on the thread that received the request instead, which saves a thread hand-off per request: at most one run per
   * handler and {@code maxThreads / 4} runs in all at a time, and a handler whose run once took longer than 10 ms
   * goes to the pool from then on. An executor given here runs every handler.
   *
   * @return the executor, or empty for the default
   */
  public Optional<Executor> messageExecutor() {
    return Optional.ofNullable(b.messageExecutor);
  }

  /**
   * Returns the scheduler of request timeouts and retry backoff. Default: one daemon thread owned and shut down by
   * the cluster.
   *
   * @return the scheduler, or empty for the default
   */
  public Optional<ScheduledExecutorService> scheduler() {
    return Optional.ofNullable(b.scheduler);
  }

  /**
   * Returns the wall clock that stamps and checks the authentication tokens of the shared-key security (default:
   * the system clock).
   *
   * @return the clock
   */
  public InstantSource clock() {
    return b.clock;
  }

  /**
   * Returns the monotonic nanosecond ticker that measures request latency and places request timeouts on the
   * scheduler (default: {@link System#nanoTime()}).
   *
   * @return the ticker
   */
  public LongSupplier ticker() {
    return b.ticker;
  }

  /**
   * Returns the capacity of each listener's event queue (default 1024).
   *
   * @return the capacity
   */
  public int listenerQueueCapacity() {
    return b.listenerQueueCapacity;
  }

  /**
   * Returns the largest payload accepted in a message (default 1 MiB); larger incoming payloads are dropped.
   *
   * @return the cap in bytes
   */
  public int maxMessageBytes() {
    return b.maxMessageBytes;
  }

  /**
   * Returns the default request policy.
   *
   * @return the policy
   */
  public RequestPolicy requestPolicy() {
    return b.requestPolicy;
  }

  /**
   * Returns the security settings.
   *
   * @return the settings, or empty if the cluster runs without authentication and encryption
   */
  public Optional<ClusterSecurity> security() {
    return Optional.ofNullable(b.security);
  }

  int wireVersion() {
    return b.wireVersion;
  }

  @Override
  public String toString() {
    return "ClusterConfig[" + b.transport + ", cluster=" + b.clusterName + ", node=" + b.nodeName
        + (b.bindAddress == null ? "" : ", bind=" + b.bindAddress)
        + (b.transport == Transport.XML ? ", xml=" + b.xmlPath : ", ports=" + b.basePort + "+" + b.portRange)
        + (b.expectedMembers > 0 ? ", expectedMembers=" + b.expectedMembers : "")
        + (b.voters.isEmpty() ? "" : ", voters=" + b.voters)
        + (b.security != null ? ", " + b.security : b.insecure ? ", insecure" : "") + "]";
  }

  /**
   * Builds a {@link ClusterConfig}; obtained from a preset. Each setter validates its value and names it in the
   * exception message.
   */
  public static final class Builder {
    private final Transport transport;
    private String clusterName;
    private String nodeName = "node-" + UUID.randomUUID().toString().substring(0, 8);
    private Map<String, String> metadata = new LinkedHashMap<>();
    private String bindAddress;
    private int basePort = 7800;
    private int portRange = 10;
    private List<String> seeds = new java.util.ArrayList<>();
    private String dnsQuery;
    private String dnsServer;
    private String multicastAddress;
    private Path xmlPath;
    private Duration joinTimeout = Duration.ofSeconds(15);
    private Duration discoveryTimeout = Duration.ofSeconds(2);
    private Duration mergeMinInterval = Duration.ofSeconds(2);
    private Duration mergeMaxInterval = Duration.ofSeconds(5);
    private Duration mergeCheckInterval = Duration.ofSeconds(8);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration heartbeatTimeout = Duration.ofSeconds(6);
    private Duration verifySuspectTimeout = Duration.ofMillis(500);
    private int maxThreads = 16;
    private int expectedMembers;
    private List<String> voters = List.of();
    private Executor eventExecutor;
    private Executor messageExecutor;
    private ScheduledExecutorService scheduler;
    private InstantSource clock = InstantSource.system();
    private LongSupplier ticker = System::nanoTime;
    private int listenerQueueCapacity = 1024;
    private int maxMessageBytes = 1 << 20;
    private RequestPolicy requestPolicy = RequestPolicy.defaults();
    private ClusterSecurity security;
    private boolean insecure;
    private int wireVersion = WIRE_VERSION;

    private Builder(Transport transport, String clusterName) {
      this.transport = transport;
      clusterName(clusterName);
    }

    private Builder copy() {
      Builder c = new Builder(transport, clusterName);
      c.nodeName = nodeName;
      c.metadata = new LinkedHashMap<>(metadata);
      c.bindAddress = bindAddress;
      c.basePort = basePort;
      c.portRange = portRange;
      c.seeds = new java.util.ArrayList<>(seeds);
      c.dnsQuery = dnsQuery;
      c.dnsServer = dnsServer;
      c.multicastAddress = multicastAddress;
      c.xmlPath = xmlPath;
      c.joinTimeout = joinTimeout;
      c.discoveryTimeout = discoveryTimeout;
      c.mergeMinInterval = mergeMinInterval;
      c.mergeMaxInterval = mergeMaxInterval;
      c.mergeCheckInterval = mergeCheckInterval;
      c.heartbeatInterval = heartbeatInterval;
      c.heartbeatTimeout = heartbeatTimeout;
      c.verifySuspectTimeout = verifySuspectTimeout;
      c.maxThreads = maxThreads;
      c.expectedMembers = expectedMembers;
      c.voters = voters;
      c.eventExecutor = eventExecutor;
      c.messageExecutor = messageExecutor;
      c.scheduler = scheduler;
      c.clock = clock;
      c.ticker = ticker;
      c.listenerQueueCapacity = listenerQueueCapacity;
      c.maxMessageBytes = maxMessageBytes;
      c.requestPolicy = requestPolicy;
      c.security = security;
      c.insecure = insecure;
      c.wireVersion = wireVersion;
      return c;
    }

    /**
     * Sets the cluster name; only members with the same name form a cluster.
     *
     * @param name 1..100 characters of {@code [A-Za-z0-9._-]}
     * @return this builder
     */
    public Builder clusterName(String name) {
      Objects.requireNonNull(name, "clusterName");
      if (!CLUSTER_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "clusterName must be 1..100 characters of [A-Za-z0-9._-]: '" + name + "'");
      }
      this.clusterName = name;
      return this;
    }

    /**
     * Sets this member's node name, unique within the cluster.
     *
     * @param name 1..100 characters, no control characters
     * @return this builder
     */
    public Builder nodeName(String name) {
      Objects.requireNonNull(name, "nodeName");
      if (name.isBlank() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(
            "nodeName must be 1..100 characters without control characters: '" + name + "'");
      }
      this.nodeName = name;
      return this;
    }

    /**
     * Adds one metadata entry that every member sees (e.g. zone). At most 16 entries and 1024 UTF-8 bytes in all.
     *
     * @param key the key, not blank
     * @param value the value
     * @return this builder
     */
    public Builder metadata(String key, String value) {
      Objects.requireNonNull(key, "metadata key");
      Objects.requireNonNull(value, "metadata value");
      if (key.isBlank()) {
        throw new IllegalArgumentException("metadata key must not be blank: '" + key + "'");
      }
      Map<String, String> next = new LinkedHashMap<>(metadata);
      next.put(key, value);
      int bytes = 0;
      for (Map.Entry<String, String> e : next.entrySet()) {
        bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length
            + e.getValue().getBytes(StandardCharsets.UTF_8).length;
      }
      if (next.size() > 16 || bytes > 1024) {
        throw new IllegalArgumentException("metadata must have at most 16 entries and 1024 bytes: adding '"
            + key + "' gives " + next.size() + " entries, " + bytes + " bytes");
      }
      this.metadata = next;
      return this;
    }

    /**
     * Sets the address the transport and failure detection bind to.
     *
     * @param address an IP literal or host name of this machine
     * @return this builder
     */
    public Builder bindAddress(String address) {
      Objects.requireNonNull(address, "bindAddress");
      try {
        InetAddress.getByName(address);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("bindAddress is an unknown host: '" + address + "'", e);
      }
      this.bindAddress = address;
      return this;
    }

    /**
     * Sets the port range: the transport binds the first free port of {@code basePort..basePort+range-1}, and the
     * {@link #localhost} preset probes all of them.
     *
     * @param basePort 1..65535 (0 = ephemeral, only without {@link #localhost} discovery)
     * @param range 1..100
     * @return this builder
     */
    public Builder ports(int basePort, int range) {
      if (basePort < 0 || basePort > 65535) {
        throw new IllegalArgumentException("basePort must be in 0..65535: " + basePort);
      }
      if (range < 1 || range > 100 || basePort + range - 1 > 65535) {
        throw new IllegalArgumentException("port range must be in 1..100 and end at or below 65535: " + range);
      }
      this.basePort = basePort;
      this.portRange = range;
      return this;
    }

    /**
     * Sets the DNS server the {@link #dns} preset asks (default: the system's resolver configuration). Its host is
     * resolved by {@link #build()}.
     *
     * @param hostPort {@code host:port} of the DNS server
     * @return this builder
     * @throws IllegalArgumentException if not {@code host:port} with a port in 1..65535, or not the dns preset
     */
    public Builder dnsServer(String hostPort) {
      if (transport != Transport.DNS) {
        throw new IllegalArgumentException("dnsServer applies only to the dns preset, not " + transport);
      }
      this.dnsServer = checkSeed(hostPort);
      return this;
    }

    /**
     * Sets the bound on a blocking join (default 15 s).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder joinTimeout(Duration timeout) {
      this.joinTimeout = positive("joinTimeout", timeout);
      return this;
    }

    /**
     * Sets how long a joining member waits for discovery responses.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder discoveryTimeout(Duration timeout) {
      this.discoveryTimeout = positive("discoveryTimeout", timeout);
      return this;
    }

    /**
     * Sets the merge probe intervals and the view consistency check interval.
     *
     * @param minInterval lower bound between probes, positive
     * @param maxInterval upper bound between probes, greater than {@code minInterval}
     * @param checkInterval how often the coordinator checks, greater than {@code maxInterval}
     * @return this builder
     */
    public Builder merge(Duration minInterval, Duration maxInterval, Duration checkInterval) {
      positive("mergeMinInterval", minInterval);
      positive("mergeMaxInterval", maxInterval);
      positive("mergeCheckInterval", checkInterval);
      if (maxInterval.compareTo(minInterval) <= 0) {
        throw new IllegalArgumentException(
            "mergeMaxInterval must be greater than mergeMinInterval: " + maxInterval + " <= " + minInterval);
      }
      if (checkInterval.compareTo(maxInterval) <= 0) {
        throw new IllegalArgumentException(
            "mergeCheckInterval must be greater than mergeMaxInterval: " + checkInterval + " <= " + maxInterval);
      }
      this.mergeMinInterval = minInterval;
      this.mergeMaxInterval = maxInterval;
      this.mergeCheckInterval = checkInterval;
      return this;
    }

    /**
     * Sets failure detection timings.
     *
     * @param heartbeatInterval how often heartbeats are sent, positive
     * @param heartbeatTimeout silence before suspicion, at least twice the interval
     * @param verifySuspectTimeout how long a suspicion is verified, positive
     * @return this builder
     */
    public Builder failureDetection(Duration heartbeatInterval, Duration heartbeatTimeout,
        Duration verifySuspectTimeout) {
      positive("heartbeatInterval", heartbeatInterval);
      positive("heartbeatTimeout", heartbeatTimeout);
      positive("verifySuspectTimeout", verifySuspectTimeout);
      if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException("heartbeatTimeout must be at least twice heartbeatInterval: "
            + heartbeatTimeout + " < 2 x " + heartbeatInterval);
      }
      this.heartbeatInterval = heartbeatInterval;
      this.heartbeatTimeout = heartbeatTimeout;
      this.verifySuspectTimeout = verifySuspectTimeout;
      return this;
    }

    /**
     * Caps each thread pool.
     *
     * @param max 2..1000 (default 16)
     * @return this builder
     */
    public Builder maxThreads(int max) {
      if (max < 2 || max > 1000) {
        throw new IllegalArgumentException("maxThreads must be in 2..1000: " + max);
      }
      this.maxThreads = max;
      return this;
    }

    /**
     * Sets the expected cluster size for quorum: the view has quorum when it holds more than half of it.
     *
     * @param n 1..10000, or 0 to not track quorum
     * @return this builder
     */
    public Builder expectedMembers(int n) {
      if (n < 0 || n > 10_000) {
        throw new IllegalArgumentException("expectedMembers must be in 0..10000: " + n);
      }
      this.expectedMembers = n;
      return this;
    }

    /**
     * Tracks quorum by an explicit list of voters instead of {@link #expectedMembers(int)}: the view has quorum when
     * it holds a strict majority of the named voters (members not in the list count for nothing). Use it when the
     * cluster has a fixed core of members (e.g. {@code "n1", "n2", "n3"}) and others come and go.
     *
     * @param nodeNames 1..10000 distinct, non-blank node names
     * @return this builder
     * @throws IllegalArgumentException if the list is empty, too long, or has a blank or repeated name
     */
    public Builder voters(String... nodeNames) {
      Objects.requireNonNull(nodeNames, "voters");
      if (nodeNames.length == 0 || nodeNames.length > 10_000) {
        throw new IllegalArgumentException("voters must name 1..10000 node names: " + nodeNames.length);
      }
      java.util.LinkedHashSet<String> distinct = new java.util.LinkedHashSet<>();
      for (String n : nodeNames) {
        Objects.requireNonNull(n, "voter");
        if (n.isBlank()) {
          throw new IllegalArgumentException("voters must not contain a blank name: '" + n + "'");
        }
        if (!distinct.add(n)) {
          throw new IllegalArgumentException("voters must be distinct: '" + n + "' appears twice");
        }
      }
      this.voters = List.copyOf(distinct);
      return this;
    }

    /**
     * Sets the executor that delivers membership events to listeners. The cluster does not shut it down.
     *
     * @param executor the executor; each listener has at most one task on it at a time
     * @return this builder
     */
    public Builder eventExecutor(Executor executor) {
      this.eventExecutor = Objects.requireNonNull(executor, "eventExecutor");
      return this;
    }

    /**
     * Sets the executor that runs message and request handlers and the dependent stages of request futures. The
     * cluster does not shut it down. A rejected message task drops the message (counted in {@link ClusterStats}).
     *
     * <p>{@code Runnable::run} removes the thread hand-off of a request on its receiver: handlers then run, and the
     * dependent stages of request futures too, on JGroups' receiving threads. Only for handlers and dependent stages
     * that never block: a blocked JGroups thread delays every message behind it.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder messageExecutor(Executor executor) {
      this.messageExecutor = Objects.requireNonNull(executor, "messageExecutor");
      return this;
    }

    /**
     * Sets the scheduler of request timeouts and retry backoff, e.g. one whose time a test controls. The cluster
     * does not shut it down.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets the wall clock of the shared-key authentication tokens (their time must be within 5 minutes of the
     * receiver's clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the monotonic nanosecond ticker that measures request latency and places request timeouts on the
     * scheduler.
     *
     * @param ticker returns nanoseconds from an arbitrary origin, never decreasing
     * @return this builder
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets the capacity of each listener's queue.
     *
     * @param capacity 1..1000000
     * @return this builder
     */
    public Builder listenerQueueCapacity(int capacity) {
      if (capacity < 1 || capacity > 1_000_000) {
        throw new IllegalArgumentException("listenerQueueCapacity must be in 1..1000000: " + capacity);
      }
      this.listenerQueueCapacity = capacity;
      return this;
    }

    /**
     * Caps the payload of one message.
     *
     * @param bytes 1..64 MiB
     * @return this builder
     */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1 || bytes > 64 << 20) {
        throw new IllegalArgumentException("maxMessageBytes must be in 1..67108864: " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /**
     * Sets the default request policy.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder requestPolicy(RequestPolicy policy) {
      this.requestPolicy = Objects.requireNonNull(policy, "requestPolicy");
      return this;
    }

    /**
     * Turns on authentication and encryption: mutual TLS on the TCP presets when TLS stores are set, otherwise the
     * shared key ({@code SYM_ENCRYPT} + {@code AUTH}); always the shared key on {@link #lan}. See
     * {@link ClusterSecurity}.
     *
     * @param settings the credentials
     * @return this builder
     */
    public Builder security(ClusterSecurity settings) {
      this.security = Objects.requireNonNull(settings, "security");
      return this;
    }

    /**
     * Accepts running without security on a non-loopback address. Anyone who can reach the port can then join, read
     * and write.
     *
     * @return this builder
     */
    public Builder insecure() {
      this.insecure = true;
      return this;
    }

    Builder wireVersion(int version) {
      if (version < 1 || version > 255) {
        throw new IllegalArgumentException("wireVersion must be in 1..255: " + version);
      }
      this.wireVersion = version;
      return this;
    }

    /**
     * Validates the combination and builds the config. This resolves the host of every seed of
     * {@link #staticSeeds} and of {@link #dnsServer}, and reads and parses the file of {@link #fromJGroupsXml}.
     *
     * @return the config
     * @throws IllegalArgumentException if a required setting is missing or settings conflict, naming them (e.g.
     *     {@code lan} with TLS-only security, security with {@code fromJGroupsXml}, both {@code expectedMembers} and
     *     {@code voters}); if a seed or DNS server host is unknown; if the XML file is unreadable, malformed or names
     *     an unknown protocol
     */
    public ClusterConfig build() {
      if (transport != Transport.XML) {
        if (bindAddress == null) {
          throw new IllegalArgumentException("bindAddress must be set for the " + transport.name().toLowerCase()
              + " preset (this host's address; never all interfaces by accident)");
        }
        InetAddress a;
        try {
          a = InetAddress.getByName(bindAddress);
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("bindAddress is an unknown host: '" + bindAddress + "'", e);
        }
        if (a.isAnyLocalAddress()) {
          throw new IllegalArgumentException("bindAddress must not be the wildcard address: " + bindAddress);
        }
        if (!a.isLoopbackAddress() && security == null && !insecure) {
          throw new IllegalArgumentException("bindAddress " + bindAddress
              + " is not loopback: set security(...) or call insecure() to run without authentication");
        }
        if (transport == Transport.LOCALHOST && basePort == 0) {
          throw new IllegalArgumentException("basePort must not be 0 for the localhost preset: discovery probes "
              + "the port range");
        }
      }
      if (transport == Transport.LAN && security != null && !security.hasSharedKey()) {
        throw new IllegalArgumentException("security for the lan (UDP) preset needs a shared secret key, TLS does "
            + "not apply to UDP: use ClusterSecurity.sharedKey(...) or mutualTls(...).withSharedKey(...)");
      }
      if (transport == Transport.XML && security != null) {
        throw new IllegalArgumentException("security does not apply to fromJGroupsXml: configure TLS, SYM_ENCRYPT "
            + "or AUTH in the XML itself");
      }
      if (expectedMembers > 0 && !voters.isEmpty()) {
        throw new IllegalArgumentException("set either expectedMembers (" + expectedMembers + ") or voters "
            + voters + ", not both");
      }
      if (mergeCheckInterval.compareTo(mergeMaxInterval) <= 0) {
        throw new IllegalArgumentException("mergeCheckInterval must be greater than mergeMaxInterval: "
            + mergeCheckInterval + " <= " + mergeMaxInterval);
      }
      for (String seed : seeds) {
        resolveHost("seed", seed);
      }
      if (dnsServer != null) {
        resolveHost("dnsServer", dnsServer);
      }
      if (transport == Transport.XML) {
        checkJGroupsXml(xmlPath);
      }
      return new ClusterConfig(this);
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
