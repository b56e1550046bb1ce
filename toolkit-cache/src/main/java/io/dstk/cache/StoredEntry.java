package io.dstk.cache;

/** One stored entry: a value (bytes, lazily decoded) or a tombstone, with its version and operation id. */
final class StoredEntry {
  static final Object UNDECODED = new Object();

  final Version version;
  final byte[] bytes;
  final long opHi;
  final long opLo;
  final long bornNanos;
  volatile Object decoded = UNDECODED;

  StoredEntry(Version version, byte[] bytes, long opHi, long opLo, long bornNanos) {
    this.version = version;
    this.bytes = bytes;
    this.opHi = opHi;
    this.opLo = opLo;
    this.bornNanos = bornNanos;
  }

  boolean tomb() {
    return bytes == null;
  }

  boolean hasOpId() {
    return opHi != 0 || opLo != 0;
  }

  Wire.WireEntry toWire(byte[] keyBytes) {
    return new Wire.WireEntry(keyBytes, version.epoch(), version.sequence(), opHi, opLo, bytes);
  }

  static StoredEntry fromWire(Wire.WireEntry we, long nowNanos) {
    return new StoredEntry(new Version(we.epoch(), we.seq()), we.value(), we.opHi(), we.opLo(), nowNanos);
  }
}
