package io.dstk.cache;

import io.dstk.cache.Wire.In;
import io.dstk.cache.Wire.Out;
import io.dstk.membership.Cluster;
import io.dstk.membership.Member;
import io.dstk.membership.MembershipException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Both ends of replication, one-way. The orderer sends each write (APPLY) to every member it knows to host the cache
 * (the targets), naming the writer and the targets; each member applies it by version if it comes from the member it
 * accepts writes from (see OrdererFence) and acknowledges (ACK) straight to the writer, which tracks the confirmations
 * (WriteSubmitter). The writer's own copy of the APPLY tells it the version and whom to wait for. A writer that misses
 * an acknowledgement asks the member with a PROBE request whether it holds the version (or a newer one).
 */
final class SyncReplicator<K, V> {
  private static final Logger LOG = LoggerFactory.getLogger(SyncReplicator.class);

  /** An APPLY of a write this member issued: what the writer's confirmation tracking needs. */
  record OwnApply(OpId op, Version version, List<String> targets, long viewId, boolean acknowledged, int status) {}

  private final CacheContext<K, V> ctx;
  private final Cluster cluster;
  private final LocalStore<K, V> store;
  private final OrdererFence fence;
  /** APPLYs received. */
  final AtomicLong received = new AtomicLong();
  /** APPLYs refused because they did not come from this member's orderer. */
  final AtomicLong refused = new AtomicLong();
  /** Test hook: APPLYs to the members it accepts are not sent (as if lost with a crashing orderer). */
  volatile Predicate<Member> dropApplyTo = m -> false;
  /** Test hook: this member sends no ACK (as if each were lost). */
  volatile boolean dropAcks;

  SyncReplicator(CacheContext<K, V> ctx, LocalStore<K, V> store, OrdererFence fence) {
    this.ctx = ctx;
    this.cluster = ctx.cluster;
    this.store = store;
    this.fence = fence;
  }

  /**
   * Sends an ordered write to the targets (one-way); with {@code acknowledged} every target acknowledges to
   * {@code writer}. Only the writer's copy lists the targets (the members whose acknowledgements it awaits).
   */
  void sendApply(byte[] keyBytes, StoredEntry entry, Member writer, List<Member> targets, long viewId,
      boolean acknowledged) {
    if (targets.isEmpty()) {
      return;
    }
    Wire.WireEntry we = entry.toWire(keyBytes);
    byte[] toOthers = null;
    Predicate<Member> drop = dropApplyTo;
    for (Member t : targets) {
      if (drop.test(t)) {
        continue;
      }
      byte[] message;
      if (t.equals(writer)) {
        List<String> names = new ArrayList<>(targets.size());
        for (Member m : targets) {
          names.add(m.name());
        }
        message = encodeApply(acknowledged, writer.name(), viewId, names, we);
      } else {
        if (toOthers == null) {
          toOthers = encodeApply(acknowledged, writer.name(), viewId, List.of(), we);
        }
        message = toOthers;
      }
      try {
        cluster.send(t, ctx.writeTopic, message);
      } catch (MembershipException e) {
        // left the view (the writer then stops waiting for it) or this member is closing
        LOG.debug("cache '{}': could not send a write to {}: {}", ctx.name, t.name(), e.getMessage());
      }
    }
  }

  /** Encodes an APPLY: the flags, the writer, the orderer's view, the targets and the entry. */
  static byte[] encodeApply(boolean acknowledged, String writer, long viewId, List<String> targets,
      Wire.WireEntry entry) {
    Out out = Wire.message(Wire.APPLY, 96 + entry.key().length + (entry.value() == null ? 0 : entry.value().length)
        + 16 * targets.size());
    out.u8(acknowledged ? 1 : 0).utf8(writer).i64(viewId).i32(targets.size());
    for (String t : targets) {
      out.utf8(t);
    }
    Wire.writeEntry(out, entry);
    return out.toArray();
  }

  /**
   * The receiving end: applies an APPLY from the accepted orderer and acknowledges it to the writer. Returns what the
   * writer's tracking needs if this member is the writer, else null.
   */
  OwnApply onApply(Member from, byte[] message) {
    In in = Wire.open(message, Wire.APPLY);
    boolean acknowledged = (in.u8() & 1) != 0;
    String writer = in.utf8();
    long viewId = in.i64();
    int n = in.count(4);
    List<String> targets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      targets.add(in.utf8());
    }
    Wire.WireEntry we = Wire.readEntry(in);
    int status = fence.applyIfAccepted(from, cluster, () -> store.applyReceived(we));
    if (status == 2) {
      refused.incrementAndGet();
    }
    received.incrementAndGet();
    OpId op = new OpId(we.opHi(), we.opLo());
    Version version = new Version(we.epoch(), we.seq());
    if (writer.equals(cluster.self().name())) {
      return new OwnApply(op, version, List.copyOf(targets), viewId, acknowledged, status);
    }
    if (acknowledged && !dropAcks) {
      Optional<Member> to = cluster.view().member(writer);
      if (to.isPresent()) {
        byte[] ack = Wire.message(Wire.ACK, 40).i64(op.hi()).i64(op.lo()).i64(version.epoch())
            .i64(version.sequence()).u8(status).toArray();
        try {
          cluster.send(to.get(), ctx.writeTopic, ack);
        } catch (MembershipException e) {
          LOG.debug("cache '{}': could not acknowledge to {}: {}", ctx.name, writer, e.getMessage());
        }
      }
    }
    return null;
  }

  /** The PROBE request: whether this member holds the version of the key, or a newer one. */
  byte[] onProbe(byte[] message) {
    In in = Wire.open(message, Wire.PROBE);
    byte[] keyBytes = in.bytes();
    Version v = new Version(in.i64(), in.i64());
    return Wire.message(Wire.PROBE_STATE, 3).u8(holds(keyBytes, v)).toArray();
  }

  /** 0 if this member holds version {@code v} of the key or a newer one, 1 if not (yet), 2 if the key is undecodable. */
  int holds(byte[] keyBytes, Version v) {
    K key;
    try {
      key = ctx.keyCodec.decode(keyBytes);
    } catch (RuntimeException e) {
      return 2;
    }
    StoredEntry cur = store.current(key);
    return cur != null && !v.isNewerThan(cur.version) ? 0 : 1;
  }

  static byte[] probe(byte[] keyBytes, Version v) {
    return Wire.message(Wire.PROBE, 32 + keyBytes.length).bytes(keyBytes).i64(v.epoch()).i64(v.sequence()).toArray();
  }
}
