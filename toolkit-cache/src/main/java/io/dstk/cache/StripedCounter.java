package io.dstk.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter for the read path that costs a plain load and store: each thread increments one of 32 cells (one cache
 * line apart, chosen by its thread id) without an atomic read-modify-write. Two threads that share a cell and
 * increment at the same instant can lose an increment, so under heavy concurrent reads the sum may undercount
 * slightly; it never overcounts. Sums are read off the hot path.
 */
final class StripedCounter {
  private static final int STRIPES = 32;
  private static final int PAD = 8; // longs per 64-byte line
  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

  private final long[] cells = new long[(STRIPES + 2) * PAD];

  void increment() {
    int i = (cell() + 1) * PAD;
    CELLS.setOpaque(cells, i, (long) CELLS.getOpaque(cells, i) + 1);
  }

  private static int cell() {
    // Fibonacci hashing spreads consecutive thread ids over the cells
    return (int) ((Thread.currentThread().getId() * 0x9E3779B97F4A7C15L) >>> 59);
  }

  long sum() {
    long s = 0;
    for (int c = 1; c <= STRIPES; c++) {
      s += (long) CELLS.getOpaque(cells, c * PAD);
    }
    return s;
  }
}
