package io.dstk.membership;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * Credentials that keep outsiders out of a cluster. Two kinds, usable alone or together:
 *
 * <ul>
 *   <li><b>Mutual TLS</b> ({@link #mutualTls}): a key store holding this member's private key and certificate and a
 *       trust store holding the certificates (or the CA) of the members it accepts. Used by the TCP presets
 *       ({@link ClusterConfig#localhost}, {@link ClusterConfig#staticSeeds}, {@link ClusterConfig#dns}): every
 *       connection between members is TLS with client authentication.
 *   <li><b>Shared secret key</b> ({@link #sharedKey}, or {@link #withSharedKey} on top of TLS): one AES key, the same
 *       in every member, kept in a key store. Used by {@link ClusterConfig#lan} (UDP), and by the TCP presets when no
 *       TLS stores are given: JGroups' {@code SYM_ENCRYPT} encrypts the payload of every message above discovery and
 *       failure detection (AES/CBC with a random IV per message; JGroups' headers stay readable), and {@code AUTH} admits a joining or merging member only if it proves, with
 *       an HMAC derived from the key, bound to its address and a timestamp, that it holds the key.
 * </ul>
 *
 * <p>So one value configured with {@code mutualTls(...).withSharedKey(...)} serves every preset: TCP presets use TLS,
 * {@code lan} uses the shared key. A member without valid credentials cannot join, read or write; its
 * {@link Cluster#join} fails with {@link AuthenticationFailedException} when it can tell that members exist which
 * refused it (see that class for when it cannot).
 *
 * <p>Every store is opened when the value is created, so a missing file, a wrong password, a missing alias or a key of
 * the wrong kind fails here, naming the setting. Immutable and thread-safe. {@link #toString()} never prints
 * passwords or keys.
 */
public final class ClusterSecurity {
  private final Path keyStore;
  private final String keyStorePassword;
  private final Path trustStore;
  private final String trustStorePassword;
  private final String storeType;
  private final Path sharedKeyStore;
  private final String sharedKeyAlias;
  private final SecretKey sharedKey;

  private ClusterSecurity(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword,
      String storeType, Path sharedKeyStore, String sharedKeyAlias, SecretKey sharedKey) {
    this.keyStore = keyStore;
    this.keyStorePassword = keyStorePassword;
    this.trustStore = trustStore;
    this.trustStorePassword = trustStorePassword;
    this.storeType = storeType;
    this.sharedKeyStore = sharedKeyStore;
    this.sharedKeyAlias = sharedKeyAlias;
    this.sharedKey = sharedKey;
  }

  /**
   * Mutual TLS with PKCS12 stores, for the TCP presets.
   *
   * @param keyStore this member's private key and certificate (PKCS12)
   * @param keyStorePassword its password (also the key's password)
   * @param trustStore the accepted certificates or CA (PKCS12)
   * @param trustStorePassword its password
   * @return the security settings
   * @throws IllegalArgumentException if a store is not a readable file, its password does not open it, the key store
   *     holds no private key or the trust store holds no certificate; the message names the setting
   * @throws NullPointerException if an argument is null
   */
  public static ClusterSecurity mutualTls(
      Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {
    KeyStore ks = open("keyStore", keyStore, "keyStorePassword", keyStorePassword);
    KeyStore ts = open("trustStore", trustStore, "trustStorePassword", trustStorePassword);
    try {
      boolean hasKey = false;
      for (String alias : Collections.list(ks.aliases())) {
        hasKey |= ks.isKeyEntry(alias) && ks.getCertificate(alias) != null;
      }
      if (!hasKey) {
        throw new IllegalArgumentException("keyStore holds no private key with a certificate: " + keyStore);
      }
      boolean hasCert = false;
      for (String alias : Collections.list(ts.aliases())) {
        hasCert |= ts.getCertificate(alias) != null;
      }
      if (!hasCert) {
        throw new IllegalArgumentException("trustStore holds no certificate: " + trustStore);
      }
    } catch (java.security.KeyStoreException e) {
      throw new IllegalArgumentException("keyStore or trustStore could not be read: " + e.getMessage(), e);
    }
    return new ClusterSecurity(keyStore, keyStorePassword, trustStore, trustStorePassword, "PKCS12", null, null,
        null);
  }

  /**
   * Encryption and authentication with one shared AES key, for {@link ClusterConfig#lan} (and the TCP presets when
   * TLS is not wanted). Generate the key once and give every member the same store, e.g. {@code keytool -genseckey
   * -alias cluster -keyalg AES -keysize 256 -storetype PKCS12 -keystore cluster-key.p12}.
   *
   * @param keyStore a key store (PKCS12, JCEKS or JKS) holding the secret key
   * @param keyStorePassword its password (also the key's password)
   * @param alias the alias of the AES secret key entry
   * @return the security settings
   * @throws IllegalArgumentException if the store is not a readable file, the password does not open it, the alias is
   *     missing, or the entry is not an AES secret key of 128, 192 or 256 bits; the message names the setting
   * @throws NullPointerException if an argument is null
   */
  public static ClusterSecurity sharedKey(Path keyStore, String keyStorePassword, String alias) {
    SecretKey key = loadSharedKey(keyStore, keyStorePassword, alias);
    return new ClusterSecurity(null, null, null, null, null, keyStore, alias, key);
  }

  /**
   * Returns these settings plus a shared AES key, so that the same value also secures {@link ClusterConfig#lan}.
   * The TCP presets keep using TLS when TLS stores are set.
   *
   * @param keyStore a key store holding the secret key
   * @param keyStorePassword its password (also the key's password)
   * @param alias the alias of the AES secret key entry
   * @return new settings
   * @throws IllegalArgumentException as {@link #sharedKey}
   * @throws NullPointerException if an argument is null
   */
  public ClusterSecurity withSharedKey(Path keyStore, String keyStorePassword, String alias) {
    SecretKey key = loadSharedKey(keyStore, keyStorePassword, alias);
    return new ClusterSecurity(this.keyStore, this.keyStorePassword, trustStore, trustStorePassword, storeType,
        keyStore, alias, key);
  }

  /**
   * Returns the TLS key store.
   *
   * @return the path, or empty if TLS is not configured
   */
  public Optional<Path> keyStore() {
    return Optional.ofNullable(keyStore);
  }

  /**
   * Returns the TLS trust store.
   *
   * @return the path, or empty if TLS is not configured
   */
  public Optional<Path> trustStore() {
    return Optional.ofNullable(trustStore);
  }

  /**
   * Returns the store holding the shared secret key.
   *
   * @return the path, or empty if no shared key is configured
   */
  public Optional<Path> sharedKeyStore() {
    return Optional.ofNullable(sharedKeyStore);
  }

  /**
   * Returns the alias of the shared secret key.
   *
   * @return the alias, or empty if no shared key is configured
   */
  public Optional<String> sharedKeyAlias() {
    return Optional.ofNullable(sharedKeyAlias);
  }

  boolean hasTls() {
    return keyStore != null;
  }

  boolean hasSharedKey() {
    return sharedKey != null;
  }

  String keyStorePassword() {
    return keyStorePassword;
  }

  String trustStorePassword() {
    return trustStorePassword;
  }

  String storeType() {
    return storeType;
  }

  SecretKey sharedSecretKey() {
    return sharedKey;
  }

  private static KeyStore open(String storeName, Path store, String passwordName, String password) {
    Objects.requireNonNull(store, storeName);
    Objects.requireNonNull(password, passwordName);
    if (!Files.isReadable(store) || !Files.isRegularFile(store)) {
      throw new IllegalArgumentException(storeName + " is not a readable file: " + store);
    }
    try {
      return KeyStore.getInstance(store.toFile(), password.toCharArray());
    } catch (IOException e) {
      throw new IllegalArgumentException(passwordName + " does not open " + storeName + " " + store
          + " (wrong password or not a key store): " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(storeName + " " + store + " is not a key store this JVM can read: "
          + e.getMessage(), e);
    }
  }

  private static SecretKey loadSharedKey(Path keyStore, String keyStorePassword, String alias) {
    Objects.requireNonNull(alias, "alias");
    KeyStore ks = open("keyStore", keyStore, "keyStorePassword", keyStorePassword);
    try {
      if (!ks.containsAlias(alias)) {
        throw new IllegalArgumentException("alias '" + alias + "' is not in keyStore " + keyStore + " (aliases: "
            + Collections.list(ks.aliases()) + ")");
      }
      if (!ks.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
        throw new IllegalArgumentException("alias '" + alias + "' in keyStore " + keyStore
            + " is not a secret key (create one with keytool -genseckey -keyalg AES)");
      }
      KeyStore.SecretKeyEntry e = (KeyStore.SecretKeyEntry) ks.getEntry(alias,
          new KeyStore.PasswordProtection(keyStorePassword.toCharArray()));
      SecretKey key = e.getSecretKey();
      int bits = key.getEncoded() == null ? 0 : key.getEncoded().length * 8;
      if (!key.getAlgorithm().equalsIgnoreCase("AES") || (bits != 128 && bits != 192 && bits != 256)) {
        throw new IllegalArgumentException("alias '" + alias + "' in keyStore " + keyStore
            + " must be an AES key of 128, 192 or 256 bits: " + key.getAlgorithm() + " of " + bits + " bits");
      }
      return key;
    } catch (java.security.UnrecoverableKeyException e) {
      throw new IllegalArgumentException("keyStorePassword does not unlock key '" + alias + "' in " + keyStore, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("key '" + alias + "' in keyStore " + keyStore + " could not be read: "
          + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("ClusterSecurity[");
    if (keyStore != null) {
      s.append("tls keyStore=").append(keyStore).append(", trustStore=").append(trustStore);
    }
    if (sharedKeyStore != null) {
      s.append(keyStore != null ? ", " : "").append("sharedKey=").append(sharedKeyAlias).append(" in ")
          .append(sharedKeyStore);
    }
    return s.append(']').toString();
  }
}
