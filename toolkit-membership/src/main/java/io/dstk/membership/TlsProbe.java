package io.dstk.membership;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * After a TLS member joined alone, asks each address discovery knows whether a TLS peer there refuses this member (or
 * is refused by it): connect, handshake with this member's credentials, then read briefly. A TLS alert or handshake
 * failure means refused; a read that times out means the peer accepted us and waits for JGroups' own greeting;
 * nothing listening means nobody is there.
 */
final class TlsProbe {
  private static final int CONNECT_TIMEOUT_MS = 500;
  private static final int READ_TIMEOUT_MS = 1000;

  private TlsProbe() {}

  /**
   * Returns a description of each peer that refused the handshake.
   *
   * @param c the member's config (a TCP preset with TLS)
   * @param ownPort the port this member's transport is bound to, skipped
   */
  static List<String> refusingPeers(ClusterConfig c, int ownPort) {
    List<InetSocketAddress> targets = new ArrayList<>();
    InetAddress bind;
    try {
      bind = InetAddress.getByName(c.bindAddress().orElseThrow());
    } catch (IOException e) {
      return List.of();
    }
    switch (c.transport()) {
      case LOCALHOST -> {
        for (int p = c.basePort(); p < c.basePort() + c.portRange(); p++) {
          if (p != ownPort) {
            targets.add(new InetSocketAddress(bind, p));
          }
        }
      }
      case STATIC_SEEDS -> {
        for (String seed : c.seeds()) {
          int colon = seed.lastIndexOf(':');
          InetSocketAddress a = new InetSocketAddress(seed.substring(0, colon),
              Integer.parseInt(seed.substring(colon + 1)));
          if (!(a.getPort() == ownPort && bind.equals(a.getAddress()))) {
            targets.add(a);
          }
        }
      }
      default -> {
        return List.of(); // dns: the peers' addresses are not known here
      }
    }
    SSLContext ctx;
    try {
      ctx = context(c.security().orElseThrow());
    } catch (Exception e) {
      return List.of("TLS context could not be created: " + e.getMessage());
    }
    List<String> refused = new ArrayList<>();
    for (InetSocketAddress a : targets) {
      if (a.isUnresolved()) {
        continue;
      }
      String failure = probe(ctx, a);
      if (failure != null) {
        refused.add(a.getAddress().getHostAddress() + ":" + a.getPort() + " (" + failure + ")");
      }
    }
    return refused;
  }

  private static String probe(SSLContext ctx, InetSocketAddress a) {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
      s.connect(a, CONNECT_TIMEOUT_MS);
      s.setSoTimeout(READ_TIMEOUT_MS);
      s.startHandshake();
      InputStream in = s.getInputStream();
      in.read(); // the peer only talks after our greeting: an alert arrives here if it refused our certificate
      return null;
    } catch (SocketTimeoutException e) {
      return null; // handshake accepted, the peer waits for us
    } catch (SSLException e) {
      return e.getMessage();
    } catch (IOException e) {
      return null; // nobody listening, or not reachable
    }
  }

  private static SSLContext context(ClusterSecurity s) throws Exception {
    KeyStore ks = KeyStore.getInstance(s.keyStore().orElseThrow().toFile(), s.keyStorePassword().toCharArray());
    KeyStore ts = KeyStore.getInstance(s.trustStore().orElseThrow().toFile(), s.trustStorePassword().toCharArray());
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, s.keyStorePassword().toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }
}
