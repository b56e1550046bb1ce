package io.dstk.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dstk.cache.Wire.In;
import io.dstk.cache.Wire.Out;
import io.dstk.membership.Cluster;
import io.dstk.membership.Member;
import io.dstk.membership.MemberUnavailableException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/*
 * Moving whole states between members, in chunks of at most stateTransferChunkEntries entries and
 * stateTransferChunkBytes bytes (at least one entry), never more than maxMessageBytes with the header. DUMP/CHUNK
 * pulls a member's state: the serving member takes a snapshot of its entries and tombstones once per session (at most 64 sessions, dropped after 2 minutes idle) and
 * returns it chunk by chunk. INSTALL pushes this member's state to another, optionally replacing its state first.
 * Entries travel with their versions and are applied by version, so writes replicated meanwhile and chunks may
 * arrive in any order.
 */
final class StateTransfer<K, V> {
  private final CacheContext<K, V> ctx;
  private final CacheConfig<K, V> config;
  private final Cluster cluster;
  private final LocalStore<K, V> store;
  private final OrdererFence fence;
  private final Readiness readiness;
  private final Cache<String, List<Map.Entry<K, StoredEntry>>> dumpSessions;
  private final AtomicLong sessions = new AtomicLong();
  /** Bytes before the entries of a CHUNK (10) or INSTALL (7) message. */
  static final int CHUNK_HEADER_BYTES = 10;

