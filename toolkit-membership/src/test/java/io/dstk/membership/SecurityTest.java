package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS: members with trusted keys form a cluster; a process with an untrusted key cannot join or talk. */
class SecurityTest {
  private static final String PASSWORD = "changeit";
  private TestCluster kit;
  private Cluster intruder;

  @AfterEach
  void tearDown() {
    if (intruder != null) {
      intruder.close();
    }
    if (kit != null) {
      kit.close();
    }
  }

  private static void keytool(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("keytool %s: %s", String.join(" ", args), out).isZero();
  }

  private static void keyPair(Path store, String alias) throws Exception {
    keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD,
        "-keypass", PASSWORD);
  }

  /** Adds the certificate of {@code alias} in {@code keyStore} to {@code trustStore} (created if missing). */
  private static void trust(Path keyStore, String alias, Path trustStore) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    if (Files.exists(trustStore)) {
      try (InputStream in = Files.newInputStream(trustStore)) {
        ts.load(in, PASSWORD.toCharArray());
      }
    } else {
      ts.load(null, null);
    }
    ts.setCertificateEntry(alias, ks.getCertificate(alias));
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      ts.store(out, PASSWORD.toCharArray());
    }
  }

  @Test
  void memberWithoutTrustedCredentialsCannotJoinOrBeSeen(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good.p12");
    Path goodTrust = dir.resolve("good-trust.p12");
    Path bad = dir.resolve("bad.p12");
    Path badTrust = dir.resolve("bad-trust.p12");
    keyPair(good, "member");
    trust(good, "member", goodTrust);
    keyPair(bad, "intruder");
    trust(bad, "intruder", badTrust);
    trust(good, "member", badTrust); // the intruder would accept the members; they must not accept it

    ClusterSecurity members = ClusterSecurity.mutualTls(good, PASSWORD, goodTrust, PASSWORD);
    kit = TestCluster.start(2, b -> b.security(members));
    kit.awaitViews(List.of("node-1", "node-2"));
    long viewId = kit.member("node-1").view().id();

    intruder = Cluster.join(kit.config("intruder")
        .security(ClusterSecurity.mutualTls(bad, PASSWORD, badTrust, PASSWORD)).build());

    assertThat(intruder.members()).extracting(Member::name).containsExactly("intruder");
    Topic<String> topic = Topic.of("secrets", PayloadCodec.utf8());
    List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    kit.member("node-2").subscribe(topic, (from, m) -> received.add(m));
    intruder.broadcast(topic, "let me in");
    kit.member("node-1").broadcast(topic, "hello");
    await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("hello"));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
        kit.member("node-1").view().id() == viewId && intruder.members().size() == 1);
    assertThat(received).containsExactly("hello");
  }
}
