package io.dstk.membership;

import io.dstk.membership.internal.PromptVerifySuspect;
import io.dstk.membership.internal.SharedKeyAuthToken;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import org.jgroups.JChannel;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.stack.ProtocolStack;

/**
 * Writes the JGroups protocol stack of a preset as XML and opens a channel on it.
 *
 * <p>Every preset gets: an explicit bind address (transport and FD_SOCK2), capped thread pool without virtual threads,
 * tcp_nodelay, no diagnostics, MERGE3 with an explicit check_interval, FD_SOCK2 + FD_ALL3 + VERIFY_SUSPECT2.
 */
final class JGroupsStack {
  /** GMS.max_join_attempts with the shared key: the last attempt ends the join alone, so 4 requests go out. */
  static final int MAX_JOIN_ATTEMPTS = 5;

  private JGroupsStack() {}

  static JChannel open(ClusterConfig c) throws Exception {
    if (c.transport() == ClusterConfig.Transport.XML) {
      try (InputStream in = Files.newInputStream(c.xmlPath())) {
        return new JChannel(in);
      }
    }
    JChannel ch = new JChannel(new ByteArrayInputStream(xml(c).getBytes(StandardCharsets.UTF_8)));
    if (usesSharedKey(c)) {
      try {
        addEncryptAndAuth(ch.getProtocolStack(), c);
      } catch (Exception e) {
        ch.close();
        throw e;
      }
    }
    return ch;
  }

  /**
   * Adds SYM_ENCRYPT and AUTH where the JGroups manual puts them: encryption right below NAKACK2 (above discovery,
   * merge and failure detection, so those still find and watch peers), AUTH right below GMS. Both are created here
   * rather than in the XML so that the key never appears in a string.
   */
  private static void addEncryptAndAuth(ProtocolStack stack, ClusterConfig c) throws Exception {
    SecretKey key = c.security().orElseThrow().sharedSecretKey();
    SYM_ENCRYPT encrypt = new SYM_ENCRYPT();
    encrypt.symAlgorithm("AES/CBC/PKCS5Padding"); // JGroups applies IvParameterSpec, which GCM refuses
    encrypt.symIvLength(16);
    encrypt.setSecretKey(key);
    encrypt.setProtocolStack(stack);
    encrypt.init();
    stack.insertProtocol(encrypt, ProtocolStack.Position.BELOW, NAKACK2.class);
    AUTH auth = new AUTH();
    SharedKeyAuthToken token = new SharedKeyAuthToken(key, c.clusterName(), c.clock());
    token.setAuth(auth);
    auth.setAuthToken(token);
    auth.setProtocolStack(stack);
    auth.init();
    stack.insertProtocol(auth, ProtocolStack.Position.BELOW, GMS.class);
  }

  /** Whether the stack of {@code c} encrypts with the shared key and authenticates joins with AUTH. */
  static boolean usesSharedKey(ClusterConfig c) {
    if (c.transport() == ClusterConfig.Transport.XML || c.security().isEmpty()) {
      return false;
    }
    ClusterSecurity s = c.security().get();
    return c.transport() == ClusterConfig.Transport.LAN ? s.hasSharedKey() : !s.hasTls() && s.hasSharedKey();
  }

  /** Whether the stack of {@code c} runs TLS between members. */
  static boolean usesTls(ClusterConfig c) {
    return c.transport() != ClusterConfig.Transport.XML && c.transport() != ClusterConfig.Transport.LAN
        && c.security().map(ClusterSecurity::hasTls).orElse(false);
  }

