package io.dstk.membership;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Credentials that keep outsiders out of a cluster: a key store holding this member's private key and certificate,
 * and a trust store holding the certificates (or the CA) of the members it accepts.
 *
 * <p>With a TCP preset ({@link ClusterConfig#localhost}, {@link ClusterConfig#staticSeeds}, {@link ClusterConfig#dns})
 * every connection between members is TLS with mutual authentication: a process without a key trusted by the
 * others can neither join nor read nor write. {@link ClusterConfig#lan} (UDP) does not support it yet: its
 * {@code build()} refuses a security setting rather than give a false sense of safety.
 *
 * <p>Immutable. {@link #toString()} never prints the passwords.
 *
 * @param keyStore path of the key store (PKCS12 or JKS)
 * @param keyStorePassword its password
 * @param trustStore path of the trust store
 * @param trustStorePassword its password
 * @param storeType the store type, {@code "PKCS12"} or {@code "JKS"}
 */
public record ClusterSecurity(
    Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword, String storeType) {

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException if a store is not a readable file or the type is unknown
   * @throws NullPointerException if an argument is null
   */
  public ClusterSecurity {
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(keyStorePassword, "keyStorePassword");
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(trustStorePassword, "trustStorePassword");
    Objects.requireNonNull(storeType, "storeType");
    if (!Files.isReadable(keyStore) || !Files.isRegularFile(keyStore)) {
      throw new IllegalArgumentException("keyStore is not a readable file: " + keyStore);
    }
    if (!Files.isReadable(trustStore) || !Files.isRegularFile(trustStore)) {
      throw new IllegalArgumentException("trustStore is not a readable file: " + trustStore);
    }
    if (!storeType.equals("PKCS12") && !storeType.equals("JKS")) {
      throw new IllegalArgumentException("storeType must be PKCS12 or JKS: " + storeType);
    }
  }

  /**
   * Mutual TLS with PKCS12 stores.
   *
   * @param keyStore this member's key and certificate
   * @param keyStorePassword its password
   * @param trustStore the accepted certificates or CA
   * @param trustStorePassword its password
   * @return the security settings
   */
  public static ClusterSecurity mutualTls(
      Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {
    return new ClusterSecurity(keyStore, keyStorePassword, trustStore, trustStorePassword, "PKCS12");
  }

  @Override
  public String toString() {
    return "ClusterSecurity[keyStore=" + keyStore + ", trustStore=" + trustStore + ", storeType=" + storeType + "]";
  }
}
