package io.dstk.membership.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.protocols.AUTH;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/** The AUTH token proves the shared key for one address within a time window, and nothing else. */
class SharedKeyAuthTokenTest {
  private final AtomicLong now = new AtomicLong(1_764_000_000_000L);
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private final Address sender = UUID.randomUUID();

  private static SecretKey aes() throws Exception {
    KeyGenerator g = KeyGenerator.getInstance("AES");
    g.init(256);
    return g.generateKey();
  }

  private SharedKeyAuthToken signer(SecretKey key, String cluster, Address self) {
    SharedKeyAuthToken t = new SharedKeyAuthToken(key, cluster, clock);
    AUTH auth = new AUTH();
    auth.setAddress(self);
    t.setAuth(auth);
    return t;
  }

  /** What a receiver gets: the token written by the sender and read into a fresh instance. */
  private static SharedKeyAuthToken overTheWire(SharedKeyAuthToken sent) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    sent.writeTo(new DataOutputStream(bytes));
    assertThat(bytes.size()).isEqualTo(sent.size());
    SharedKeyAuthToken received = new SharedKeyAuthToken();
    received.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    return received;
  }

  private Message from(Address src) {
    return new EmptyMessage().setSrc(src);
  }

  @Test
  void tokenFromTheKeyHolderIsAcceptedForItsOwnAddressOnly() throws Exception {
    SecretKey key = aes();
    SharedKeyAuthToken checker = new SharedKeyAuthToken(key, "c", clock);
    SharedKeyAuthToken received = overTheWire(signer(key, "c", sender));

    assertThat(checker.authenticate(received, from(sender))).isTrue();
    assertThat(checker.authenticate(received, from(UUID.randomUUID()))).isFalse();
  }

  @Test
  void tokenMadeWithAnotherKeyOrClusterNameIsRejected() throws Exception {
    SecretKey key = aes();
    SharedKeyAuthToken checker = new SharedKeyAuthToken(key, "c", clock);
    assertThat(checker.authenticate(overTheWire(signer(aes(), "c", sender)), from(sender))).isFalse();
    assertThat(checker.authenticate(overTheWire(signer(key, "other", sender)), from(sender))).isFalse();
    assertThat(checker.authenticate(new SharedKeyAuthToken(), from(sender))).isFalse();
  }

  @Test
  void tokenOlderOrNewerThanTheAllowedSkewIsRejected() throws Exception {
    SecretKey key = aes();
    SharedKeyAuthToken checker = new SharedKeyAuthToken(key, "c", clock);
    SharedKeyAuthToken received = overTheWire(signer(key, "c", sender));
    long skew = SharedKeyAuthToken.MAX_SKEW.toMillis();

    now.addAndGet(skew);
    assertThat(checker.authenticate(received, from(sender))).isTrue();
    now.addAndGet(1);
    assertThat(checker.authenticate(received, from(sender))).isFalse();
    now.addAndGet(-2 * skew - 2);
    assertThat(checker.authenticate(received, from(sender))).isFalse();
  }
}
