package io.dstk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The table of recently applied operation ids: retention, size bound and clearing, in virtual time. */
class OpIdTableTest {
  private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 5_000); // readings wrap like System.nanoTime()

  @Test
  void remembersAnIdForTheRetentionOnly() {
    OpIdTable table = new OpIdTable(1_000, 10, now::get);
    table.put(new OpId(1, 1), new Version(1, 7));
    now.addAndGet(999);
    assertThat(table.get(new OpId(1, 1))).isEqualTo(new Version(1, 7));
    assertThat(table.get(new OpId(1, 2))).isNull();
    now.addAndGet(1);
    assertThat(table.get(new OpId(1, 1))).isNull();
    table.put(new OpId(1, 3), new Version(1, 8)); // purges what is past its retention
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void keepsAtMostMaxSizeIds_forgettingTheOldestFirst() {
    OpIdTable table = new OpIdTable(1_000_000, 3, now::get);
    for (int i = 1; i <= 5; i++) {
      table.put(new OpId(0, i), new Version(1, i));
      now.incrementAndGet();
    }
    assertThat(table.size()).isEqualTo(3);
    assertThat(table.get(new OpId(0, 1))).isNull();
    assertThat(table.get(new OpId(0, 2))).isNull();
    assertThat(table.get(new OpId(0, 5))).isEqualTo(new Version(1, 5));
  }

  @Test
  void anIdPutAgainIsKeptFromItsLatestPut() {
    OpIdTable table = new OpIdTable(1_000, 10, now::get);
    table.put(new OpId(2, 1), new Version(1, 1));
    now.addAndGet(600);
    table.put(new OpId(2, 1), new Version(2, 1));
    now.addAndGet(600);
    table.put(new OpId(2, 2), new Version(2, 2)); // purges the first put's queue entry, not the latest
    assertThat(table.get(new OpId(2, 1))).isEqualTo(new Version(2, 1));
  }

  @Test
  void clearForgetsEverything() {
    OpIdTable table = new OpIdTable(1_000, 10, now::get);
    table.put(new OpId(3, 1), new Version(1, 1));
    table.clear();
    assertThat(table.get(new OpId(3, 1))).isNull();
    assertThat(table.size()).isZero();
    table.put(new OpId(3, 2), new Version(1, 2));
    assertThat(table.get(new OpId(3, 2))).isEqualTo(new Version(1, 2));
  }
}
