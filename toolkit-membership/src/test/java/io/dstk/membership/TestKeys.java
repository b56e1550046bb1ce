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

  private TestKeys() {}

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