  /** The member asked does not host this cache. */
  static final class NotHostingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotHostingException() {
      super(null, null, false, false);
    }
  }

  StateTransfer(CacheContext<K, V> ctx, LocalStore<K, V> store, OrdererFence fence, Readiness readiness) {
    this.ctx = ctx;
    this.config = ctx.config;
    this.cluster = ctx.cluster;
    this.store = store;
    this.fence = fence;
    this.readiness = readiness;
    this.dumpSessions = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(2)).maximumSize(64)
        .executor(Runnable::run).ticker(config.ticker()::getAsLong).build();
  }

  /** Serves one chunk of this member's state. A new orderer's first DUMP fences this member to it. */
  byte[] onDump(Member from, byte[] message) {
    In in = Wire.open(message, Wire.DUMP);
    long session = in.i64();
    int fromIndex = in.i32();
    boolean reconciling = in.remaining() > 0 && in.u8() == 1;
    if (reconciling && fromIndex == 0) {
      fence.fenceTo(from);
    }
    String sessionKey = from.name() + "/" + session;
    List<Map.Entry<K, StoredEntry>> all = dumpSessions.get(sessionKey, k -> store.entries());
    int[] next = {Math.max(0, fromIndex)};
    Out body = new Out(1024);
    int count = writeChunk(all, next, body, true);
    boolean last = next[0] >= all.size();
    if (last) {
      dumpSessions.invalidate(sessionKey);
    }
    return concat(Wire.message(Wire.CHUNK, 16).i32(last ? -1 : next[0]).i32(count), body);
  }

  /**
   * Writes entries from {@code all[next[0]]} into {@code body} until a chunk is full; advances {@code next[0]}. With
   * {@code skipBadKeys} an entry whose key cannot be encoded is skipped, else the codec's exception propagates.
   */
  private int writeChunk(List<Map.Entry<K, StoredEntry>> all, int[] next, Out body, boolean skipBadKeys) {
    int count = 0;
    int i = next[0];
    int limit = chunkLimit();
    while (i < all.size() && count < config.stateTransferChunkEntries()) {
      Map.Entry<K, StoredEntry> me = all.get(i);
      byte[] kb;
      try {
        kb = ctx.keyCodec.encode(me.getKey());
      } catch (RuntimeException ex) {
        if (skipBadKeys) {
          i++;
          continue;
        }
        throw ex;
      }
      StoredEntry e = me.getValue();
      if (count > 0 && body.size() + entryBytes(kb, e) > limit) {
        break; // the entry starts the next chunk
      }
      Wire.writeEntry(body, e.toWire(kb));
      count++;
      i++;
    }
    next[0] = i;
    return count;
  }

  /**
   * The most entry bytes in one chunk: the configured chunk size, cut so that the chunk with its header fits the
   * message cap. An entry alone always fits: CacheConfig checks that a replace (a key and two values) does.
   */
  private int chunkLimit() {
    return Math.min(config.stateTransferChunkBytes(), config.maxMessageBytes() - CHUNK_HEADER_BYTES);
  }

  /** The encoded size of one entry (see Wire.writeEntry). */
  static int entryBytes(byte[] key, StoredEntry e) {
    return 4 + key.length + 8 + 8 + 8 + 8 + 1 + (e.bytes == null ? 0 : 4 + e.bytes.length);
  }

  private static byte[] concat(Out head, Out body) {
    byte[] h = head.toArray();
    byte[] t = body.toArray();
    byte[] msg = Arrays.copyOf(h, h.length + t.length);
    System.arraycopy(t, 0, msg, h.length, t.length);
    return msg;
  }

  /** Receives one pushed chunk; the first may replace this member's state, the last makes it ready. */
  byte[] onInstall(Member from, byte[] message) {
    In in = Wire.open(message, Wire.INSTALL);
    if (!fence.isFencedTo(from)) {
      fence.fenceTo(from);
    }
    int flags = in.u8();
    int count = in.i32();
    if ((flags & 1) != 0) {
      readiness.set(false);
      store.clear();
    }
    ctx.counters.transferBytes.add(message.length);
    for (int i = 0; i < count; i++) {
      store.applyReceived(Wire.readEntry(in));
    }
    if ((flags & 2) != 0) {
      readiness.set(true);
    }
    return Wire.message(Wire.ACK, 3).u8(0).toArray();
  }

  /**
   * Pulls one member's whole state, chunk by chunk, handing each entry to the sink.
   *
   * @throws NotHostingException if the member does not host this cache
   * @throws CacheException if a chunk cannot be fetched
   */
  long pull(Member m, boolean reconciling, Predicate<Wire.WireEntry> sink) {
    long session = sessions.incrementAndGet();
    int from = 0;
    long entries = 0;
    while (from >= 0) {
      byte[] chunk = call(m, Wire.message(Wire.DUMP, 16).i64(session).i32(from).u8(reconciling ? 1 : 0).toArray(),
          "state transfer from");
      ctx.counters.transferBytes.add(chunk.length);
      In in = Wire.open(chunk, Wire.CHUNK);
      from = in.i32();
      int count = in.i32();
      for (int i = 0; i < count; i++) {
        sink.test(Wire.readEntry(in));
        entries++;
      }
    }
    return entries;
  }

  /**
   * Pushes this member's whole state to {@code m}, replacing its state first if {@code replace}.
   *
   * @throws NotHostingException if the member does not host this cache
   * @throws CacheException if a chunk cannot be delivered
   */
  void push(Member m, boolean replace) {
    List<Map.Entry<K, StoredEntry>> all = store.entries();
    int[] next = {0};
    boolean first = true;
    do {
      Out body = new Out(1024);
      int count = writeChunk(all, next, body, false);
      int flags = (first && replace ? 1 : 0) | (next[0] >= all.size() ? 2 : 0);
      call(m, concat(Wire.message(Wire.INSTALL, 8).u8(flags).i32(count), body), "install on");
      first = false;
    } while (next[0] < all.size());
  }

  private byte[] call(Member m, byte[] request, String what) {
    try {
      return cluster.request(m, ctx.rpc, request, ctx.transferPolicy)
          .get(config.writeTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable t = CacheContext.unwrap(e);
      if (CacheContext.notHosting(t)) {
        throw new NotHostingException();
      }
      throw new CacheException(what + " '" + m.name() + "' failed: " + t, t);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted", e);
    } catch (TimeoutException e) {
      throw new CacheException(what + " '" + m.name() + "' timed out", e);
    }
  }

  /** Whether no other member of the view hosts this cache (each answers "no handler" or is gone). */
  boolean noOtherHosts() {
    for (Member m : cluster.members()) {
      if (m.equals(cluster.self())) {
        continue;
      }
      try {
        cluster.request(m, ctx.rpc, Wire.message(Wire.DUMP, 16).i64(-1).i32(Integer.MAX_VALUE).u8(0).toArray(),
            ctx.transferPolicy).get(config.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return false;
      } catch (ExecutionException e) {
        Throwable t = CacheContext.unwrap(e);
        if (!CacheContext.notHosting(t) && !(t instanceof MemberUnavailableException)) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (TimeoutException e) {
        return false;
      }
    }
    return true;
  }
}
