package io.dstk.store;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Wing &amp; Gong linearizability checker for the history of one key: searches for an order of the operations that
 * respects real time (an operation that completed before another started comes first) and the key's sequential
 * specification. Exponential in the worst case: for small histories (up to ~30 operations per key).
 *
 * <p>A map key is a versioned register whose state is (present, value, version), initially absent with version 0:
 * a write must return a version above the key's last one; a successful compare-and-set needs the current version (0
 * if absent) equal to the expected one, a failed one reports that current version; a delete of a present key returns
 * a version above its last one and makes it absent, a delete of an absent key returns 0; a read of an absent key
 * reports version 0. A counter is a 64-bit value, initially 0: an addition returns the previous value plus the delta,
 * a compare-and-set succeeds exactly when the value equals the expected one, a read returns the value.
 */
final class HistoryChecker {
  private HistoryChecker() {}

  enum Kind {
    WRITE,
    READ,
    CAS,
    DELETE,
    COUNTER_GET,
    COUNTER_ADD,
    COUNTER_CAS
  }

  /**
   * One completed operation: its kind, invocation and response times, and its arguments and outcome (the meaning of
   * {@code expected}, {@code value} and {@code version} depends on the kind, see the factories).
   */
  record Op(Kind kind, long invoke, long response, long expected, long value, boolean success, long version) {
    static Op write(long invoke, long response, long value, long version) {
      return new Op(Kind.WRITE, invoke, response, 0, value, true, version);
    }

    /** A read that found {@code value} at {@code version}, or nothing (version 0). */
    static Op read(long invoke, long response, long value, long version) {
      return new Op(Kind.READ, invoke, response, 0, value, true, version);
    }

    static Op cas(long invoke, long response, long expected, long value, boolean success, long version) {
      return new Op(Kind.CAS, invoke, response, expected, value, success, version);
    }

    /** A delete that returned {@code version} (0: the key was absent). */
    static Op delete(long invoke, long response, long version) {
      return new Op(Kind.DELETE, invoke, response, 0, 0, true, version);
    }

    static Op counterGet(long invoke, long response, long value) {
      return new Op(Kind.COUNTER_GET, invoke, response, 0, value, true, 0);
    }

    /** An addition of {@code delta} that returned {@code result}. */
    static Op counterAdd(long invoke, long response, long delta, long result) {
      return new Op(Kind.COUNTER_ADD, invoke, response, delta, result, true, 0);
    }

    static Op counterCas(long invoke, long response, long expect, long update, boolean success) {
      return new Op(Kind.COUNTER_CAS, invoke, response, expect, update, success, 0);
    }
  }

  static byte[] bytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long value(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  /**
   * Checks the history of one key (map operations only, or counter operations only).
   *
   * @param history the completed operations on the key, in any order
   * @return whether some real-time-respecting order satisfies the specification
   */
  static boolean isLinearizable(List<Op> history) {
    if (history.size() > 62) {
      throw new IllegalArgumentException("history too long for the checker: " + history.size());
    }
    return search(history, 0L, new long[] {0, 0, 0}, new HashSet<>());
  }

  /* state: {present (0/1), value, version} of a map key; state[1] is the value of a counter. */
  private static boolean search(List<Op> h, long done, long[] state, Set<List<Long>> seen) {
    if (Long.bitCount(done) == h.size()) {
      return true;
    }
    if (!seen.add(List.of(done, state[0], state[1], state[2]))) {
      return false;
    }
    long minResponse = Long.MAX_VALUE;
    for (int i = 0; i < h.size(); i++) {
      if ((done & (1L << i)) == 0) {
        minResponse = Math.min(minResponse, h.get(i).response());
      }
    }
    for (int i = 0; i < h.size(); i++) {
      if ((done & (1L << i)) != 0) {
        continue;
      }
      Op op = h.get(i);
      if (op.invoke() > minResponse) {
        continue; // some pending operation completed before this one started: it must go first
      }
      long[] next = step(op, state);
      if (next != null && search(h, done | (1L << i), next, seen)) {
        return true;
      }
    }
    return false;
  }

  private static long[] step(Op op, long[] s) {
    boolean present = s[0] == 1;
    long value = s[1];
    long version = s[2];
    switch (op.kind()) {
      case WRITE -> {
        return op.version() > version ? new long[] {1, op.value(), op.version()} : null;
      }
      case READ -> {
        boolean ok = op.version() == 0 ? !present : present && op.value() == value && op.version() == version;
        return ok ? s : null;
      }
      case CAS -> {
        long current = present ? version : 0;
        if (op.success()) {
          return current == op.expected() && op.version() > version ? new long[] {1, op.value(), op.version()}
              : null;
        }
        return current != op.expected() && op.version() == current ? s : null;
      }
      case DELETE -> {
        if (op.version() == 0) {
          return present ? null : s;
        }
        return present && op.version() > version ? new long[] {0, 0, op.version()} : null;
      }
      case COUNTER_GET -> {
        return op.value() == value ? s : null;
      }
      case COUNTER_ADD -> {
        return op.value() == value + op.expected() ? new long[] {s[0], op.value(), s[2]} : null;
      }
      default -> {
        if (op.success()) {
          return value == op.expected() ? new long[] {s[0], op.value(), s[2]} : null;
        }
        return value != op.expected() ? s : null;
      }
    }
  }
}
