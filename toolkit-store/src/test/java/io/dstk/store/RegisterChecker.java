package io.dstk.store;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Wing &amp; Gong linearizability checker for one versioned register: searches for an order of the operations that
 * respects real time (an operation that completed before another started comes first) and the register's sequential
 * specification. The state is (value, version); 0/0 is the absent key. Writes must return a version above the
 * current one; a successful compare-and-set needs the current version equal to the expected one, a failed one
 * reports the current version. Exponential in the worst case: for small histories (up to ~30 operations).
 */
final class RegisterChecker {
  private RegisterChecker() {}

  enum Kind {
    WRITE,
    READ,
    CAS
  }

  record Op(Kind kind, long invoke, long response, long expected, long value, boolean success, long version) {
    static Op write(long invoke, long response, long value, long version) {
      return new Op(Kind.WRITE, invoke, response, 0, value, true, version);
    }

    static Op read(long invoke, long response, long value, long version) {
      return new Op(Kind.READ, invoke, response, 0, value, true, version);
    }

    static Op cas(long invoke, long response, long expected, long value, boolean success, long version) {
      return new Op(Kind.CAS, invoke, response, expected, value, success, version);
    }
  }

  static byte[] bytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long value(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  static boolean isLinearizable(List<Op> history) {
    if (history.size() > 62) {
      throw new IllegalArgumentException("history too long for the checker: " + history.size());
    }
    return search(history, 0L, 0, 0, new HashSet<>());
  }

  private static boolean search(List<Op> h, long done, long value, long version, Set<List<Long>> seen) {
    if (Long.bitCount(done) == h.size()) {
      return true;
    }
    if (!seen.add(List.of(done, value, version))) {
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
      long[] next = step(op, value, version);
      if (next != null && search(h, done | (1L << i), next[0], next[1], seen)) {
        return true;
      }
    }
    return false;
  }

  private static long[] step(Op op, long value, long version) {
    switch (op.kind()) {
      case WRITE -> {
        return op.version() > version ? new long[] {op.value(), op.version()} : null;
      }
      case READ -> {
        return op.value() == value && op.version() == version ? new long[] {value, version} : null;
      }
      default -> {
        if (op.success()) {
          return version == op.expected() && op.version() > version ? new long[] {op.value(), op.version()} : null;
        }
        return version != op.expected() && op.version() == version ? new long[] {value, version} : null;
      }
    }
  }
}