  static String xml(ClusterConfig c) {
    StringBuilder x = new StringBuilder("<config xmlns=\"urn:org:jgroups\">\n");
    String bind = c.bindAddress().orElseThrow();
    boolean udp = c.transport() == ClusterConfig.Transport.LAN;
    List<String> tp = new ArrayList<>();
    tp.add(attr("bind_addr", bind));
    tp.add(attr("diag.enabled", "false"));
    tp.add(attr("thread_pool.min_threads", "0"));
    tp.add(attr("thread_pool.max_threads", Integer.toString(c.maxThreads())));
    tp.add(attr("thread_pool.keep_alive_time", "30000"));
    tp.add(attr("use_virtual_threads", "false"));
    if (udp) {
      tp.add(attr("mcast_addr", c.multicastAddress()));
      tp.add(attr("mcast_port", Integer.toString(c.basePort())));
      tp.add(attr("ip_ttl", "8"));
      x.append("  <UDP ").append(String.join(" ", tp)).append("/>\n");
      x.append("  <PING/>\n");
    } else {
      tp.add(attr("bind_port", Integer.toString(c.basePort())));
      tp.add(attr("port_range", Integer.toString(Math.max(0, c.portRange() - 1))));
      tp.add(attr("tcp_nodelay", "true"));
      tp.add(attr("sock_conn_timeout", "300"));
      if (usesTls(c)) {
        ClusterSecurity s = c.security().orElseThrow();
        tp.add(attr("tls.enabled", "true"));
        tp.add(attr("tls.client_auth", "NEED"));
        tp.add(attr("tls.keystore_path", s.keyStore().orElseThrow().toAbsolutePath().toString()));
        tp.add(attr("tls.keystore_password", s.keyStorePassword()));
        tp.add(attr("tls.keystore_type", s.storeType()));
        tp.add(attr("tls.truststore_path", s.trustStore().orElseThrow().toAbsolutePath().toString()));
        tp.add(attr("tls.truststore_password", s.trustStorePassword()));
        tp.add(attr("tls.truststore_type", s.storeType()));
      }
      x.append("  <TCP ").append(String.join(" ", tp)).append("/>\n");
      switch (c.transport()) {
        case LOCALHOST -> x.append("  <TCPPING ")
            .append(attr("initial_hosts", bind + "[" + c.basePort() + "]")).append(' ')
            .append(attr("port_range", Integer.toString(c.portRange() - 1))).append("/>\n");
        case STATIC_SEEDS -> {
          List<String> hosts = new ArrayList<>();
          for (String seed : c.seeds()) {
            int colon = seed.lastIndexOf(':');
            hosts.add(seed.substring(0, colon) + "[" + seed.substring(colon + 1) + "]");
          }
          x.append("  <TCPPING ").append(attr("initial_hosts", String.join(",", hosts))).append(' ')
              .append(attr("port_range", "0")).append("/>\n");
        }
        case DNS -> x.append("  <dns.DNS_PING ").append(attr("dns_query", c.dnsQuery())).append(' ')
            .append(attr("dns_record_type", "A"))
            .append(c.dnsServer() == null ? "" : " " + attr("dns_address", c.dnsServer())).append("/>\n");
        default -> throw new IllegalStateException("transport " + c.transport());
      }
    }
    x.append("  <MERGE3 ").append(ms("min_interval", c.mergeMinInterval())).append(' ')
        .append(ms("max_interval", c.mergeMaxInterval())).append(' ')
        .append(ms("check_interval", c.mergeCheckInterval())).append("/>\n");
    x.append("  <FD_SOCK2 ").append(attr("bind_addr", bind)).append("/>\n");
    x.append("  <FD_ALL3 ").append(ms("timeout", c.heartbeatTimeout())).append(' ')
        .append(ms("interval", c.heartbeatInterval())).append("/>\n");
    // VERIFY_SUSPECT2 that reports each suspect at its own deadline rather than at the next period of its task
    x.append("  <").append(PromptVerifySuspect.class.getName()).append(' ')
        .append(ms("timeout", c.verifySuspectTimeout())).append("/>\n");
    x.append("  <BARRIER/>\n");
    boolean sharedKey = usesSharedKey(c); // SYM_ENCRYPT and AUTH are added by open()
    x.append("  <pbcast.NAKACK2 ").append(attr("use_mcast_xmit", "false")).append("/>\n");
    x.append("  <UNICAST3/>\n");
    x.append("  <pbcast.STABLE desired_avg_gossip=\"50000\" max_bytes=\"4000000\"/>\n");
    x.append("  <pbcast.GMS print_local_addr=\"false\" ").append(ms("join_timeout", c.discoveryTimeout()))
        .append(" leave_timeout=\"1000\"")
        // a member refused by the coordinator (bad key) gives up after 5 join attempts instead of 10
        .append(sharedKey ? " " + attr("max_join_attempts", Integer.toString(MAX_JOIN_ATTEMPTS)) : "")
        .append("/>\n");
    x.append("  <MFC max_credits=\"2000000\" min_threshold=\"0.4\"/>\n");
    x.append("  <UFC max_credits=\"2000000\" min_threshold=\"0.4\"/>\n");
    x.append("  <FRAG4 frag_size=\"60000\"/>\n");
    return x.append("</config>\n").toString();
  }

  private static String ms(String name, Duration d) {
    return attr(name, Long.toString(d.toMillis()));
  }

  private static String attr(String name, String value) {
    return name + "=\"" + value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;") + "\"";
  }
}
