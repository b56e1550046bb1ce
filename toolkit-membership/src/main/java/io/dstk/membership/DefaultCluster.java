package io.dstk.membership;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.Policy;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import io.dstk.membership.internal.DeadlineBuckets;
import io.dstk.membership.internal.DirectRunGate;
import io.dstk.membership.internal.Envelope;
import io.dstk.membership.internal.MemberInfo;
import io.dstk.membership.internal.ResponseFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.IpAddress;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 * - Each member's name, wire version and metadata travel inside its JGroups address (ExtendedUUID), so a view names
 *   every member without an extra round of messages.
 * - A member whose name repeats an older member's name, or whose wire version is incompatible, is hidden from the
 *   views of everyone else; the joiner itself checks its first view and leaves with a typed exception.
 * - viewAccepted runs on a JGroups thread: it only computes the new snapshot and queues events. Messages are decoded
 *   on the JGroups thread (cheap, capped) and handled on our bounded messaging pool.
 */
final class DefaultCluster implements Cluster, Receiver {
  static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
  private static final ClusterView NO_VIEW = new ClusterView(-1, List.of());
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  /** A request fails at most this long after its timeout. */
  private static final long TIMEOUT_RESOLUTION_NANOS = 10_000_000L;

  private record Snapshot(ClusterView view, Map<Address, Member> byAddress, Map<String, Address> addressByName,
      boolean quorum) {}

  /** A request awaiting its response until {@code deadline} (ticker nanos). */
  private record Pending(Address target, String targetName, String endpoint, Duration timeout, long deadline,
      CompletableFuture<byte[]> future) {}

  private record TopicBinding(Topic<?> topic, MessageHandler<?> handler, Executor executor) {}

  private record EndpointBinding(Endpoint<?, ?> endpoint, RequestHandler<?, ?> handler, Executor executor,
      DirectRunGate.Slot direct) {}

  /** How long a request handler may run on a receiving thread before it is handed to the pool for good. */
  static final long DIRECT_RUN_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** Per-topic traffic counters. */
  static final class TopicCounters {
    final LongAdder messagesOut = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder messagesIn = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
  }

  private final ClusterConfig config;
  private final JChannel channel;
  private final Executor events;
  private final Executor messaging;
  /** Quick request handlers on the cluster's own pool run on the receiving thread instead; null if not. */
  private final DirectRunGate directRuns;
  private final ScheduledExecutorService scheduler;
  /** Request timeouts: one scheduled task per 10 ms of deadlines, not one per request. */
  private final DeadlineBuckets timeouts;
  private final List<ExecutorService> ownedExecutors = new ArrayList<>();
  private final LongSupplier ticker;
  private final JoinObserver joinObserver = new JoinObserver();
  private final CopyOnWriteArrayList<ListenerQueue> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<String, TopicBinding> topics = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, EndpointBinding> endpoints = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CircuitBreaker<byte[]>> breakers = new ConcurrentHashMap<>();
  private final Set<Address> leaving = ConcurrentHashMap.newKeySet();
  private final AtomicLong correlation = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object viewLock = new Object();
  private volatile Snapshot snapshot = new Snapshot(NO_VIEW, Map.of(), Map.of(), false);
  private final Set<Address> awaitingLeaveAcks = ConcurrentHashMap.newKeySet();
  private final CountDownLatch leaveAcked = new CountDownLatch(1);
  private volatile LongConsumer latencyObserver = nanos -> {};

  final ConcurrentHashMap<String, TopicCounters> topicCounters = new ConcurrentHashMap<>();
  private final SuspicionObserver suspicionObserver;
  private volatile java.util.function.Consumer<String> topicObserver = topic -> {};
  private final LongAdder viewChanges = new LongAdder();
  private final LongAdder removals = new LongAdder();
  private final LongAdder merges = new LongAdder();
  private final LongAdder messagesSent = new LongAdder();
  private final LongAdder bytesSent = new LongAdder();
  private final LongAdder messagesReceived = new LongAdder();
  private final LongAdder bytesReceived = new LongAdder();
  private final LongAdder messagesDropped = new LongAdder();
  private final LongAdder requestFailures = new LongAdder();

