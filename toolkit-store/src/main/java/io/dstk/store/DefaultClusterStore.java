package io.dstk.store;

import io.dstk.membership.Cluster;
import io.dstk.membership.Endpoint;
import io.dstk.membership.Member;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.Registration;
import io.dstk.membership.internal.DeadlineBuckets;
import io.dstk.membership.RequestPolicy;
import io.dstk.membership.Topic;
import io.dstk.store.internal.Codec;
import io.dstk.store.internal.Codec.Command;
import io.dstk.store.internal.Codec.Op;
import io.dstk.store.internal.Codec.Result;
import io.dstk.store.internal.Codec.Status;
import io.dstk.store.internal.LeaderUpdates;
import io.dstk.store.internal.RaftStack;
import io.dstk.store.internal.StoreStateMachine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.raft.InMemoryLog;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.Role;
import org.jgroups.util.NameCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Routing: every operation is a command that must be proposed by the raft leader, which stamps it with its clock.
 * A caller that is the leader proposes directly; any other member sends the command over the cluster's messaging to
 * the leader (voters know it) or to a voter (other members), which answers NOT_LEADER with a hint when it is not
 * the leader (or lost the leadership while the command was in flight).
 *
 * Retries and duplicates: every mutating command carries a request id (this store's random client id and a
 * sequence number), fixed for all attempts of one call. A call is retried until its deadline after a leader change,
 * a lost leadership or a transport failure, even if an earlier attempt may have reached the log; the state machine
 * answers a request id it has already applied with the first result, so a retry is never applied twice (within the
 * dedup window of StoreConfig). Reads carry no id: applying them twice is harmless.
 *
 * Waiting: a call that cannot proceed (no leader known yet, leader not yet in the view, a voter that knows no leader)
 * waits for the next change this member can observe — a raft role or leader update (LeaderUpdates), a raft view, a
 * cluster view — bounded by a backoff timer (10 ms doubling to 320 ms) for what it cannot observe (another voter's
 * knowledge) and by its deadline. Nothing sleeps.
 *
 * Leader clock: when this voter becomes leader it starts its clock at the state machine's time (the largest stamp
 * applied) and advances it with its monotonic ticker; each stamp is max(state time, clock). Each leader's clock thus
 * starts at or below the previous leader's clock at that moment and runs at real-time rate, so store time never runs
 * ahead of real time elapsed since any earlier stamp (up to clock rate drift): leases never end early.
 */
