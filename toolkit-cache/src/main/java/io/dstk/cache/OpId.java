package io.dstk.cache;

/** The id of one write operation: the issuing cache instance (hi) and a counter (lo); retries keep the id. */
record OpId(long hi, long lo) {
  @Override
  public String toString() {
    return String.format("%016x%016x", hi, lo);
  }
}