  private DefaultCluster(ClusterConfig config, JChannel channel) {
    this.config = config;
    this.channel = channel;
    this.suspicionObserver = new SuspicionObserver(config.clusterName());
    String id = config.nodeName() + "-" + INSTANCES.incrementAndGet();
    this.ticker = config.ticker();
    this.events = config.eventExecutor().orElseGet(() -> {
      // at most one task per listener is queued, so the unbounded queue is bounded by the listener count
      ThreadPoolExecutor pool = new ThreadPoolExecutor(config.maxThreads(), config.maxThreads(), 30,
          TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads("dstk-membership-events-" + id));
      pool.allowCoreThreadTimeOut(true);
      ownedExecutors.add(pool);
      return pool;
    });
    this.messaging = config.messageExecutor().orElseGet(() -> {
      ThreadPoolExecutor pool = new ThreadPoolExecutor(config.maxThreads(), config.maxThreads(), 30,
          TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), threads("dstk-membership-messaging-" + id));
      pool.allowCoreThreadTimeOut(true);
      ownedExecutors.add(pool);
      return pool;
    });
    this.directRuns = config.messageExecutor().isPresent() ? null
        : new DirectRunGate(Math.max(1, config.maxThreads() / 4), DIRECT_RUN_BUDGET_NANOS, System::nanoTime);
    this.scheduler = config.scheduler().orElseGet(() -> {
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
          threads("dstk-membership-timer-" + id));
      timer.setRemoveOnCancelPolicy(true); // Failsafe cancels the backoff of retries that are not needed
      ownedExecutors.add(timer);
      return timer;
    });
    this.timeouts = new DeadlineBuckets(scheduler, TIMEOUT_RESOLUTION_NANOS, this::expireRequests);
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ---- join ---------------------------------------------------------------------------------------------------

  static CompletableFuture<Cluster> joinAsync(ClusterConfig config) {
    Objects.requireNonNull(config, "config");
    CompletableFuture<Cluster> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        DefaultCluster c = connect(config);
        if (!result.complete(c)) {
          c.close();
        }
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "dstk-membership-join-" + config.nodeName());
    t.setDaemon(true);
    t.start();
    return result;
  }

  static Cluster join(ClusterConfig config) {
    CompletableFuture<Cluster> f = joinAsync(config);
    try {
      return f.get(config.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new JoinFailedException("join of '" + config.nodeName() + "' to cluster '" + config.clusterName()
          + "' did not complete within joinTimeout " + config.joinTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(false);
      throw new JoinFailedException("interrupted while joining cluster '" + config.clusterName() + "'", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new JoinFailedException("join of '" + config.nodeName() + "' failed: " + cause, cause);
    }
  }

  private static DefaultCluster connect(ClusterConfig config) {
    JChannel ch;
    try {
      ch = JGroupsStack.open(config);
    } catch (Exception e) {
      throw new JoinFailedException("could not create the JGroups stack for " + config + ": " + e.getMessage(), e);
    }
    byte[] info = new MemberInfo(config.wireVersion(), config.nodeName(), config.metadata()).encode();
    ch.name(config.nodeName());
    ch.addAddressGenerator(() -> ExtendedUUID.randomUUID(config.nodeName()).put(MemberInfo.KEY, info));
    DefaultCluster c = new DefaultCluster(config, ch);
    ch.setReceiver(c);
    if (ch.getProtocolStack().findProtocol(VERIFY_SUSPECT2.class) != null) {
      try {
        ch.getProtocolStack().insertProtocol(c.suspicionObserver, ProtocolStack.Position.BELOW, VERIFY_SUSPECT2.class);
      } catch (Exception e) {
        LOG.debug("could not insert the suspicion observer", e);
      }
    }
    if (ch.getProtocolStack().findProtocol(GMS.class) != null) {
      try {
        ch.getProtocolStack().insertProtocol(c.joinObserver, ProtocolStack.Position.BELOW, GMS.class);
      } catch (Exception e) {
        LOG.debug("could not insert the join observer", e);
      }
    }
    try {
      ch.connect(config.clusterName());
    } catch (Exception e) {
      c.shutdown();
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof SecurityException) {
          throw new AuthenticationFailedException("cluster '" + config.clusterName() + "' refused '"
              + config.nodeName() + "': " + t.getMessage(), e);
        }
      }
      throw new JoinFailedException("could not join cluster '" + config.clusterName() + "' as '"
          + config.nodeName() + "': " + e.getMessage(), e);
    }
    View first = ch.getView();
    c.viewAccepted(first);
    try {
      c.checkFirstView(first);
      c.checkNotRefused(first);
    } catch (JoinFailedException e) {
      c.shutdown();
      throw e;
    }
    LOG.info("joined cluster '{}' as '{}': {}", config.clusterName(), config.nodeName(), c.snapshot.view());
    return c;
  }

  private void checkFirstView(View v) {
    Address self = channel.getAddress();
    Map<String, Address> olderNames = new HashMap<>();
    for (Address a : v.getMembers()) {
      if (a.equals(self)) {
        break;
      }
      MemberInfo other = MemberInfo.of(a);
      if (other == null) {
        continue;
      }
      if (!compatible(other.wireVersion())) {
        throw new IncompatibleWireVersionException("member '" + other.name() + "' speaks wire version "
            + other.wireVersion() + ", this member speaks " + config.wireVersion()
            + " (a member accepts its own version and the previous one)");
      }
      olderNames.put(other.name(), a);
    }
    if (olderNames.containsKey(config.nodeName())) {
      throw new DuplicateMemberNameException("node name '" + config.nodeName() + "' is already taken in cluster '"
          + config.clusterName() + "'");
    }
  }

  /** With security on, ending alone although peers were found means they refused this member's credentials. */
  private void checkNotRefused(View first) {
    if (first.size() != 1 || config.security().isEmpty()) {
      return;
    }
    int requests = joinObserver.joinRequests();
    if (requests >= JGroupsStack.MAX_JOIN_ATTEMPTS - 1) {
      throw new AuthenticationFailedException("'" + config.nodeName() + "' found members of cluster '"
          + config.clusterName() + "' but none answered its " + requests + " join requests: they do not hold the "
          + "same shared key (or were too busy to answer within discoveryTimeout " + config.discoveryTimeout() + ")");
    }
    if (JGroupsStack.usesTls(config)) {
      Object own = channel.down(new Event(Event.GET_PHYSICAL_ADDRESS, channel.getAddress()));
      int ownPort = own instanceof IpAddress ip ? ip.getPort() : -1;
      List<String> refused = TlsProbe.refusingPeers(config, ownPort);
      if (!refused.isEmpty()) {
        throw new AuthenticationFailedException("'" + config.nodeName() + "' joined cluster '"
            + config.clusterName() + "' alone because the TLS handshake failed with " + refused
            + ": its certificate is not trusted by them, or theirs not by it");
      }
    }
  }

  private boolean compatible(int otherVersion) {
    return Math.abs(otherVersion - config.wireVersion()) <= 1;
  }

  // ---- views --------------------------------------------------------------------------------------------------

  @Override
  public void viewAccepted(View v) {
    synchronized (viewLock) {
      if (awaitingLeaveAcks.retainAll(v.getMembers()) && awaitingLeaveAcks.isEmpty()) {
        leaveAcked.countDown();
      }
      Snapshot old = snapshot;
      if (closed.get() || !v.containsMember(channel.getAddress())) {
        return; // our own leave: the coordinator's last view excludes itself
      }
      if (old.view().id() >= v.getViewId().getId() && !old.view().members().isEmpty()) {
        return; // already handled (the join path calls us with the first view too)
      }
      Address self = channel.getAddress();
      List<Member> members = new ArrayList<>();
      Map<Address, Member> byAddress = new HashMap<>();
      Map<String, Address> byName = new HashMap<>();
      List<Integer> olderVersions = new ArrayList<>();
      for (Address a : v.getMembers()) {
        MemberInfo info = MemberInfo.of(a);
        if (info == null) {
          LOG.debug("ignoring member {} without dstk member info", a);
          continue;
        }
        boolean isSelf = a.equals(self);
        int version = info.wireVersion();
        // the joiner's own check (checkFirstView): it refuses itself, and leaves, if an older member is more than one
        // version away; members that would accept it hide it too, so that no member ever shows it
        boolean refusesItself = olderVersions.stream().anyMatch(older -> Math.abs(older - version) > 1);
        olderVersions.add(version);
        if (!isSelf && byName.containsKey(info.name())) {
          LOG.error("hiding member {} at {}: its node name is already taken by an older member", info.name(), a);
          continue;
        }
        if (!isSelf && !compatible(version)) {
          LOG.error("hiding member {}: wire version {} is incompatible with {}", info.name(), version,
              config.wireVersion());
          continue;
        }
        if (!isSelf && refusesItself) {
          LOG.error("hiding member {}: wire version {} is incompatible with an older member's, so it refuses to join",
              info.name(), version);
          continue;
        }
        Member m = new Member(info.name(), addressText(a), members.size(), info.metadata());
        members.add(m);
        byAddress.put(a, m);
        byName.putIfAbsent(info.name(), a);
      }
      ClusterView nv = new ClusterView(v.getViewId().getId(), members);
      boolean quorum = hasQuorum(members);
      snapshot = new Snapshot(nv, Map.copyOf(byAddress), Map.copyOf(byName), quorum);
      viewChanges.increment();

      List<MembershipEvent> out = new ArrayList<>();
      ClusterView ov = old.view();
      for (Map.Entry<Address, Member> e : old.byAddress().entrySet()) {
        if (!byAddress.containsKey(e.getKey())) {
          if (leaving.remove(e.getKey())) {
            out.add(new MembershipEvent.MemberLeft(e.getValue(), ov, nv));
            LOG.info("member {} left cluster '{}'", e.getValue().name(), config.clusterName());
          } else {
            removals.increment();
            out.add(new MembershipEvent.MemberRemoved(e.getValue(), ov, nv));
            LOG.warn("member {} removed from cluster '{}' (crashed, suspected or partitioned away)",
                e.getValue().name(), config.clusterName());
          }
          failPending(e.getKey(), e.getValue().name());
        }
      }
      if (v instanceof MergeView mv) {
        merges.increment();
        List<List<Member>> groups = new ArrayList<>();
        for (View sub : mv.getSubgroups()) {
          List<Member> g = new ArrayList<>();
          for (Address a : sub.getMembers()) {
            Member m = byAddress.get(a);
            if (m != null) {
              g.add(m);
            }
          }
          groups.add(g);
        }
        out.add(new MembershipEvent.PartitionHealed(groups, ov, nv));
      } else {
        for (Map.Entry<Address, Member> e : byAddress.entrySet()) {
          if (!old.byAddress().containsKey(e.getKey()) && !e.getKey().equals(self)) {
            out.add(new MembershipEvent.MemberJoined(e.getValue(), ov, nv));
          }
        }
        out.sort((a, b) -> Integer.compare(orderOf(a), orderOf(b)));
      }
      Member oldCoord = ov.coordinator().orElse(null);
      Member newCoord = nv.coordinator().orElse(null);
      if (newCoord != null && !newCoord.equals(oldCoord)) {
        out.add(new MembershipEvent.CoordinatorChanged(oldCoord, newCoord, ov, nv));
      }
      if (tracksQuorum() && !ov.members().isEmpty() && quorum != old.quorum()) {
        out.add(quorum ? new MembershipEvent.QuorumRegained(ov, nv) : new MembershipEvent.QuorumLost(ov, nv));
        if (quorum) {
          LOG.info("cluster '{}' regained quorum: {}", config.clusterName(), quorumText(members));
        } else {
          LOG.warn("cluster '{}' lost quorum: {}", config.clusterName(), quorumText(members));
        }
      }
      leaving.retainAll(byAddress.keySet());
      LOG.info("cluster '{}' view {}{}", config.clusterName(), nv, v instanceof MergeView ? " (merge)" : "");
      for (ListenerQueue q : listeners) {
        for (MembershipEvent e : out) {
          q.offer(e);
        }
      }
    }
  }

  private boolean tracksQuorum() {
    return config.expectedMembers() > 0 || !config.voters().isEmpty();
  }

  /** A strict majority of the voters, or of the expected members; always true when quorum is not tracked. */
  private boolean hasQuorum(List<Member> members) {
    List<String> voters = config.voters();
    if (!voters.isEmpty()) {
      return votersPresent(members) * 2 > voters.size();
    }
    return config.expectedMembers() == 0 || members.size() * 2 > config.expectedMembers();
  }

  private int votersPresent(List<Member> members) {
    int present = 0;
    for (Member m : members) {
      if (config.voters().contains(m.name())) {
        present++;
      }
    }
    return present;
  }

  private String quorumText(List<Member> members) {
    return config.voters().isEmpty() ? members.size() + " of " + config.expectedMembers() + " expected members"
        : votersPresent(members) + " of " + config.voters().size() + " voters " + config.voters();
  }

  private static int orderOf(MembershipEvent e) {
    if (e instanceof MembershipEvent.MemberJoined j) {
      return 1_000_000 + j.member().joinOrder();
    }
    return 0;
  }

  private static String addressText(Address a) {
    return a instanceof UUID u ? u.toStringLong() : a.toString();
  }

  private void failPending(Address target, String name) {
    for (Map.Entry<Long, Pending> e : pending.entrySet()) {
      if (e.getValue().target().equals(target) && pending.remove(e.getKey(), e.getValue())) {
        e.getValue().future().completeExceptionally(
            new MemberUnavailableException("member '" + name + "' left the view before answering"));
      }
    }
  }

  // ---- queries ------------------------------------------------------------------------------------------------

  @Override
  public Member self() {
    Member m = snapshot.byAddress().get(channel.getAddress());
    if (m == null) {
      return new Member(config.nodeName(), addressText(channel.getAddress()), 0, config.metadata());
    }
    return m;
  }

  @Override
  public List<Member> members() {
    return snapshot.view().members();
  }

  @Override
  public Member coordinator() {
    return snapshot.view().coordinator().orElseGet(this::self);
  }

  @Override
  public boolean isCoordinator() {
    return coordinator().name().equals(config.nodeName()) && coordinator().equals(self());
  }

  @Override
  public ClusterView view() {
    return snapshot.view();
  }

  @Override
  public boolean hasQuorum() {
    return snapshot.quorum();
  }

  @Override
  public int maxMessageBytes() {
    return config.maxMessageBytes();
  }

  @Override
  public int expectedMembers() {
    return config.expectedMembers();
  }

  @Override
  public Registration addListener(MembershipListener listener) {
    Objects.requireNonNull(listener, "listener");
    ListenerQueue q = new ListenerQueue(listener, config.listenerQueueCapacity(), events);
    synchronized (viewLock) {
      listeners.add(q);
    }
    return () -> {
      listeners.remove(q);
      q.close();
    };
  }

  @Override
  public ClusterStats stats() {
    return new ClusterStats(viewChanges.sum(), removals.sum(), merges.sum(), messagesSent.sum(), bytesSent.sum(),
        messagesReceived.sum(), bytesReceived.sum(), messagesDropped.sum(), requestFailures.sum());
  }

  @Override
  public JChannel channel() {
    return channel;
  }

  ClusterConfig config() {
    return config;
  }

  void latencyObserver(LongConsumer observer) {
    this.latencyObserver = observer;
  }

  void topicObserver(java.util.function.Consumer<String> observer) {
    this.topicObserver = observer;
  }

  long suspicions() {
    return suspicionObserver.suspicions();
  }

  // ---- messaging: sending -------------------------------------------------------------------------------------

  @Override
  public <T> void send(Member to, Topic<T> topic, T message) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(message, "message");
    Address dest = addressOf(Objects.requireNonNull(to, "to"));
    byte[] payload = topic.codec().encode(message);
    transmit(dest, new Envelope(config.wireVersion(), Envelope.KIND_SEND, 0, -1, topic.name(), payload), false);
    count(topic.name(), payload.length, true);
  }

  @Override
  public <T> void broadcast(Topic<T> topic, T message) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(message, "message");
    byte[] payload = topic.codec().encode(message);
    transmit(null, new Envelope(config.wireVersion(), Envelope.KIND_SEND, 0, -1, topic.name(), payload), false);
    count(topic.name(), payload.length, true);
  }

  private Address addressOf(Member to) {
    Snapshot s = snapshot;
    Address a = s.addressByName().get(to.name());
    Member current = a == null ? null : s.byAddress().get(a);
    if (current == null || !current.address().equals(to.address())) {
      throw new MemberUnavailableException("member '" + to.name() + "' is not in the current view " + s.view());
    }
    return a;
  }

  private void transmit(Address dest, Envelope e, boolean oob) {
    if (closed.get()) {
      throw new MembershipException("cluster '" + config.clusterName() + "' is closed");
    }
    Message m = new BytesMessage(dest, e.encode());
    if (oob) {
      m.setFlag(Message.Flag.OOB);
    }
    if (dest == null) {
      m.setFlag(Message.TransientFlag.DONT_LOOPBACK);
    }
    try {
      channel.send(m);
    } catch (Exception ex) {
      throw new MembershipException("sending to " + (dest == null ? "all members" : dest) + " failed: "
          + ex.getMessage(), ex);
    }
  }

  private void count(String topic, int bytes, boolean out) {
    TopicCounters c = topicCounters.get(topic);
    if (c == null) {
      c = topicCounters.computeIfAbsent(topic, t -> new TopicCounters());
      topicObserver.accept(topic);
    }
    if (out) {
      messagesSent.increment();
      bytesSent.add(bytes);
      c.messagesOut.increment();
      c.bytesOut.add(bytes);
    } else {
      messagesReceived.increment();
      bytesReceived.add(bytes);
      c.messagesIn.increment();
      c.bytesIn.add(bytes);
    }
  }

  @Override
  public <T> Registration subscribe(Topic<T> topic, MessageHandler<T> handler) {
    return subscribe(topic, handler, messaging);
  }

  @Override
  public <T> Registration subscribe(Topic<T> topic, MessageHandler<T> handler, Executor executor) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(executor, "executor");
    TopicBinding b = new TopicBinding(topic, handler, executor);
    if (topics.putIfAbsent(topic.name(), b) != null) {
      throw new IllegalStateException("topic '" + topic.name() + "' already has a handler");
    }
    return () -> topics.remove(topic.name(), b);
  }

  @Override
  public <Q, R> Registration serve(Endpoint<Q, R> endpoint, RequestHandler<Q, R> handler) {
    return serve(endpoint, handler, messaging);
  }

  @Override
  public <Q, R> Registration serve(Endpoint<Q, R> endpoint, RequestHandler<Q, R> handler, Executor executor) {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(executor, "executor");
    EndpointBinding b = new EndpointBinding(endpoint, handler, executor, new DirectRunGate.Slot());
    if (endpoints.putIfAbsent(endpoint.name(), b) != null) {
      throw new IllegalStateException("endpoint '" + endpoint.name() + "' already has a handler");
    }
    return () -> endpoints.remove(endpoint.name(), b);
  }

  @Override
  public <Q, R> CompletableFuture<R> request(Member to, Endpoint<Q, R> endpoint, Q request) {
    return request(to, endpoint, request, config.requestPolicy());
  }

  @Override
  public <Q, R> CompletableFuture<R> request(Member to, Endpoint<Q, R> endpoint, Q request, RequestPolicy policy) {
    return request(to, endpoint, request, policy, -1);
  }

  private <Q, R> CompletableFuture<R> request(Member to, Endpoint<Q, R> endpoint, Q request, RequestPolicy policy,
      long forcedViewId) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(policy, "policy");
    long start = ticker.getAsLong();
    byte[] payload = endpoint.requestCodec().encode(request);
    CircuitBreaker<byte[]> breaker = policy.circuitBreakerFailures() == 0 ? null : breakers.computeIfAbsent(
        to.name() + "/" + policy.circuitBreakerFailures() + "/" + policy.circuitBreakerDelay().toMillis(),
        k -> CircuitBreaker.<byte[]>builder()
            .handle(RequestTimeoutException.class)
            .withFailureThreshold(policy.circuitBreakerFailures())
            .withDelay(policy.circuitBreakerDelay())
            .build());
    CompletableFuture<byte[]> raw;
    if (policy.maxAttempts() == 1) {
      // Fast path without Failsafe's executor: the breaker is used standalone, no extra thread hop.
      if (breaker != null && !breaker.tryAcquirePermit()) {
        raw = CompletableFuture.failedFuture(new CircuitBreakerOpenException(breaker));
      } else {
        raw = attempt(to, endpoint.name(), payload, policy, forcedViewId);
        if (breaker != null) {
          // whenComplete's own stage completes after the breaker has recorded the outcome
          raw = raw.whenComplete((r, e) -> {
            if (e instanceof RequestTimeoutException) {
              breaker.recordFailure();
            } else {
              breaker.recordSuccess();
            }
          });
        }
      }
    } else {
      List<Policy<byte[]>> policies = new ArrayList<>();
      RetryPolicyBuilder<byte[]> retry = RetryPolicy.<byte[]>builder()
          .handle(RequestTimeoutException.class)
          .withMaxAttempts(policy.maxAttempts());
      if (!policy.backoff().isZero()) {
        retry.withBackoff(policy.backoff(), policy.backoff().multipliedBy(10));
      }
      policies.add(retry.build());
      if (breaker != null) {
        policies.add(breaker);
      }
      raw = Failsafe.with(policies).with(scheduler).getStageAsync(() -> attempt(to, endpoint.name(), payload, policy,
          forcedViewId));
    }
    CompletableFuture<R> result = ResponseFuture.on(messaging);
    // completes on the thread that received the response (or timed it out): a caller blocked in get() wakes without
    // a hand-off, and ResponseFuture moves every dependent stage onto the message executor
    raw.whenComplete((bytes, error) -> finish(result, endpoint, to, start, bytes, error));
    return result;
  }

  private <R> void finish(CompletableFuture<R> result, Endpoint<?, R> endpoint, Member to, long start, byte[] bytes,
      Throwable error) {
    latencyObserver.accept(ticker.getAsLong() - start);
    if (error != null) {
      requestFailures.increment();
      result.completeExceptionally(translate(error, to));
      return;
    }
    try {
      result.complete(endpoint.responseCodec().decode(bytes));
    } catch (RuntimeException e) {
      requestFailures.increment();
      result.completeExceptionally(new RemoteHandlerException("response from '" + to.name()
          + "' for endpoint '" + endpoint.name() + "' could not be decoded: " + e.getMessage(), e));
    }
  }

  private static Throwable translate(Throwable error, Member to) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof FailsafeException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof CircuitBreakerOpenException) {
      return new CircuitOpenException("circuit to member '" + to.name() + "' is open after repeated failures", t);
    }
    if (t instanceof CancellationException) {
      return new MembershipException("request to '" + to.name() + "' was cancelled", t);
    }
    return t;
  }

  /** Test hook: a view-checked request that carries the given view id, as a sender on an older view would. */
  <Q, R> CompletableFuture<R> requestFromView(Member to, Endpoint<Q, R> endpoint, Q request, long viewId) {
    return request(to, endpoint, request, config.requestPolicy().withViewCheck(true), viewId);
  }

  private CompletableFuture<byte[]> attempt(Member to, String endpoint, byte[] payload, RequestPolicy policy,
      long forcedViewId) {
    Snapshot s = snapshot;
    long viewId = forcedViewId >= 0 ? forcedViewId : s.view().id();
    Address dest;
    try {
      dest = addressOf(to);
    } catch (MemberUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    long id = correlation.incrementAndGet();
    long now = ticker.getAsLong();
    long deadline = now + policy.timeout().toNanos();
    Pending p = new Pending(dest, to.name(), endpoint, policy.timeout(), deadline, new CompletableFuture<>());
    pending.put(id, p);
    try {
      timeouts.ensure(deadline, now);
    } catch (RejectedExecutionException e) {
      pending.remove(id, p);
      return CompletableFuture.failedFuture(
          new MembershipException("cluster '" + config.clusterName() + "' is closed", e));
    }
    try {
      transmit(dest, new Envelope(config.wireVersion(), Envelope.KIND_REQUEST, id,
          policy.viewChecked() ? viewId : -1, endpoint, payload), true);
      count(endpoint, payload.length, true);
    } catch (MembershipException e) {
      pending.remove(id, p);
      p.future().completeExceptionally(e);
    }
    return p.future();
  }

  private void expireRequests(long end) {
    for (Map.Entry<Long, Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      if (p.deadline() <= end && pending.remove(e.getKey(), p)) {
        p.future().completeExceptionally(new RequestTimeoutException("no response from '" + p.targetName()
            + "' to endpoint '" + p.endpoint() + "' within " + p.timeout()));
      }
    }
  }

  // ---- messaging: receiving -----------------------------------------------------------------------------------

  @Override
  public void receive(Message msg) {
    receive(msg, true);
  }

  /** A batch is handled on one thread: no handler runs on it, so none can hold up the messages after its own. */
  @Override
  public void receive(MessageBatch batch) {
    for (Message msg : batch) {
      try {
        receive(msg, false);
      } catch (RuntimeException ex) {
        LOG.warn("failed to handle a message from {}", msg.getSrc(), ex);
      }
    }
  }

  private void receive(Message msg, boolean mayRunDirectly) {
    Envelope e;
    try {
      e = Envelope.decode(msg.getArray(), msg.getOffset(), msg.getLength(), config.maxMessageBytes());
    } catch (RuntimeException ex) {
      messagesDropped.increment();
      LOG.debug("dropping malformed message from {}: {}", msg.getSrc(), ex.getMessage());
      return;
    }
    if (!compatible(e.version())) {
      messagesDropped.increment();
      LOG.warn("dropping message from {} with incompatible wire version {}", msg.getSrc(), e.version());
      return;
    }
    Address src = msg.getSrc();
    switch (e.kind()) {
      case Envelope.KIND_LEAVING -> {
        leaving.add(src);
        try {
          transmit(src, new Envelope(config.wireVersion(), Envelope.KIND_LEAVING_ACK, 0, -1, "", new byte[0]), true);
        } catch (MembershipException ex) {
          LOG.debug("could not acknowledge leave of {}", src, ex);
        }
      }
      case Envelope.KIND_LEAVING_ACK -> {
        awaitingLeaveAcks.remove(src);
        if (awaitingLeaveAcks.isEmpty()) {
          leaveAcked.countDown();
        }
      }
      // the binding only picks the executor; the task looks it up again, so a handler removed meanwhile never runs
      case Envelope.KIND_SEND -> {
        TopicBinding b = topics.get(e.topic());
        dispatch(b == null ? messaging : b.executor(), () -> onSend(src, e));
      }
      case Envelope.KIND_REQUEST -> {
        EndpointBinding b = endpoints.get(e.topic());
        if (mayRunDirectly && b != null && b.executor() == messaging && directRuns != null) {
          // a quick handler answers on this (OOB) thread, without a hand-off; see DirectRunGate
          long start = directRuns.tryEnter(b.direct());
          if (start != 0) {
            try {
              onRequest(src, e);
            } finally {
              directRuns.exit(b.direct(), start);
            }
            return;
          }
        }
        dispatch(b == null ? messaging : b.executor(), () -> onRequest(src, e));
      }
      case Envelope.KIND_RESPONSE, Envelope.KIND_ERROR, Envelope.KIND_STALE_VIEW, Envelope.KIND_NO_HANDLER ->
          onResponse(src, e);
      default -> {
        messagesDropped.increment();
        LOG.debug("dropping message of unknown kind {} from {}", e.kind(), src);
      }
    }
  }

  private void dispatch(Executor executor, Runnable r) {
    try {
      executor.execute(r);
    } catch (RejectedExecutionException ex) {
      messagesDropped.increment();
      LOG.warn("message executor of cluster '{}' is saturated or closed: dropping a message", config.clusterName());
    }
  }

  @SuppressWarnings("unchecked")
  private void onSend(Address src, Envelope e) {
    Member from = snapshot.byAddress().get(src);
    TopicBinding b = topics.get(e.topic());
    if (from == null || b == null) {
      messagesDropped.increment();
      LOG.debug("dropping message on topic '{}' from {}: {}", e.topic(), src,
          from == null ? "sender not in view" : "no handler");
      return;
    }
    count(e.topic(), e.payload().length, false);
    try {
      Object value = b.topic().codec().decode(e.payload());
      ((MessageHandler<Object>) b.handler()).onMessage(from, value);
    } catch (RuntimeException ex) {
      LOG.warn("handler of topic '{}' failed on a message from {}", e.topic(), from.name(), ex);
    }
  }

  @SuppressWarnings("unchecked")
  private void onRequest(Address src, Envelope e) {
    Snapshot s = snapshot;
    Member from = s.byAddress().get(src);
    count(e.topic(), e.payload().length, false);
    if (from == null || (e.viewId() >= 0 && e.viewId() != s.view().id())) {
      reply(src, e, Envelope.KIND_STALE_VIEW, s.view().id(), new byte[0]);
      return;
    }
    EndpointBinding b = endpoints.get(e.topic());
    if (b == null) {
      reply(src, e, Envelope.KIND_NO_HANDLER, -1, new byte[0]);
      return;
    }
    byte[] answer;
    int kind;
    try {
      Object request = b.endpoint().requestCodec().decode(e.payload());
      Object response = ((RequestHandler<Object, Object>) b.handler()).handle(from, request);
      Objects.requireNonNull(response, "response of handler for endpoint '" + e.topic() + "'");
      answer = ((Endpoint<Object, Object>) b.endpoint()).responseCodec().encode(response);
      kind = Envelope.KIND_RESPONSE;
    } catch (Exception ex) {
      String text = ex.getClass().getName() + ": " + ex.getMessage();
      answer = text.substring(0, Math.min(text.length(), 2000)).getBytes(StandardCharsets.UTF_8);
      kind = Envelope.KIND_ERROR;
    }
    reply(src, e, kind, -1, answer);
  }

  private void reply(Address to, Envelope request, int kind, long viewId, byte[] payload) {
    try {
      transmit(to, new Envelope(config.wireVersion(), kind, request.correlationId(), viewId, request.topic(),
          payload), true);
    } catch (MembershipException ex) {
      LOG.debug("could not answer request {} from {}", request.correlationId(), to, ex);
    }
  }

  private void onResponse(Address src, Envelope e) {
    Pending p = pending.get(e.correlationId());
    if (p == null || !p.target().equals(src) || !pending.remove(e.correlationId(), p)) {
      return; // late (timed out) or forged
    }
    switch (e.kind()) {
      case Envelope.KIND_RESPONSE -> p.future().complete(e.payload());
      case Envelope.KIND_ERROR -> p.future().completeExceptionally(new RemoteHandlerException("handler of endpoint '"
          + e.topic() + "' on '" + p.targetName() + "' failed: " + new String(e.payload(), StandardCharsets.UTF_8)));
      case Envelope.KIND_NO_HANDLER -> p.future().completeExceptionally(new RemoteHandlerException(
          "member '" + p.targetName() + "' has no handler for endpoint '" + e.topic() + "'"));
      default -> p.future().completeExceptionally(new StaleViewException("member '" + p.targetName()
          + "' is on view " + e.viewId() + ", this member on view " + snapshot.view().id()
          + ": re-read the membership and route again"));
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      synchronized (viewLock) {
        awaitingLeaveAcks.addAll(snapshot.byAddress().keySet());
        awaitingLeaveAcks.remove(channel.getAddress());
      }
      if (!awaitingLeaveAcks.isEmpty() && channel.isConnected()) {
        Message m = new BytesMessage(null,
            new Envelope(config.wireVersion(), Envelope.KIND_LEAVING, 0, -1, "", new byte[0]).encode());
        m.setFlag(Message.Flag.OOB);
        m.setFlag(Message.TransientFlag.DONT_LOOPBACK);
        channel.send(m);
        if (!leaveAcked.await(1, TimeUnit.SECONDS)) {
          LOG.debug("not every member acknowledged the leave of '{}'", config.nodeName());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("could not announce the leave of '{}'", config.nodeName(), e);
    }
    LOG.info("member '{}' leaving cluster '{}'", config.nodeName(), config.clusterName());
    shutdown();
  }

  /** Whether every member acknowledged this member's leave before {@link #close()} stopped waiting (tests). */
  boolean leaveAcknowledged() {
    return leaveAcked.getCount() == 0;
  }

  private void shutdown() {
    closed.set(true);
    channel.close();
    for (ListenerQueue q : listeners) {
      q.close();
    }
    listeners.clear();
    for (Map.Entry<Long, Pending> e : pending.entrySet()) {
      if (pending.remove(e.getKey(), e.getValue())) {
        e.getValue().future().completeExceptionally(
            new MembershipException("cluster '" + config.clusterName() + "' was closed"));
      }
    }
    for (ExecutorService e : ownedExecutors) {
      if (e == scheduler) {
        e.shutdownNow();
      } else {
        e.shutdown();
      }
    }
  }

  /** Simulates a crash for tests: stops at once without announcing a leave. */
  void crash() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      org.jgroups.util.Util.shutdown(channel);
    } catch (Exception e) {
      LOG.debug("abrupt shutdown of '{}' failed", config.nodeName(), e);
    }
    shutdown();
  }

  @Override
  public String toString() {
    return "Cluster[" + config.clusterName() + "/" + config.nodeName() + " " + snapshot.view() + "]";
  }
}
