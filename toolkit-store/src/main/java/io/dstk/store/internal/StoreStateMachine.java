package io.dstk.store.internal;

import io.dstk.store.internal.Codec.Command;
import io.dstk.store.internal.Codec.Op;
import io.dstk.store.internal.Codec.Result;
import io.dstk.store.internal.Codec.Status;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jgroups.raft.StateMachine;

/**
 * The replicated state: a versioned map, counters and leases, driven only by committed commands.
 *
 * <p>Determinism: the outcome of a command depends only on the state and the command. Time enters only through the
 * stamp the leader writes into each command; the state keeps the largest stamp applied ({@link #time()}) and every
 * lease decision compares expiries with {@code max(time, stamp)}. The key cap is part of the state machine's
 * configuration and must be equal on every voter, like the bounds of the table of recent requests.
 *
 * <p>Duplicates: a command with a request id ({@link Command#hasRequestId()}) that is already in the table of recent
 * requests is not applied again; its first result is returned. The table keeps the results of the latest mutating
 * commands in apply order, at most {@code dedupMaxEntries} of them and none older (by store time) than
 * {@code dedupMaxAgeNanos}; it is part of the snapshot.
 *
 * <p>Thread safety: jgroups-raft applies commands on one thread; readers on other threads synchronize on this.
 */
public final class StoreStateMachine implements StateMachine {
  /** Hard cap on the number of entries a snapshot may hold, whatever the configuration says. */
  public static final int MAX_ENTRIES = 1_000_000;
  static final int SNAPSHOT_MAGIC = 0x44535453; // "DSTS"
  /** Format version of snapshots written; version 1 (without the table of recent requests) is still read. */
  static final int SNAPSHOT_VERSION = 2;
  /** Default bound on the table of recent requests. */
  public static final int DEFAULT_DEDUP_ENTRIES = 50_000;
  /** Default age bound on the table of recent requests, in store nanoseconds. */
  public static final long DEFAULT_DEDUP_AGE_NANOS = 60_000_000_000L;

  private final int maxKeys;
  private final int dedupMaxEntries;
  private final long dedupMaxAgeNanos;
  private final LinkedHashMap<RequestId, Recent> recent = new LinkedHashMap<>();
  private long duplicates;
  private final TreeMap<String, Entry> map = new TreeMap<>();
  private final TreeMap<String, Long> counters = new TreeMap<>();
  private final TreeMap<String, LeaseRecord> leases = new TreeMap<>();
  private long revision;
  private long time;

  record Entry(long version, byte[] value) {}

  record LeaseRecord(String holder, long epoch, long expiry) {}

  record RequestId(long client, long seq) {}

  record Recent(long time, Result result) {}

  /**
   * Creates an empty state machine with the default bounds on the table of recent requests.
   *
   * @param maxKeys the cap on map keys, counters and leases together
   */
  public StoreStateMachine(int maxKeys) {
    this(maxKeys, DEFAULT_DEDUP_ENTRIES, DEFAULT_DEDUP_AGE_NANOS);
  }

  /**
   * Creates an empty state machine.
   *
   * @param maxKeys the cap on map keys, counters and leases together
   * @param dedupMaxEntries the most request results remembered to answer duplicates
   * @param dedupMaxAgeNanos how long (in store time) a request result is remembered
   */
  public StoreStateMachine(int maxKeys, int dedupMaxEntries, long dedupMaxAgeNanos) {
    this.maxKeys = maxKeys;
    this.dedupMaxEntries = dedupMaxEntries;
    this.dedupMaxAgeNanos = dedupMaxAgeNanos;
  }

  /**
   * Returns how many duplicate commands were answered from the table of recent requests instead of being applied.
   *
   * @return the count since this state machine was created
   */
  public synchronized long duplicates() {
    return duplicates;
  }

  /**
   * Returns the number of request results remembered.
   *
   * @return the size of the table of recent requests
   */
  public synchronized int recentRequests() {
    return recent.size();
  }

  /**
   * Returns the largest leader stamp applied so far: the store's clock, in nanoseconds.
   *
   * @return the store time
   */
  public synchronized long time() {
    return time;
  }

  /**
   * Returns the number of map keys, counters and leases.
   *
   * @return the entry count
   */
  public synchronized int size() {
    return map.size() + counters.size() + leases.size();
  }