final class DefaultClusterStore implements ClusterStore {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultClusterStore.class);
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final long BACKOFF_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long BACKOFF_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(320);
  /** How long a voter holds a request while no live leader is known (an election is under way), at most. */
  private static final long LEADER_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** An operation fails at most this long after its timeout. */
  private static final long DEADLINE_RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Cluster cluster;
  private final StoreConfig config;
  private final String self;
  private final String holderId;
  private final long clientId;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong changes = new AtomicLong();
  private final Set<Runnable> changeWaiters = ConcurrentHashMap.newKeySet();
  /** Operations not yet answered, with their deadlines (ticker nanos). */
  private final ConcurrentHashMap<CompletableFuture<Result>, Long> pending = new ConcurrentHashMap<>();
  /** Operation deadlines: one scheduled task per 10 ms of deadlines, not one per operation. */
  private final DeadlineBuckets deadlines;
  private final boolean voter;
  private final LongSupplier ticker;
  private final Endpoint<byte[], byte[]> endpoint;
  /** A new leader announces itself here to the members that are not voters (a Result with status LEADER). */
  private final Topic<byte[]> leaderTopic;
  private final ScheduledExecutorService scheduler;
  private final StoreStateMachine sm;
  private final Set<CompletableFuture<byte[]>> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder operations = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder noQuorum = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder latency = new LongAdder();
  private volatile JChannel channel;
  private volatile RAFT raft;
  private volatile Registration registration;
  private volatile Registration viewListener;
  private volatile Registration announcements;
  /** The highest raft term announced by a leader (members that are not voters), and that leader's name. */
  private volatile long announcedTerm;
  private volatile String announcedLeader;
  private volatile String leaderHint;
  private volatile long clockBase;
  private volatile long clockBaseNanos;
  /** Test hook: receives one line per client-side routing step (attempt, answer, retry); null when unused. */
  private volatile Consumer<String> trace;

  private DefaultClusterStore(Cluster cluster, StoreConfig config) {
    this.cluster = cluster;
    this.config = config;
    this.self = cluster.self().name();
    this.holderId = self + "#" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    long id0;
    do {
      id0 = ThreadLocalRandom.current().nextLong();
    } while (id0 == 0);
    this.clientId = id0;
    this.voter = config.voters().contains(self);
    this.ticker = config.ticker();
    this.endpoint = Endpoint.of("dstk.store." + config.storeName(), PayloadCodec.bytes(), PayloadCodec.bytes());
    this.leaderTopic = Topic.of("dstk.store." + config.storeName() + ".leader", PayloadCodec.bytes());
    int id = IDS.incrementAndGet();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dstk-store-" + config.storeName() + "-" + self + "-" + id);
      t.setDaemon(true);
      return t;
    });
    this.deadlines = new DeadlineBuckets(scheduler, DEADLINE_RESOLUTION_NANOS, this::expireDeadlines);
    this.sm = new StoreStateMachine(config.maxKeys(), config.dedupMaxEntries(), config.dedupMaxAge().toNanos());
  }

  static ClusterStore open(Cluster cluster, StoreConfig config) {
    DefaultClusterStore s = new DefaultClusterStore(cluster, config);
    try {
      s.viewListener = cluster.addListener(e -> s.signalChange());
      // Every member takes the leaders' announcements; only members that are not voters act on them.
      s.announcements = cluster.subscribe(s.leaderTopic, (from, bytes) -> s.onAnnouncement(bytes));
      if (s.voter) {
        s.startRaft();
        s.registration = cluster.serve(s.endpoint, (from, bytes) -> s.serveRequest(bytes));
      }
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private void startRaft() {
    String raftCluster = RaftStack.clusterName(cluster.channel(), config);
    try {
      JChannel ch = RaftStack.open(cluster.channel(), config, self, config.logDirectory().isPresent() ? null
          : raftCluster + "-" + holderId);
      RAFT r = ch.getProtocolStack().findProtocol(RAFT.class);
      r.stateMachine(sm);
      r.addRoleListener(this::onRoleChange);
      ((LeaderUpdates) r).onLeaderUpdate(() -> {
        if (trace != null) {
          trace("raft: leader " + leaderName() + ", role " + raft.role());
        }
        signalChange();
      });
      ch.setReceiver(new Receiver() {
        @Override
        public void viewAccepted(View view) {
          signalChange();
        }
      });
      this.channel = ch;
      this.raft = r;
      ch.connect(raftCluster);
      scheduler.scheduleWithFixedDelay(this::mergeIfSplit, 500, 500, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new StoreException("could not start the raft node of '" + self + "' for store '" + config.storeName()
          + "': " + e, e);
    }
  }

  /*
   * Voters started at the same moment can form separate raft views that MERGE3 would only join after its next
   * probes (seconds). The cluster's own view tells us which voters are alive: while the raft view lacks one of
   * them, ask MERGE3 to probe and check now.
   */
  private void mergeIfSplit() {
    JChannel ch = channel;
    View v = ch == null ? null : ch.getView();
    if (v == null || closed.get()) {
      return;
    }
    int inCluster = 0;
    for (String voterName : config.voters()) {
      if (cluster.view().contains(voterName)) {
        inCluster++;
      }
    }
    if (v.size() < inCluster) {
      org.jgroups.protocols.MERGE3 merge = ch.getProtocolStack().findProtocol(org.jgroups.protocols.MERGE3.class);
      if (merge != null) {
        try {
          merge.sendInfo();
          merge.checkInconsistencies();
        } catch (RuntimeException e) {
          LOG.debug("merge check failed", e);
        }
      }
    }
  }

  private void onRoleChange(Role role) {
    if (role == Role.Leader) {
      clockBase = sm.time();
      clockBaseNanos = ticker.getAsLong();
      LOG.debug("{} is the leader of store '{}' at store time {}", self, config.storeName(), clockBase);
      announce(raft.currentTerm());
    } else {
      for (CompletableFuture<byte[]> f : inFlight) {
        f.completeExceptionally(new LeadershipLost("'" + self + "' lost the leadership of store '"
            + config.storeName() + "' while the operation was in flight"));
      }
    }
    signalChange();
  }

  /*
   * Members that are not voters cannot see raft: a new leader tells them, so that a call waiting on the old leader
   * (whose crash their cluster view may show only later) goes to the new one at once. Best effort: a member that
   * misses it learns the leader from a voter's NOT_LEADER answer as before. On the scheduler: the role listener runs
   * on a jgroups-raft thread.
   */
  private void announce(long term) {
    try {
      scheduler.execute(() -> {
        try {
          cluster.broadcast(leaderTopic, Codec.encode(new Result(Status.LEADER, term, 0, self, null)));
        } catch (RuntimeException e) {
          LOG.debug("could not announce the leader", e);
        }
      });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void onAnnouncement(byte[] bytes) {
    Result r = decodeOrNull(bytes);
    if (r == null || r.status() != Status.LEADER || r.text() == null) {
      return;
    }
    synchronized (this) {
      if (r.version() <= announcedTerm) {
        return;
      }
      announcedLeader = r.text();
      announcedTerm = r.version();
    }
    leaderHint = r.text();
    if (trace != null) {
      trace("announced: leader " + r.text() + " in term " + r.version());
    }
    signalChange();
  }

  /** Something this member can observe changed (raft role or leader, raft view, cluster view): wake the waiters. */
  private void signalChange() {
    changes.incrementAndGet();
    if (changeWaiters.isEmpty()) {
      return;
    }
    for (Runnable w : changeWaiters) {
      changeWaiters.remove(w);
      try {
        scheduler.execute(w);
      } catch (RejectedExecutionException e) {
        // closed: pending operations are failed by close()
      }
    }
  }

  /** Returns the number of changes signalled so far; pass it to {@link #awaitChange} to wait for the next one. */
  long changeCount() {
    return changes.get();
  }

  /**
   * Waits until a change after {@code seen} is signalled, or {@code maxNanos} passed.
   *
   * @return whether a change was signalled
   */
  boolean awaitChange(long seen, long maxNanos) throws InterruptedException {
    CompletableFuture<Void> woken = new CompletableFuture<>();
    Runnable w = () -> woken.complete(null);
    changeWaiters.add(w);
    if (changes.get() != seen) {
      changeWaiters.remove(w);
      return true;
    }
    try {
      woken.get(maxNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return changes.get() != seen;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    } finally {
      changeWaiters.remove(w);
    }
  }

  /** Internal: the leader lost its leadership while a command was in flight; the call retries. */
  private static final class LeadershipLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LeadershipLost(String message) {
      super(message, null, false, false);
    }
  }

  private long stamp() {
    return Math.max(sm.time(), clockBase + (ticker.getAsLong() - clockBaseNanos));
  }

  // ---- the voter's endpoint ------------------------------------------------------------------------------------

  /** Answers a command sent by another member; runs on a messaging thread of the cluster. */
  private byte[] serveRequest(byte[] bytes) {
    try {
      Codec.decodeCommand(bytes, 0, bytes.length);
    } catch (IllegalArgumentException e) {
      return Codec.encode(new Result(Status.BAD_COMMAND, 0, 0, e.getMessage(), null));
    }
    RAFT r = raft;
    if (r == null || closed.get()) {
      return Codec.encode(Result.of(Status.NOT_LEADER, 0));
    }
    long holdEnd = ticker.getAsLong() + Math.min(LEADER_HOLD_NANOS, config.operationTimeout().toNanos());
    while (!r.isLeader()) {
      long seen = changes.get(); // before reading any state, so that a change after the checks ends the wait
      if (closed.get()) {
        return Codec.encode(Result.of(Status.NOT_LEADER, 0));
      }
      if (!majorityReachable()) {
        JChannel ch = channel;
        return Codec.encode(new Result(Status.NO_QUORUM, 0, 0, "voter '" + self + "' reaches no majority of the "
            + "voters; its raft view is " + (ch == null ? null : ch.getView()), null));
      }
      String leader = liveLeader();
      long left = holdEnd - ticker.getAsLong();
      if (leader != null || left <= 0) {
        if (trace != null) {
          trace("serve: NOT_LEADER " + leader);
        }
        return Codec.encode(new Result(Status.NOT_LEADER, 0, 0, leader, null));
      }
      // No live leader: an election is under way or coming (a majority is reachable). Hold the request until this
      // voter learns the new leader (or becomes it) instead of sending the caller into a retry loop.
      if (trace != null) {
        trace("serve: holding, leader " + leaderName() + " not live");
      }
      try {
        awaitChange(seen, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Codec.encode(Result.of(Status.NOT_LEADER, 0));
      }
    }
    try {
      return propose(bytes).get(config.operationTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return Codec.encode(Result.of(Status.TIMEOUT, 0));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Codec.encode(Result.of(Status.TIMEOUT, 0));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof LeadershipLost) {
        // The caller retries with the same request id; the new leader answers a duplicate with the first result.
        return Codec.encode(new Result(Status.NOT_LEADER, 0, 0, leaderName(), null));
      }
      return Codec.encode(new Result(Status.TIMEOUT, 0, 0, String.valueOf(e.getCause().getMessage()), null));
    }
  }

  private CompletableFuture<byte[]> propose(byte[] command) {
    byte[] copy = command.clone();
    Codec.stamp(copy, stamp());
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    inFlight.add(f);
    f.whenComplete((r, e) -> inFlight.remove(f));
    try {
      raft.setAsync(copy, 0, copy.length, null).whenComplete((r, e) -> {
        if (e != null) {
          f.completeExceptionally(new LeadershipLost("leader '" + self + "' could not commit: " + e));
        } else {
          f.complete(r);
        }
      });
    } catch (RuntimeException e) {
      f.completeExceptionally(new LeadershipLost("leader '" + self + "' could not propose: " + e));
    }
    if (!raft.isLeader()) {
      f.completeExceptionally(new LeadershipLost("'" + self + "' is no longer the leader"));
    }
    return f;
  }

  /** Sets the test hook that receives one line per routing step of this member's calls, or null. */
  void trace(Consumer<String> t) {
    this.trace = t;
  }

  private void trace(String what) {
    Consumer<String> t = trace;
    if (t != null) {
      t.accept(what);
    }
  }

  // ---- the client side ------------------------------------------------------------------------------------------

  CompletableFuture<Result> execute(Command command) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new StoreException("store '" + config.storeName() + "' is closed"));
    }
    Command c = Codec.isMutating(command.op()) && !command.hasRequestId()
        ? command.withRequestId(clientId, sequence.incrementAndGet()) : command;
    return executeEncoded(Codec.encode(c));
  }

  /** Runs an encoded command, retrying until its deadline; the same bytes (and request id) on every attempt. */
  CompletableFuture<Result> executeEncoded(byte[] bytes) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new StoreException("store '" + config.storeName() + "' is closed"));
    }
    long start = ticker.getAsLong();
    long deadline = start + config.operationTimeout().toNanos();
    CompletableFuture<Result> result = new CompletableFuture<>();
    pending.put(result, deadline);
    result.whenComplete((r, e) -> pending.remove(result));
    if (closed.get()) {
      result.completeExceptionally(new StoreException("store '" + config.storeName() + "' is closed"));
    } else {
      try {
        deadlines.ensure(deadline, start);
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new StoreException("store '" + config.storeName() + "' is closed"));
      }
    }
    attempt(bytes, deadline, result, 0);
    return result.whenComplete((r, e) -> {
      operations.increment();
      latency.add(ticker.getAsLong() - start);
      if (e != null) {
        failures.increment();
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (c instanceof NoQuorumException) {
          noQuorum.increment();
        } else if (c instanceof StoreTimeoutException) {
          timeouts.increment();
        }
      }
    });
  }

  private void expireDeadlines(long end) {
    pending.forEach((f, deadline) -> {
      if (deadline <= end) {
        f.completeExceptionally(timeout(null));
      }
    });
  }

  private void attempt(byte[] bytes, long deadline, CompletableFuture<Result> result, int n) {
    if (result.isDone()) {
      return;
    }
    long seen = changes.get(); // before reading any state, so that a change after the checks below wakes the retry
    long remaining = deadline - ticker.getAsLong();
    if (closed.get()) {
      result.completeExceptionally(new StoreException("store '" + config.storeName() + "' is closed"));
      return;
    }
    if (remaining <= 0) {
      result.completeExceptionally(new StoreTimeoutException("no answer from store '" + config.storeName()
          + "' within " + config.operationTimeout()));
      return;
    }
    if (voter) {
      RAFT r = raft;
      if (r.isLeader()) {
        if (trace != null) {
          trace("attempt " + n + ": propose");
        }
        propose(bytes).whenComplete((b, e) -> { // the operation's deadline is enforced by `deadlines`
          if (e == null) {
            complete(result, Codec.decodeResult(b));
          } else {
            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (c instanceof LeadershipLost) {
              LOG.debug("retrying after a lost leadership: {}", c.getMessage());
              retryLater(bytes, deadline, result, n, seen);
            } else {
              result.completeExceptionally(c instanceof TimeoutException ? timeout(c) : c);
            }
          }
        });
        return;
      }
      if (!majorityReachable()) {
        // Neither view holds a majority of the voters (minority side): a leader it still remembers is out of
        // reach or cannot commit, so fail now rather than retry until the deadline.
        result.completeExceptionally(noQuorum());
        return;
      }
      String leader = liveLeader();
      if (leader == null) {
        if (trace != null) {
          trace("attempt " + n + ": no live leader (raft leader " + leaderName() + ")");
        }
        retryLater(bytes, deadline, result, n, seen);
        return;
      }
      Optional<Member> m = cluster.view().member(leader);
      if (m.isEmpty()) {
        retryLater(bytes, deadline, result, n, seen);
        return;
      }
      remote(m.get(), bytes, deadline, result, n, seen);
      return;
    }
    Member target = pickVoter(n);
    if (target == null) {
      result.completeExceptionally(noQuorum());
      return;
    }
    remote(target, bytes, deadline, result, n, seen);
  }

  private Member pickVoter(int n) {
    int present = 0;
    for (String v : config.voters()) {
      if (cluster.view().contains(v)) {
        present++;
      }
    }
    if (present < config.majority()) {
      return null;
    }
    String hint = leaderHint;
    if (hint != null) {
      Optional<Member> m = cluster.view().member(hint);
      if (m.isPresent()) {
        return m.get();
      }
    }
    for (int i = 0; i < config.voters().size(); i++) {
      String v = config.voters().get((n + i) % config.voters().size());
      Optional<Member> m = cluster.view().member(v);
      if (m.isPresent()) {
        return m.get();
      }
    }
    return null;
  }

  private void remote(Member to, byte[] bytes, long deadline, CompletableFuture<Result> result, int n, long seen) {
    long remaining = deadline - ticker.getAsLong();
    if (trace != null) {
      trace("attempt " + n + " -> " + to.name());
    }
    RequestPolicy policy = RequestPolicy.defaults().withTimeout(Duration.ofNanos(Math.max(remaining, 1_000_000)))
        .withCircuitBreaker(0, Duration.ofSeconds(1));
    // Settled once this attempt was answered, or superseded by an attempt to a newer leader.
    AtomicBoolean settled = new AtomicBoolean();
    Runnable watch = watchLeader(to, bytes, deadline, result, n, settled);
    CompletableFuture<byte[]> f;
    try {
      f = cluster.request(to, endpoint, bytes, policy);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((b, e) -> {
      if (watch != null) {
        changeWaiters.remove(watch);
      }
      if (!settled.compareAndSet(false, true)) {
        // Superseded: only a final answer still counts (the request id makes both attempts one operation).
        Result late = e == null ? decodeOrNull(b) : null;
        if (late != null && late.status() != Status.NOT_LEADER && late.status() != Status.NO_QUORUM
            && late.status() != Status.TIMEOUT) {
          complete(result, late);
        }
        return;
      }
      if (e != null) {
        // Transport failures (member gone, request timed out, no handler yet): retry; if the command reached a
        // leader, the request id makes the retry return the first result.
        LOG.debug("store request to {} failed: {}", to.name(), e.toString());
        if (trace != null) {
          trace("attempt " + n + " <- " + to.name() + " failed: " + e);
        }
        leaderHint = null;
        retryLater(bytes, deadline, result, n, seen);
        return;
      }
      Result r;
      try {
        r = Codec.decodeResult(b);
      } catch (IllegalArgumentException ex) {
        result.completeExceptionally(new StoreException("malformed answer from '" + to.name() + "': " + ex, ex));
        return;
      }
      if (trace != null) {
        trace("attempt " + n + " <- " + to.name() + " status " + r.status() + " " + r.text());
      }
      switch (r.status()) {
        case Status.NOT_LEADER -> {
          leaderHint = r.text();
          // Go to the named leader at once, unless this member already knows it is gone: then wait for a change.
          if (r.text() != null && !r.text().equals(to.name()) && cluster.view().contains(r.text())) {
            attempt(bytes, deadline, result, n + 1);
          } else {
            retryLater(bytes, deadline, result, n, seen);
          }
        }
        case Status.NO_QUORUM -> result.completeExceptionally(r.text() == null ? noQuorum()
            : new NoQuorumException("store '" + config.storeName() + "': " + r.text()));
        case Status.TIMEOUT -> result.completeExceptionally(new StoreTimeoutException("leader '" + to.name()
            + "' did not commit within " + config.operationTimeout() + "; the operation may have been applied"));
        default -> {
          leaderHint = to.name();
          complete(result, r);
        }
      }
    });
  }

  private static Result decodeOrNull(byte[] b) {
    try {
      return Codec.decodeResult(b);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /*
   * A request to `to` is pending: as soon as this member learns of another live leader (on a voter: a raft leader
   * update, a raft or cluster view change; on another member: a leader's announcement of a newer term), re-send the
   * command there instead of waiting for the old one's answer or for the cluster to drop it. The same bytes, so the same request id: whichever attempt reaches the log
   * first is applied, the other returns its result. Returns the waiter, to be removed when the attempt settles.
   */
  private Runnable watchLeader(Member to, byte[] bytes, long deadline, CompletableFuture<Result> result, int n,
      AtomicBoolean settled) {
    long term = announcedTerm;
    Runnable[] watch = new Runnable[1];
    watch[0] = () -> {
      if (settled.get() || result.isDone()) {
        return;
      }
      long seen = changes.get();
      String leader = voter ? liveLeader() : announcedTerm > term ? announcedLeader : null;
      if (leader != null && !voter && !cluster.view().contains(leader)) {
        leader = null;
      }
      if (leader != null && !leader.equals(to.name())) {
        if (settled.compareAndSet(false, true)) {
          if (trace != null) {
            trace("attempt " + n + " to " + to.name() + " superseded: the leader is now " + leader);
          }
          attempt(bytes, deadline, result, n + 1);
        }
        return;
      }
      changeWaiters.add(watch[0]);
      if (changes.get() != seen && changeWaiters.remove(watch[0])) {
        try {
          scheduler.execute(watch[0]);
        } catch (RejectedExecutionException e) {
          // closed: pending operations are failed by close()
        }
      }
    };
    changeWaiters.add(watch[0]);
    return watch[0];
  }

  /*
   * Retries at the next observed change after `seen`, or after a backoff of 10 ms doubling per attempt up to 320 ms
   * (for what this member cannot observe, such as another voter learning the leader), or at the deadline.
   */
  private void retryLater(byte[] bytes, long deadline, CompletableFuture<Result> result, int n, long seen) {
    AtomicBoolean once = new AtomicBoolean();
    Runnable[] waiter = new Runnable[1];
    Runnable retry = () -> {
      if (once.compareAndSet(false, true)) {
        if (trace != null) {
          trace("retry " + (n + 1) + (changes.get() != seen ? " on a change" : " on the timer"));
        }
        changeWaiters.remove(waiter[0]);
        attempt(bytes, deadline, result, n + 1);
      }
    };
    waiter[0] = retry;
    long backoff = Math.min(BACKOFF_MAX_NANOS, BACKOFF_MIN_NANOS << Math.min(n, 5));
    long delay = Math.max(0, Math.min(backoff, deadline - ticker.getAsLong()));
    try {
      ScheduledFuture<?> timer = scheduler.schedule(retry, delay, TimeUnit.NANOSECONDS);
      result.whenComplete((r, e) -> timer.cancel(false));
      changeWaiters.add(retry);
      if (changes.get() != seen) {
        scheduler.execute(retry);
      }
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new StoreException("store '" + config.storeName() + "' is closed"));
    }
  }

  private void complete(CompletableFuture<Result> result, Result r) {
    switch (r.status()) {
      case Status.KEY_LIMIT -> result.completeExceptionally(new StoreLimitException("store '" + config.storeName()
          + "' is full: maxKeys=" + r.version()));
      case Status.BAD_COMMAND -> result.completeExceptionally(new StoreException("store refused the command: "
          + r.text()));
      default -> result.complete(r);
    }
  }

  private NoQuorumException noQuorum() {
    return new NoQuorumException("store '" + config.storeName() + "': this side of the cluster does not reach a "
        + "majority (" + config.majority() + ") of the voters " + config.voters());
  }

  private StoreTimeoutException timeout(Throwable cause) {
    return new StoreTimeoutException("store '" + config.storeName() + "' did not commit within "
        + config.operationTimeout() + "; the operation may have been applied", cause);
  }

  String leaderName() {
    RAFT r = raft;
    Address a = r == null ? null : r.leader();
    if (a == null) {
      return null;
    }
    String name = NameCache.get(a);
    return name != null ? name : a.toString();
  }

  /*
   * The leader this voter knows if it is alive as far as this member can tell: in the raft view and in the cluster
   * view; else null. After a crash the cluster's failure detection can drop the dead leader before the raft channel
   * does (or the other way round); a voter never sends anyone to a member it already knows is gone.
   */
  private String liveLeader() {
    RAFT r = raft;
    Address a = r == null ? null : r.leader();
    JChannel ch = channel;
    View v = ch == null ? null : ch.getView();
    if (a == null || v == null || !v.containsMember(a)) {
      return null;
    }
    String name = NameCache.get(a);
    name = name != null ? name : a.toString();
    return cluster.view().contains(name) ? name : null;
  }

  /*
   * Fail fast only when neither the raft view nor the cluster view holds a majority of the voters: right after a
   * crash the survivors' raft views can be split for a moment while the cluster view (its own failure detector)
   * still shows them together; then an election is coming and operations wait for it.
   */
  private boolean majorityReachable() {
    if (raftMajorityInView()) {
      return true;
    }
    int inCluster = 0;
    for (String voterName : config.voters()) {
      if (cluster.view().contains(voterName)) {
        inCluster++;
      }
    }
    return inCluster >= config.majority();
  }

  private boolean raftMajorityInView() {
    JChannel ch = channel;
    View v = ch == null ? null : ch.getView();
    if (v == null) {
      return false;
    }
    int present = 0;
    for (Address a : v.getMembersRaw()) {
      String name = NameCache.get(a);
      if (config.voters().contains(name != null ? name : a.toString())) {
        present++;
      }
    }
    return present >= config.majority();
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new StoreException(String.valueOf(c), c);
    }
  }

  // ---- API ------------------------------------------------------------------------------------------------------

  static String checkName(String what, String name) {
    if (name == null) {
      throw new NullPointerException(what);
    }
    int n = name.getBytes(StandardCharsets.UTF_8).length;
    if (n < 1 || n > Codec.MAX_NAME_BYTES) {
      throw new IllegalArgumentException(what + " must be 1..256 UTF-8 bytes: " + n + " bytes");
    }
    return name;
  }

  private byte[] checkValue(byte[] value) {
    if (value == null) {
      throw new NullPointerException("value");
    }
    if (value.length > config.maxValueBytes()) {
      throw new IllegalArgumentException("value must be at most maxValueBytes=" + config.maxValueBytes()
          + " bytes: " + value.length);
    }
    return value.clone();
  }

  long checkTtl(Duration ttl) {
    if (ttl == null) {
      throw new NullPointerException("ttl");
    }
    if (ttl.compareTo(config.minTtl()) < 0 || ttl.compareTo(config.maxTtl()) > 0) {
      throw new IllegalArgumentException("ttl must be in " + config.minTtl() + ".." + config.maxTtl() + ": " + ttl);
    }
    return ttl.toNanos();
  }

  static Command cmd(int op, String name, long a, long b, String holder, byte[] value) {
    return new Command(op, 0, name, a, b, holder, value);
  }

  @Override
  public Optional<Versioned> get(String key) {
    return join(getAsync(key));
  }

  @Override
  public CompletableFuture<Optional<Versioned>> getAsync(String key) {
    return execute(cmd(Op.GET, checkName("key", key), 0, 0, null, null)).thenApply(r -> r.status() == Status.OK
        ? Optional.of(new Versioned(r.value(), r.version())) : Optional.empty());
  }

  @Override
  public long put(String key, byte[] value) {
    return join(putAsync(key, value));
  }

  @Override
  public CompletableFuture<Long> putAsync(String key, byte[] value) {
    return execute(cmd(Op.PUT, checkName("key", key), 0, 0, null, checkValue(value))).thenApply(Result::version);
  }

  @Override
  public CasResult compareAndSet(String key, long expectedVersion, byte[] value) {
    return join(compareAndSetAsync(key, expectedVersion, value));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSetAsync(String key, long expectedVersion, byte[] value) {
    if (expectedVersion < 0) {
      throw new IllegalArgumentException("expectedVersion must be >= 0: " + expectedVersion);
    }
    return execute(cmd(Op.CAS, checkName("key", key), expectedVersion, 0, null, checkValue(value)))
        .thenApply(r -> new CasResult(r.status() == Status.OK, r.version()));
  }

  @Override
  public long delete(String key) {
    return join(deleteAsync(key));
  }

  @Override
  public CompletableFuture<Long> deleteAsync(String key) {
    return execute(cmd(Op.DELETE, checkName("key", key), -1, 0, null, null))
        .thenApply(r -> r.status() == Status.OK ? r.version() : 0L);
  }

  @Override
  public StoreCounter counter(String name) {
    return new DefaultCounter(this, checkName("name", name));
  }

  @Override
  public Optional<Lease> tryAcquire(String name, Duration ttl) {
    return join(tryAcquireAsync(name, ttl));
  }

  @Override
  public CompletableFuture<Optional<Lease>> tryAcquireAsync(String name, Duration ttl) {
    checkName("name", name);
    long ttlNanos = checkTtl(ttl);
    long start = ticker.getAsLong();
    return execute(cmd(Op.LEASE_ACQUIRE, name, ttlNanos, 0, holderId, null)).thenApply(r ->
        r.status() == Status.OK ? Optional.of(lease(name, r, start, ttlNanos)) : Optional.empty());
  }

  @Override
  public Lease acquire(String name, Duration ttl, Duration maxWait) {
    return join(acquireAsync(name, ttl, maxWait));
  }

  @Override
  public CompletableFuture<Lease> acquireAsync(String name, Duration ttl, Duration maxWait) {
    checkName("name", name);
    long ttlNanos = checkTtl(ttl);
    if (maxWait == null || maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
    }
    CompletableFuture<Lease> result = new CompletableFuture<>();
    acquireAttempt(name, ttlNanos, maxWait, ticker.getAsLong() + maxWait.toNanos(), 0, result);
    return result;
  }

  /*
   * One attempt of acquireAsync; while another holder has the lease, the next attempt is scheduled after a backoff
   * (10 ms doubling to 320 ms: the store does not notify releases), never past the holder's expiry (r.number(), by
   * the leader's clock) nor past maxWait. Each attempt is a new request bounded by the operation timeout.
   */
  private void acquireAttempt(String name, long ttlNanos, Duration maxWait, long end, int attempt,
      CompletableFuture<Lease> result) {
    long start = ticker.getAsLong();
    execute(cmd(Op.LEASE_ACQUIRE, name, ttlNanos, 0, holderId, null)).whenComplete((r, e) -> {
      if (e != null) {
        result.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
        return;
      }
      if (r.status() == Status.OK) {
        result.complete(lease(name, r, start, ttlNanos));
        return;
      }
      long left = end - ticker.getAsLong();
      if (left <= 0) {
        result.completeExceptionally(new StoreTimeoutException("lease '" + name + "' still held by another holder "
            + "after " + maxWait));
        return;
      }
      long backoff = Math.min(BACKOFF_MAX_NANOS, BACKOFF_MIN_NANOS << Math.min(attempt, 5));
      long wait = Math.max(1, Math.min(Math.min(backoff, r.number() > 0 ? r.number() : backoff), left));
      try {
        scheduler.schedule(() -> acquireAttempt(name, ttlNanos, maxWait, end, attempt + 1, result), wait,
            TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException ex) {
        result.completeExceptionally(new StoreException("store '" + config.storeName() + "' is closed", ex));
      }
    });
  }

  private Lease lease(String name, Result r, long start, long ttlNanos) {
    return new DefaultLease(this, name, r.version(), start + ttlNanos - config.maxClockDrift().toNanos());
  }

  @Override
  public Optional<LeaseInfo> leaseInfo(String name) {
    return join(leaseInfoAsync(name));
  }

  @Override
  public CompletableFuture<Optional<LeaseInfo>> leaseInfoAsync(String name) {
    return execute(cmd(Op.LEASE_GET, checkName("name", name), 0, 0, null, null)).thenApply(r ->
        r.status() == Status.OK ? Optional.of(new LeaseInfo(r.text(), r.version(), Duration.ofNanos(r.number())))
            : Optional.empty());
  }

  @Override
  public String holderId() {
    return holderId;
  }

  @Override
  public boolean hasQuorum() {
    if (closed.get()) {
      return false;
    }
    if (voter) {
      return leaderName() != null && raftMajorityInView();
    }
    return pickVoter(0) != null;
  }

  @Override
  public boolean awaitQuorum(Duration maxWait) {
    if (maxWait == null || maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
    }
    long end = ticker.getAsLong() + maxWait.toNanos();
    while (true) {
      long seen = changes.get();
      if (hasQuorum()) {
        return true;
      }
      long left = end - ticker.getAsLong();
      if (closed.get() || left <= 0) {
        return false;
      }
      try {
        // Quorum follows from the observed changes; the 1 s bound only guards against a change nobody reported.
        awaitChange(seen, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  @Override
  public boolean isVoter() {
    return voter;
  }

  @Override
  public Optional<String> leader() {
    return Optional.ofNullable(leaderName());
  }

  @Override
  public StoreStats stats() {
    RAFT r = raft;
    return new StoreStats(operations.sum(), failures.sum(), noQuorum.sum(), timeouts.sum(), latency.sum(),
        r != null && r.isLeader(), r == null ? 0 : r.currentTerm(), r == null ? 0 : r.commitIndex(),
        r == null ? 0 : r.logSize(), hasQuorum(), r == null ? 0 : sm.duplicates());
  }

  @Override
  public StoreConfig config() {
    return config;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  LongSupplier ticker() {
    return ticker;
  }

  /** Returns the raft channel of a voter, for tests that inject faults. */
  JChannel raftChannel() {
    return channel;
  }

  StoreStateMachine stateMachine() {
    return sm;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Registration reg : new Registration[] {registration, viewListener, announcements}) {
      if (reg != null) {
        try {
          reg.close();
        } catch (RuntimeException e) {
          LOG.debug("could not unregister from the cluster", e);
        }
      }
    }
    JChannel ch = channel;
    if (ch != null) {
      String logName = raft.logName();
      ch.close();
      if (config.logDirectory().isEmpty() && logName != null) {
        InMemoryLog.logs.remove(logName);
      }
    }
    for (CompletableFuture<byte[]> f : inFlight) {
      f.completeExceptionally(new StoreException("store '" + config.storeName() + "' was closed"));
    }
    for (CompletableFuture<Result> f : pending.keySet()) {
      f.completeExceptionally(new StoreException("store '" + config.storeName() + "' was closed"));
    }
    scheduler.shutdownNow();
    signalChange();
  }

  /** Stops the raft node abruptly, as a crash would: no leave, no goodbye. For fault tests. */
  void crash() {
    JChannel ch = channel;
    if (ch != null) {
      try {
        org.jgroups.util.Util.shutdown(ch);
      } catch (Exception e) {
        LOG.debug("abrupt shutdown failed", e);
      }
    }
    close();
  }

  @Override
  public String toString() {
    return "ClusterStore[" + config.storeName() + "/" + self + (voter ? ", voter" : "") + "]";
  }
}
