package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

/** Key stores for security tests, made with the JDK's keytool exactly as docs/membership.md tells users to. */
final class TestKeys {
  static final String PASSWORD = "changeit";

  private static Path shared;

  private TestKeys() {}

  /**
   * Key stores made once per test JVM under {@code target/test-keys} (keytool starts a JVM per call): {@code
   * member.p12} + {@code member-trust.p12}, {@code intruder.p12} + {@code intruder-trust.p12} (which also trusts the
   * member), AES keys {@code cluster.p12} and {@code other.p12} (alias {@code cluster}), {@code hmac.p12} (alias
   * {@code mac}).
   */
  static synchronized Path shared() throws Exception {
    if (shared == null) {
      Path dir = Path.of("target", "test-keys").toAbsolutePath();
      if (Files.exists(dir)) {
        try (var files = Files.list(dir)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            Files.delete(f);
          }
        }
      }
      Files.createDirectories(dir);
      keyPair(dir.resolve("member.p12"), "member");
      trust(dir.resolve("member.p12"), "member", dir.resolve("member-trust.p12"));
      keyPair(dir.resolve("intruder.p12"), "intruder");
      trust(dir.resolve("intruder.p12"), "intruder", dir.resolve("intruder-trust.p12"));
      trust(dir.resolve("member.p12"), "member", dir.resolve("intruder-trust.p12"));
      secretKey(dir.resolve("cluster.p12"), "cluster"); // keytool, as documented
      secretKeyInProcess(dir.resolve("other.p12"), "cluster", "AES"); // the same kind of store, without a JVM start
      secretKeyInProcess(dir.resolve("hmac.p12"), "mac", "HmacSHA256");
      shared = dir;
    }
    return shared;
  }

  static void keytool(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("keytool %s: %s", String.join(" ", args), out).isZero();
  }

  /** A PKCS12 store with one AES-256 secret key under {@code alias}. */
  static Path secretKey(Path store, String alias) throws Exception {
    keytool("-genseckey", "-alias", alias, "-keyalg", "AES", "-keysize", "256", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    return store;
  }

  private static void secretKeyInProcess(Path store, String alias, String algorithm) throws Exception {
    javax.crypto.KeyGenerator g = javax.crypto.KeyGenerator.getInstance(algorithm);
    g.init(256);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setEntry(alias, new KeyStore.SecretKeyEntry(g.generateKey()),
        new KeyStore.PasswordProtection(PASSWORD.toCharArray()));
    try (OutputStream out = Files.newOutputStream(store)) {
      ks.store(out, PASSWORD.toCharArray());
    }
  }

  /** A PKCS12 store with one EC key pair and self-signed certificate under {@code alias}. */
  static Path keyPair(Path store, String alias) throws Exception {
    keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD,
        "-keypass", PASSWORD);
    return store;
  }

  /** Adds the certificate of {@code alias} in {@code keyStore} to {@code trustStore} (created if missing). */
  static Path trust(Path keyStore, String alias, Path trustStore) throws Exception {
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
    return trustStore;
  }
}