  @Override
  public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) {
    Result r;
    try {
      r = apply(Codec.decodeCommand(data, offset, length));
    } catch (IllegalArgumentException e) {
      r = new Result(Status.BAD_COMMAND, 0, 0, e.getMessage(), null);
    }
    return serializeResponse ? Codec.encode(r) : null;
  }

  /**
   * Applies one decoded command.
   *
   * @param c the command
   * @return the result
   */
  public synchronized Result apply(Command c) {
    time = Math.max(time, c.stamp());
    expireRecent();
    if (!c.hasRequestId()) {
      return execute(c);
    }
    RequestId id = new RequestId(c.client(), c.seq());
    Recent seen = recent.get(id);
    if (seen != null) {
      duplicates++;
      return seen.result();
    }
    Result r = execute(c);
    recent.put(id, new Recent(time, r));
    if (recent.size() > dedupMaxEntries) {
      Iterator<Recent> it = recent.values().iterator();
      it.next();
      it.remove();
    }
    return r;
  }

  /* Entries are in apply order and store time never decreases, so the oldest are first. */
  private void expireRecent() {
    Iterator<Recent> it = recent.values().iterator();
    while (it.hasNext()) {
      if (time - it.next().time() <= dedupMaxAgeNanos) {
        return;
      }
      it.remove();
    }
  }

  private Result execute(Command c) {
    long now = time;
    String k = c.name();
    switch (c.op()) {
      case Op.GET -> {
        Entry e = map.get(k);
        return e == null ? Result.of(Status.NOT_FOUND, 0) : new Result(Status.OK, e.version(), 0, null, e.value());
      }
      case Op.PUT -> {
        if (c.value() == null) {
          return bad("put without a value");
        }
        if (!map.containsKey(k) && full()) {
          return Result.of(Status.KEY_LIMIT, maxKeys);
        }
        map.put(k, new Entry(++revision, c.value()));
        return Result.of(Status.OK, revision);
      }
      case Op.CAS -> {
        if (c.value() == null) {
          return bad("compareAndSet without a value");
        }
        Entry e = map.get(k);
        long current = e == null ? 0 : e.version();
        if (current != c.a()) {
          return Result.of(Status.VERSION_MISMATCH, current);
        }
        if (e == null && full()) {
          return Result.of(Status.KEY_LIMIT, maxKeys);
        }
        map.put(k, new Entry(++revision, c.value()));
        return Result.of(Status.OK, revision);
      }
      case Op.DELETE -> {
        Entry e = map.get(k);
        if (e == null) {
          return Result.of(Status.NOT_FOUND, 0);
        }
        if (c.a() >= 0 && e.version() != c.a()) {
          return Result.of(Status.VERSION_MISMATCH, e.version());
        }
        map.remove(k);
        return Result.of(Status.OK, ++revision);
      }
      case Op.COUNTER_GET -> {
        return Result.of(Status.OK, counters.getOrDefault(k, 0L));
      }
      case Op.COUNTER_ADD -> {
        Long v = counters.get(k);
        if (v == null && full()) {
          return Result.of(Status.KEY_LIMIT, maxKeys);
        }
        long n;
        try {
          n = Math.addExact(v == null ? 0 : v, c.a());
        } catch (ArithmeticException e) {
          return bad("counter '" + k + "' would overflow");
        }
        counters.put(k, n);
        return Result.of(Status.OK, n);
      }
      case Op.COUNTER_CAS -> {
        Long v = counters.get(k);
        long current = v == null ? 0 : v;
        if (current != c.a()) {
          return Result.of(Status.VERSION_MISMATCH, current);
        }
        if (v == null && full()) {
          return Result.of(Status.KEY_LIMIT, maxKeys);
        }
        counters.put(k, c.b());
        return Result.of(Status.OK, c.b());
      }
      case Op.LEASE_ACQUIRE -> {
        if (c.holder() == null || c.a() <= 0) {
          return bad("acquire needs a holder and a positive ttl");
        }
        LeaseRecord l = leases.get(k);
        if (l != null && l.holder() != null && now < l.expiry()) {
          return new Result(Status.LEASE_HELD, l.epoch(), l.expiry() - now, l.holder(), null);
        }
        if (l == null && full()) {
          return Result.of(Status.KEY_LIMIT, maxKeys);
        }
        long epoch = (l == null ? 0 : l.epoch()) + 1;
        leases.put(k, new LeaseRecord(c.holder(), epoch, now + c.a()));
        return new Result(Status.OK, epoch, c.a(), c.holder(), null);
      }
      case Op.LEASE_RENEW -> {
        LeaseRecord l = leases.get(k);
        if (c.holder() == null || c.b() <= 0) {
          return bad("renew needs a holder and a positive ttl");
        }
        if (l == null || !c.holder().equals(l.holder()) || l.epoch() != c.a() || now >= l.expiry()) {
          return lost(l, now);
        }
        leases.put(k, new LeaseRecord(l.holder(), l.epoch(), now + c.b()));
        return new Result(Status.OK, l.epoch(), c.b(), l.holder(), null);
      }
      case Op.LEASE_RELEASE -> {
        LeaseRecord l = leases.get(k);
        if (l == null || c.holder() == null || !c.holder().equals(l.holder()) || l.epoch() != c.a()
            || now >= l.expiry()) {
          return lost(l, now);
        }
        leases.put(k, new LeaseRecord(null, l.epoch(), now));
        return Result.of(Status.OK, l.epoch());
      }
      case Op.LEASE_GET -> {
        LeaseRecord l = leases.get(k);
        if (l == null || l.holder() == null || now >= l.expiry()) {
          return Result.of(Status.NOT_FOUND, l == null ? 0 : l.epoch());
        }
        return new Result(Status.OK, l.epoch(), l.expiry() - now, l.holder(), null);
      }
      default -> {
        return bad("unknown operation " + c.op());
      }
    }
  }

  private static Result lost(LeaseRecord l, long now) {
    if (l == null) {
      return Result.of(Status.LEASE_LOST, 0);
    }
    boolean live = l.holder() != null && now < l.expiry();
    return new Result(Status.LEASE_LOST, l.epoch(), live ? l.expiry() - now : 0, live ? l.holder() : null, null);
  }

  private static Result bad(String message) {
    return new Result(Status.BAD_COMMAND, 0, 0, message, null);
  }

  private boolean full() {
    return map.size() + counters.size() + leases.size() >= maxKeys;
  }

  /*
   * Snapshot v2: i32 magic "DSTS", u8 version, i64 revision, i64 time,
   * i32 n, n x (string key, i64 version, bytes value),
   * i32 n, n x (string name, i64 value),
   * i32 n, n x (string name, string? holder, i64 epoch, i64 expiry),
   * i32 n, n x (i64 client, i64 seq, i64 time, result body: u8 status, i64 version, i64 number, string? text,
   * bytes value), oldest first.
   * Snapshot v1 is the same without the last section.
   */

  @Override
  public synchronized void writeContentTo(DataOutput out) throws IOException {
    out.writeInt(SNAPSHOT_MAGIC);
    out.writeByte(SNAPSHOT_VERSION);
    out.writeLong(revision);
    out.writeLong(time);
    out.writeInt(map.size());
    for (Map.Entry<String, Entry> e : map.entrySet()) {
      Codec.writeString(out, e.getKey());
      out.writeLong(e.getValue().version());
      Codec.writeBytes(out, e.getValue().value());
    }
    out.writeInt(counters.size());
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      Codec.writeString(out, e.getKey());
      out.writeLong(e.getValue());
    }
    out.writeInt(leases.size());
    for (Map.Entry<String, LeaseRecord> e : leases.entrySet()) {
      Codec.writeString(out, e.getKey());
      Codec.writeOptionalString(out, e.getValue().holder());
      out.writeLong(e.getValue().epoch());
      out.writeLong(e.getValue().expiry());
    }
    out.writeInt(recent.size());
    for (Map.Entry<RequestId, Recent> e : recent.entrySet()) {
      out.writeLong(e.getKey().client());
      out.writeLong(e.getKey().seq());
      out.writeLong(e.getValue().time());
      Codec.writeResultBody(out, e.getValue().result());
    }
  }

  @Override
  public synchronized void readContentFrom(DataInput in) throws IOException {
    int magic = in.readInt();
    if (magic != SNAPSHOT_MAGIC) {
      throw new IllegalArgumentException("not a store snapshot: magic " + Integer.toHexString(magic));
    }
    int version = in.readUnsignedByte();
    if (version != 1 && version != SNAPSHOT_VERSION) {
      throw new IllegalArgumentException("snapshot format version " + version + " is not supported (expected 1 or "
          + SNAPSHOT_VERSION + ")");
    }
    long rev = in.readLong();
    long t = in.readLong();
    TreeMap<String, Entry> m = new TreeMap<>();
    int n = count(in);
    for (int i = 0; i < n; i++) {
      String k = Codec.readString(in, Codec.MAX_NAME_BYTES);
      long v = in.readLong();
      byte[] value = Codec.readBytes(in, Codec.MAX_VALUE_BYTES);
      if (value == null) {
        throw new IllegalArgumentException("snapshot entry '" + k + "' has no value");
      }
      m.put(k, new Entry(v, value));
    }
    TreeMap<String, Long> cs = new TreeMap<>();
    n = count(in);
    for (int i = 0; i < n; i++) {
      cs.put(Codec.readString(in, Codec.MAX_NAME_BYTES), in.readLong());
    }
    TreeMap<String, LeaseRecord> ls = new TreeMap<>();
    n = count(in);
    for (int i = 0; i < n; i++) {
      String name = Codec.readString(in, Codec.MAX_NAME_BYTES);
      String holder = Codec.readOptionalString(in, Codec.MAX_HOLDER_BYTES);
      ls.put(name, new LeaseRecord(holder, in.readLong(), in.readLong()));
    }
    LinkedHashMap<RequestId, Recent> rs = new LinkedHashMap<>();
    n = version == 1 ? 0 : count(in);
    for (int i = 0; i < n; i++) {
      RequestId id = new RequestId(in.readLong(), in.readLong());
      rs.put(id, new Recent(in.readLong(), Codec.readResultBody(in)));
    }
    map.clear();
    map.putAll(m);
    counters.clear();
    counters.putAll(cs);
    leases.clear();
    leases.putAll(ls);
    recent.clear();
    recent.putAll(rs);
    while (recent.size() > dedupMaxEntries) {
      Iterator<Recent> it = recent.values().iterator();
      it.next();
      it.remove();
    }
    revision = rev;
    time = t;
  }

  private static int count(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_ENTRIES) {
      throw new IllegalArgumentException("snapshot count " + n + " outside 0.." + MAX_ENTRIES);
    }
    return n;
  }
}
