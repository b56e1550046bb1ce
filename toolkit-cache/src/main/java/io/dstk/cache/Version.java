package io.dstk.cache;

/**
 * The version of one write: the epoch of the ordering member's term and a sequence number within it. Versions compare
 * by epoch, then sequence. A new orderer starts an epoch above every version any surviving member holds, so within a
 * cluster that keeps a majority no version is issued twice.
 *
 * @param epoch the orderer's term, at least 1 for real writes
 * @param sequence the position within the term, at least 1 for real writes
 */
public record Version(long epoch, long sequence) implements Comparable<Version> {

  /** The version below every real write. */
  public static final Version ZERO = new Version(0, 0);

  /**
   * Validates the version.
   *
   * @throws IllegalArgumentException if a component is negative
   */
  public Version {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0: " + epoch);
    }
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0: " + sequence);
    }
  }

  @Override
  public int compareTo(Version o) {
    int c = Long.compare(epoch, o.epoch);
    return c != 0 ? c : Long.compare(sequence, o.sequence);
  }

  /**
   * Returns whether this version is newer than another.
   *
   * @param o the other version
   * @return true if strictly greater
   */
  public boolean isNewerThan(Version o) {
    return compareTo(o) > 0;
  }

  @Override
  public String toString() {
    return epoch + "." + sequence;
  }
}
