package io.dstk.membership;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.JChannel;

/**
 * Writes the JGroups protocol stack of a preset as XML and opens a channel on it.
 *
 * <p>Every preset gets: an explicit bind address (transport and FD_SOCK2), capped thread pool without virtual threads,
 * tcp_nodelay, no diagnostics, MERGE3 with an explicit check_interval, FD_SOCK2 + FD_ALL3 + VERIFY_SUSPECT2.
 */
final class JGroupsStack {
  private JGroupsStack() {}

  static JChannel open(ClusterConfig c) throws Exception {
    if (c.transport() == ClusterConfig.Transport.XML) {
      try (InputStream in = Files.newInputStream(c.xmlPath())) {
        return new JChannel(in);
      }
    }
    return new JChannel(new ByteArrayInputStream(xml(c).getBytes(StandardCharsets.UTF_8)));
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
      c.security().ifPresent(s -> {
        tp.add(attr("tls.enabled", "true"));
        tp.add(attr("tls.client_auth", "NEED"));
        tp.add(attr("tls.keystore_path", s.keyStore().toAbsolutePath().toString()));
        tp.add(attr("tls.keystore_password", s.keyStorePassword()));
        tp.add(attr("tls.keystore_type", s.storeType()));
        tp.add(attr("tls.truststore_path", s.trustStore().toAbsolutePath().toString()));
        tp.add(attr("tls.truststore_password", s.trustStorePassword()));
        tp.add(attr("tls.truststore_type", s.storeType()));
      });
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
    x.append("  <VERIFY_SUSPECT2 ").append(ms("timeout", c.verifySuspectTimeout())).append("/>\n");
    x.append("  <BARRIER/>\n");
    x.append("  <pbcast.NAKACK2 ").append(attr("use_mcast_xmit", "false")).append("/>\n");
    x.append("  <UNICAST3/>\n");
    x.append("  <pbcast.STABLE desired_avg_gossip=\"50000\" max_bytes=\"4000000\"/>\n");
    x.append("  <pbcast.GMS print_local_addr=\"false\" ").append(ms("join_timeout", c.discoveryTimeout()))
        .append(" leave_timeout=\"1000\"/>\n");
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
