package io.dstk.cache;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterView;
import io.dstk.membership.Member;
import io.dstk.membership.MemberUnavailableException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * What a member does when the view changes, on the cache's control thread. A member that becomes coordinator (first
 * member, crash or leave of the previous one, merge after a partition) reconciles: it reads the state of every
 * authoritative member, merges it by version (or through the merge policy in availability mode), starts an epoch
 * above every version seen and pushes the result to every member, replacing the state of members that are not
 * authoritative. Only then does it order writes. A member that cannot be read or written makes the whole
 * reconciliation start again: an orderer never starts from a partial picture of the survivors' state. Any other
 * member that is not ready pulls the whole state from the coordinator.
 */
final class Reconciler<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final CacheContext<K, V> ctx;
  private final CacheConfig<K, V> config;
  private final Cluster cluster;
  private final LocalStore<K, V> store;
  private final WriteOrderer<K, V> orderer;
  private final StateTransfer<K, V> transfer;
  private final Readiness readiness;
  private final EventDispatcher<K, V> events;
  private final QuorumHistory quorumHistory;

  Reconciler(CacheContext<K, V> ctx, LocalStore<K, V> store, WriteOrderer<K, V> orderer, StateTransfer<K, V> transfer,
      Readiness readiness, EventDispatcher<K, V> events, QuorumHistory quorumHistory) {
    this.ctx = ctx;
    this.config = ctx.config;
    this.cluster = ctx.cluster;
    this.store = store;
    this.orderer = orderer;
    this.transfer = transfer;
    this.readiness = readiness;
    this.events = events;
    this.quorumHistory = quorumHistory;
  }

  /** Handles a view; {@code subgroups} are the former partitions when the view is a merge, else null. */
  void handleView(ClusterView view, List<List<Member>> subgroups, boolean initial) {
    if (ctx.closed.get() || view.members().isEmpty()) {
      return;
    }
    if (cluster.isCoordinator()) {
      if (subgroups != null || !orderer.isOrdering() || initial || !readiness.ready) {
        reconcileUntilDone(view, subgroups);
      } else {
        orderer.continueInView(view.id());
      }
    } else {
      orderer.stopOrdering();
      if (initial || !readiness.ready) {
        pullFromCoordinator();
      }
    }
  }

  /** A joiner (or a member whose state was dropped) pulls the whole state from the coordinator in chunks. */
  private void pullFromCoordinator() {
    long start = ctx.now();
    while (!ctx.closed.get() && !readiness.ready) {
      if (cluster.isCoordinator()) {
        reconcileUntilDone(cluster.view(), null);
        return;
      }
      Member coordinator = cluster.coordinator();
      try {
        transfer.pull(coordinator, false, store::applyReceived);
        readiness.set(true); // not yet if this view lacks quorum: the next view pulls again
        ctx.counters.transferNanos.add(ctx.now() - start);
        return;
      } catch (StateTransfer.NotHostingException e) {
        if (transfer.noOtherHosts()) {
          readiness.set(true);
          return;
        }
      } catch (RuntimeException e) {
        LOG.debug("cache '{}': state transfer from {} failed, retrying", ctx.name, coordinator.name(), e);
      }
      if (!pause(100)) {
        return;
      }
    }
  }

  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis); // a retry back-off on the control thread, not a wait for a condition
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void reconcileUntilDone(ClusterView view, List<List<Member>> subgroups) {
    while (!ctx.closed.get() && cluster.isCoordinator() && cluster.view().id() == view.id()) {
      if (reconcile(view, subgroups) || !pause(200)) {
        return;
      }
    }
  }

  /** Returns true once this member orders writes; false if a member could not be read or written (retry). */
  private boolean reconcile(ClusterView view, List<List<Member>> subgroups) {
    orderer.stopOrdering();
    long start = ctx.now();
    Set<String> authoritative;
    try {
      authoritative = authoritative(view, subgroups);
    } catch (CacheException e) {
      LOG.warn("cache '{}': could not learn which side of the partition had quorum, will retry: {}", ctx.name,
          e.getMessage());
      return false;
    }
    if (authoritative != null && !authoritative.contains(cluster.self().name())) {
      store.clear();
    }
    orderer.resetHosts(); // learnt again below: every member read or installed hosts the cache
    Merge merge = new Merge(subgroups != null);
    int membersRead = 0;
    for (Member m : view.members()) {
      if (m.equals(cluster.self()) || (authoritative != null && !authoritative.contains(m.name()))) {
        continue;
      }
      try {
        merge.read.addAndGet(transfer.pull(m, true, merge::accept));
        orderer.addHost(m);
        membersRead++;
      } catch (StateTransfer.NotHostingException e) {
        // not hosting: nothing to read
      } catch (RuntimeException e) {
        LOG.warn("cache '{}': could not read the state of '{}' while reconciling, will retry: {}", ctx.name,
            m.name(), e.getMessage());
        return false; // never order with a partial picture of the survivors' state
      }
      if (cluster.view().id() != view.id()) {
        return false; // a newer view arrived; its handler reconciles again
      }
    }
    orderer.beginEpoch(Math.max(view.id(), merge.maxEpoch.get() + 1));
    for (Map.Entry<K, V> f : merge.fresh) {
      byte[] bytes = f.getValue() == null ? null : ctx.valueCodec.encode(f.getValue());
      OpId id = ctx.newOpId();
      store.forceApply(f.getKey(), new StoredEntry(orderer.nextVersion(), bytes, id.hi(), id.lo(), ctx.now()));
      merge.updated.incrementAndGet();
    }
    int replaced = 0;
    for (Member m : view.members()) {
      if (m.equals(cluster.self())) {
        continue;
      }
      boolean replace = authoritative != null && !authoritative.contains(m.name());
      try {
        transfer.push(m, replace);
        orderer.addHost(m);
        if (replace) {
          replaced++;
        }
      } catch (StateTransfer.NotHostingException e) {
        // not hosting
      } catch (RuntimeException e) {
        LOG.warn("cache '{}': could not push state to '{}', will retry: {}", ctx.name, m.name(), e.getMessage());
        return false;
      }
    }
    if (cluster.view().id() != view.id()) {
      return false;
    }
    ctx.counters.transferNanos.add(ctx.now() - start);
    orderer.serveView(view.id());
    readiness.set(true);
    if (merge.merging || membersRead > 0) {
      events.dispatch(new CacheEvent.Merged<>(membersRead, merge.read.get(), merge.updated.get(),
          merge.conflicts.get(), replaced));
    }
    return true;
  }

  /** Folds the entries read from other members into this member's state. */
  private final class Merge {
    final boolean merging;
    final boolean custom = config.partitionMode() == PartitionMode.AVAILABILITY;
    final AtomicLong maxEpoch = new AtomicLong(store.maxEpoch());
    final AtomicLong read = new AtomicLong();
    final AtomicLong updated = new AtomicLong();
    final AtomicLong conflicts = new AtomicLong();
    /** Values a merge policy created: stored under fresh versions once the new epoch starts. */
    final List<Map.Entry<K, V>> fresh = new ArrayList<>();

    Merge(boolean merging) {
      this.merging = merging;
    }

    boolean accept(Wire.WireEntry we) {
      maxEpoch.accumulateAndGet(we.epoch(), Math::max);
      K key;
      try {
        key = ctx.keyCodec.decode(we.key());
      } catch (RuntimeException e) {
        return false;
      }
      StoredEntry incoming = StoredEntry.fromWire(we, ctx.now());
      try {
        return merge(key, incoming);
      } finally {
        store.rememberOp(key, incoming); // applied somewhere, whether or not it is kept here
      }
    }

    private boolean merge(K key, StoredEntry incoming) {
      StoredEntry mine = store.current(key);
      if (custom && merging && mine != null && !mine.version.equals(incoming.version)) {
        conflicts.incrementAndGet();
        VersionedValue<V> a = new VersionedValue<>(mine.tomb() ? null : store.decodeOrNull(mine), mine.version);
        VersionedValue<V> b = new VersionedValue<>(incoming.tomb() ? null : store.decodeOrNull(incoming),
            incoming.version);
        VersionedValue<V> chosen = config.mergePolicy().merge(key, a, b);
        if (chosen == b || chosen.equals(b)) {
          if (store.forceApply(key, incoming)) {
            updated.incrementAndGet();
          }
        } else if (chosen != a && !chosen.equals(a)) {
          fresh.add(new AbstractMap.SimpleEntry<>(key, chosen.value()));
        }
        return true;
      }
      if (mine != null && incoming.version.isNewerThan(mine.version) && merging) {
        conflicts.incrementAndGet();
      }
      if (store.apply(key, incoming)) {
        updated.incrementAndGet();
      }
      return true;
    }
  }

  /**
   * In consistency mode after a merge: the members of the one subgroup whose partition had quorum just before the
   * merge, as membership judged it for writes (by expected members or by voters; each member remembers its own
   * partition's verdict and the coordinator asks them). That side is the only one that could acknowledge writes
   * during the split. Null means "every member, newest version wins": when no subgroup had quorum (no side accepted
   * writes during the split, so nothing a side holds can be newer than an acknowledged write of another; a subgroup
   * may still hold writes acknowledged before a cascade of failures shrank it, which the version merge keeps), and
   * when more than one did (quorum not tracked, or more members running than expected: both sides accepted writes,
   * and a version merge keeps the most).
   *
   * @throws CacheException if a member could not be asked (the reconciliation is retried)
   */
  private Set<String> authoritative(ClusterView view, List<List<Member>> subgroups) {
    if (subgroups == null || config.partitionMode() == PartitionMode.AVAILABILITY) {
      return null;
    }
    long deadline = ctx.now() + config.replicationTimeout().toNanos();
    List<Member> majority = null;
    for (List<Member> g : subgroups) {
      if (hadQuorum(g, view.id(), deadline)) {
        if (majority != null) {
          LOG.warn("cache '{}': two sides of a partition both had quorum ({} and {}): quorum is not tracked or more "
              + "members ran than expected; merging them by version", ctx.name, majority, g);
          return null;
        }
        majority = g;
      }
    }
    if (majority == null) {
      return null;
    }
    Set<String> names = new HashSet<>();
    majority.forEach(m -> names.add(m.name()));
    return names;
  }

  /**
   * Whether the partition of {@code group} had quorum before merge view {@code mergeViewId}: yes if any member says
   * so. Members that have not seen the merge view yet are asked again until {@code deadline}; then they count as
   * having had quorum (a version merge with the other sides is the safe outcome).
   */
  private boolean hadQuorum(List<Member> group, long mergeViewId, long deadline) {
    while (true) {
      boolean unknown = false;
      for (Member m : group) {
        int answer = m.equals(cluster.self()) ? quorumHistory.hadQuorumBeforeMerge(mergeViewId)
            : askQuorum(m, mergeViewId);
        if (answer == QuorumHistory.YES) {
          return true;
        }
        unknown |= answer == QuorumHistory.UNKNOWN;
      }
      if (!unknown) {
        return false;
      }
      if (ctx.now() - deadline > 0) {
        LOG.warn("cache '{}': members of {} did not learn of merge view {} in time; counting their side as having "
            + "had quorum", ctx.name, group, mergeViewId);
        return true;
      }
      if (cluster.view().id() != mergeViewId) {
        throw new CacheException("a newer view than " + mergeViewId + " arrived");
      }
      if (!pause(50)) {
        throw new CacheException("interrupted");
      }
    }
  }

  private int askQuorum(Member m, long mergeViewId) {
    byte[] request = Wire.message(Wire.QUORUM, 10).i64(mergeViewId).toArray();
    try {
      byte[] reply = cluster.request(m, ctx.rpc, request, ctx.transferPolicy)
          .get(config.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      int answer = Wire.open(reply, Wire.QUORUM_STATE).u8();
      if (answer > QuorumHistory.UNKNOWN) {
        throw new CacheException("'" + m.name() + "' answered quorum state " + answer);
      }
      return answer;
    } catch (ExecutionException e) {
      Throwable t = CacheContext.unwrap(e);
      if (CacheContext.notHosting(t) || t instanceof MemberUnavailableException) {
        return QuorumHistory.NO; // holds nothing of this cache, or is gone
      }
      throw new CacheException("asking '" + m.name() + "' for its partition's quorum failed: " + t, t);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted", e);
    } catch (TimeoutException e) {
      throw new CacheException("asking '" + m.name() + "' for its partition's quorum timed out", e);
    } catch (IllegalArgumentException e) {
      throw new CacheException("'" + m.name() + "' sent a malformed quorum state: " + e.getMessage(), e);
    }
  }
}
