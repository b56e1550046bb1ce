package io.dstk.membership.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.jgroups.util.Util;

/**
 * A JGroups {@code AUTH} token proving knowledge of the cluster's shared key without sending it: an HMAC-SHA256, keyed
 * with a key derived from the shared AES key, over the cluster name, the sender's address and the sending time.
 *
 * <p>Wire format (41 bytes): version byte {@code 1}, sending time (epoch millis, 8 bytes big-endian), HMAC (32 bytes).
 * A token is accepted if the HMAC matches the message's source address and its time is within {@link #MAX_SKEW} of
 * the receiver's clock, so a captured token is useless for another address and goes stale.
 *
 * <p>JGroups creates receiving instances by reflection (public no-argument constructor); those only carry the
 * decoded fields. The configured instance, created with the key, signs outgoing tokens and checks incoming ones.
 * Thread-safe: signing and checking keep no shared mutable state.
 */
public final class SharedKeyAuthToken extends AuthToken {
  /** The largest accepted difference between the sender's and the receiver's clocks. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  private static final byte VERSION = 1;
  private static final int MAC_BYTES = 32;
  private static final byte[] DERIVATION = "dstk membership AUTH key v1".getBytes(StandardCharsets.UTF_8);

  private final SecretKeySpec macKey;
  private final byte[] clusterName;
  private final InstantSource clock;
  private long time;
  private byte[] mac;

  /** Creates an empty token to be read from the wire (used by JGroups). */
  public SharedKeyAuthToken() {
    this.macKey = null;
    this.clusterName = null;
    this.clock = null;
  }

  /**
   * Creates the signing and checking token of a member.
   *
   * @param sharedKey the cluster's shared AES key
   * @param clusterName the cluster name, bound into every HMAC
   * @param clock the wall clock that stamps and checks tokens
   */
  public SharedKeyAuthToken(SecretKey sharedKey, String clusterName, InstantSource clock) {
    this.macKey = deriveMacKey(Objects.requireNonNull(sharedKey, "sharedKey"));
    this.clusterName = clusterName.getBytes(StandardCharsets.UTF_8);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns the wall clock that stamps and checks this member's tokens, so that a second channel of the member (e.g.
   * the store's raft channel) can sign with the same clock.
   *
   * @return the clock, or null on an instance read from the wire
   */
  public InstantSource clock() {
    return clock;
  }

  private static SecretKeySpec deriveMacKey(SecretKey key) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
      return new SecretKeySpec(m.doFinal(DERIVATION), "HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  @Override
  public String getName() {
    return SharedKeyAuthToken.class.getName();
  }

  @Override
  public int size() {
    return 1 + Long.BYTES + MAC_BYTES;
  }

  @Override
  public void writeTo(DataOutput out) throws IOException {
    long now;
    byte[] sig;
    if (macKey != null) {
      now = clock.millis();
      Address self = auth == null ? null : auth.getAddress();
      if (self == null) {
        throw new IOException("the local address is not known yet");
      }
      sig = hmac(now, self);
    } else if (mac != null) {
      now = time;
      sig = mac;
    } else {
      throw new IOException("token has neither a key nor a received value");
    }
    out.writeByte(VERSION);
    out.writeLong(now);
    out.write(sig);
  }

  @Override
  public void readFrom(DataInput in) throws IOException {
    byte version = in.readByte();
    if (version != VERSION) {
      throw new IOException("unknown AUTH token version " + version);
    }
    time = in.readLong();
    byte[] m = new byte[MAC_BYTES];
    in.readFully(m);
    mac = m;
  }

  @Override
  public boolean authenticate(AuthToken token, Message msg) {
    if (token == this && macKey != null) {
      return true; // a message this member sent to itself (e.g. a merge leader's own MERGE_REQ): never serialized
    }
    if (macKey == null || !(token instanceof SharedKeyAuthToken t) || t.mac == null || msg.getSrc() == null) {
      return false;
    }
    long skew = Math.abs(clock.millis() - t.time);
    if (skew > MAX_SKEW.toMillis()) {
      log.warn("rejecting AUTH token from %s: its time is %d ms away from ours", msg.getSrc(), skew);
      return false;
    }
    try {
      return MessageDigest.isEqual(hmac(t.time, msg.getSrc()), t.mac);
    } catch (IOException e) {
      return false;
    }
  }

  private byte[] hmac(long millis, Address address) throws IOException {
    byte[] addr;
    if (address instanceof org.jgroups.util.UUID u) {
      addr = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits())
          .array();
    } else {
      try {
        addr = Util.streamableToByteBuffer(address);
      } catch (Exception e) {
        throw new IOException("cannot encode address " + address, e);
      }
    }
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(macKey);
      m.update(clusterName);
      m.update((byte) 0);
      m.update(addr);
      m.update(ByteBuffer.allocate(Long.BYTES).putLong(millis).array());
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IOException("HmacSHA256 failed", e);
    }
  }

  @Override
  public String toString() {
    return "SharedKeyAuthToken[time=" + time + "]";
  }
}
