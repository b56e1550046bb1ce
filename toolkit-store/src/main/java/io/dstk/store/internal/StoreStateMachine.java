package io.dstk.store.internal;

import io.dstk.store.internal.Codec.Command;
import io.dstk.store.internal.Codec.Op;
import io.dstk.store.internal.Codec.Result;
import io.dstk.store.internal.Codec.Status;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.jgroups.raft.StateMachine;

/**
 * The replicated state: a versioned map, counters and leases, driven only by committed commands.
 *
 * <p>Determinism: the outcome of a command depends only on the state and the command. Time enters only through the
 * stamp the leader writes into each command; the state keeps the largest stamp applied ({@link #time()}) and every
 * lease decision compares expiries with {@code max(time, stamp)}. The key cap is part of the state machine's
 * configuration and must be equal on every voter.
 *
 * <p>Thread safety: jgroups-raft applies commands on one thread; readers on other threads synchronize on this.
 */
public final class StoreStateMachine implements StateMachine {
  /** Hard cap on the number of entries a snapshot may hold, whatever the configuration says. */
  public static final int MAX_ENTRIES = 1_000_000;
  static final int SNAPSHOT_MAGIC = 0x44535453; // "DSTS"

  private final int maxKeys;
  private final TreeMap<String, Entry> map = new TreeMap<>();
  private final TreeMap<String, Long> counters = new TreeMap<>();
  private final TreeMap<String, LeaseRecord> leases = new TreeMap<>();
  private long revision;
  private long time;

  record Entry(long version, byte[] value) {}

  record LeaseRecord(String holder, long epoch, long expiry) {}

  /**
   * Creates an empty state machine.
   *
   * @param maxKeys the cap on map keys, counters and leases together
   */
  public StoreStateMachine(int maxKeys) {
    this.maxKeys = maxKeys;
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
   * Snapshot v1: i32 magic "DSTS", u8 version, i64 revision, i64 time,
   * i32 n, n x (string key, i64 version, bytes value),
   * i32 n, n x (string name, i64 value),
   * i32 n, n x (string name, string? holder, i64 epoch, i64 expiry).
   */

  @Override
  public synchronized void writeContentTo(DataOutput out) throws IOException {
    out.writeInt(SNAPSHOT_MAGIC);
    out.writeByte(Codec.VERSION);
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
  }

  @Override
  public synchronized void readContentFrom(DataInput in) throws IOException {
    int magic = in.readInt();
    if (magic != SNAPSHOT_MAGIC) {
      throw new IllegalArgumentException("not a store snapshot: magic " + Integer.toHexString(magic));
    }
    Codec.checkVersion(in.readUnsignedByte(), "snapshot");
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
    map.clear();
    map.putAll(m);
    counters.clear();
    counters.putAll(cs);
    leases.clear();
    leases.putAll(ls);
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
