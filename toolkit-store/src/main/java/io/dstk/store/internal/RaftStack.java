package io.dstk.store.internal;

import io.dstk.membership.internal.SharedKeyAuthToken;
import io.dstk.store.StoreConfig;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import org.jgroups.JChannel;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.Encrypt;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TP;
import io.dstk.membership.internal.PromptVerifySuspect;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;

/**
 * Builds the raft channel of a voter: TCP on the cluster's bind address, TCPPING over the store's port range (or its
 * seeds), the cluster's merge and failure-detection timings and thread-pool cap, the cluster's protection (TLS, or
 * SYM_ENCRYPT + AUTH with its shared key), and RAFT + ELECTION2 with the voters as members. No REDIRECT or CLIENT:
 * commands reach the leader over the cluster's own messaging, so the leader can stamp them.
 */
public final class RaftStack {
  /* By name only: see ObservedRaft. */
  private static final String OBSERVED_RAFT = "io.dstk.store.internal.ObservedRaft";
  /* VERIFY_SUSPECT2 that reports a suspect at its deadline, not up to 1 period late; shared with the cluster's stack. */
  private static final String PROMPT_VERIFY_SUSPECT = PromptVerifySuspect.class.getName();

  private RaftStack() {}

  /**
   * Returns the cluster name of the raft channel: the cluster's name + {@code .<storeName>.raft}.
   *
   * @param cluster the cluster's channel
   * @param config the store configuration
   * @return the raft cluster name
   */
  public static String clusterName(JChannel cluster, StoreConfig config) {
    return cluster.getClusterName() + "." + config.storeName() + ".raft";
  }

  /**
   * Creates (does not connect) the raft channel, protected like the cluster's channel (see protectLike); it
   * must be connected to {@link #clusterName}.
   *
   * @param cluster the cluster's (connected) channel, whose settings are copied
   * @param config the store configuration
   * @param raftId this voter's node name
   * @param memoryLogPrefix a unique log name for the in-memory log, or null for the on-disk log
   * @return the channel, named after the node
   * @throws Exception if the stack cannot be created, or the cluster's protection cannot be copied
   */
  public static JChannel open(JChannel cluster, StoreConfig config, String raftId, String memoryLogPrefix)
      throws Exception {
    String xml = xml(cluster.getProtocolStack(), config, raftId, memoryLogPrefix);
    JChannel ch = new JChannel(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    try {
      protectLike(cluster.getProtocolStack(), ch.getProtocolStack(), clusterName(cluster, config));
    } catch (Exception e) {
      ch.close();
      throw e;
    }
    ch.name(raftId);
    return ch;
  }

  /*
   * The raft channel listens on the cluster's bind address, so it gets the cluster channel's protection, read from
   * the cluster's (started) stack so that it follows whatever ClusterSecurity or the user's XML set up:
   * - TLS on the cluster's TCP transport: the raft transport uses the very same socket factory, hence the same
   *   SSLContext (key and trust stores) and client-authentication setting (NEED with ClusterSecurity.mutualTls).
   * - SYM_ENCRYPT: one with the same key, cipher and IV length, below NAKACK2 (where toolkit-membership puts it), and
   *   AUTH below GMS with a SharedKeyAuthToken derived from that key, bound to the raft cluster name and using the
   *   cluster's token's wall clock. Created here, never written into the XML, so the key never appears in a string.
   * Protection this cannot copy (ASYM_ENCRYPT, AUTH without SYM_ENCRYPT, both only possible with a user's XML stack)
   * fails the open rather than running raft unprotected. An unprotected cluster (loopback, or insecure() by the
   * user's choice) gets an unprotected raft channel.
   */
  static void protectLike(ProtocolStack cluster, ProtocolStack raft, String raftCluster) throws Exception {
    TP tp = cluster.getTransport();
    if (tp instanceof TCP tcp && tcp.tls() != null && tcp.tls().enabled()) {
      if (cluster.getChannel() == null || !cluster.getChannel().isConnected()) {
        // TCP.start() installs the TLS socket factory: before that the transport still has the plain one.
        throw new IllegalStateException("the cluster's TLS transport is not started: join the cluster first");
      }
      raft.getTransport().setSocketFactory(tcp.getSocketFactory());
    }
    SYM_ENCRYPT sym = null;
    AUTH clusterAuth = null;
    for (Protocol p : cluster.getProtocols()) {
      if (p instanceof SYM_ENCRYPT s) {
        sym = s;
      } else if (p instanceof Encrypt<?>) {
        throw new IllegalStateException("the cluster's " + p.getName() + " cannot be copied to the raft channel: "
            + "secure the cluster with ClusterSecurity (TLS or a shared key)");
      } else if (p instanceof AUTH a) {
        clusterAuth = a;
      }
    }
    if (sym == null) {
      if (clusterAuth != null) {
        throw new IllegalStateException("the cluster's AUTH without SYM_ENCRYPT cannot be copied to the raft "
            + "channel: secure the cluster with ClusterSecurity (TLS or a shared key)");
      }
      return;
    }
    if (!(sym.secretKey() instanceof SecretKey key)) {
      throw new IllegalStateException("the cluster's SYM_ENCRYPT has no secret key");
    }
    SYM_ENCRYPT encrypt = new SYM_ENCRYPT();
    encrypt.symAlgorithm(sym.symAlgorithm());
    encrypt.symIvLength(sym.simIvLength());
    encrypt.setSecretKey(key);
    encrypt.setProtocolStack(raft);
    encrypt.init();
    raft.insertProtocol(encrypt, ProtocolStack.Position.BELOW, NAKACK2.class);
    InstantSource clock = clusterAuth != null && clusterAuth.getAuthToken() instanceof SharedKeyAuthToken t
        ? t.clock() : InstantSource.system();
    AUTH auth = new AUTH();
    SharedKeyAuthToken token = new SharedKeyAuthToken(key, raftCluster, clock);
    token.setAuth(auth);
    auth.setAuthToken(token);
    auth.setProtocolStack(raft);
    auth.init();
    raft.insertProtocol(auth, ProtocolStack.Position.BELOW, GMS.class);
  }

  static String xml(ProtocolStack clusterStack, StoreConfig c, String raftId, String memoryLogPrefix)
      throws Exception {
    TP tp = clusterStack.getTransport();
    Object bindValue = tp.getValue("bind_addr");
    String bind = bindValue instanceof InetAddress a ? a.getHostAddress() : "127.0.0.1";
    // A UDP cluster (lan preset) binds an ephemeral port: count from 7800 over 20 ports, as the TCP presets do.
    boolean tcp = tp instanceof TCP;
    int clusterPort = tcp ? value(tp, "bind_port", 7800) : 7800;
    int clusterRange = tcp ? value(tp, "port_range", 19) + 1 : 20;
    // The raft transport's pool is capped like the cluster's (ClusterConfig.maxThreads).
    int maxThreads = tp.getThreadPool() != null && tp.getThreadPool().getMaxThreads() > 0
        ? tp.getThreadPool().getMaxThreads() : 20;
    int base = c.basePort() != 0 ? c.basePort() : clusterPort + 200;
    int range = c.portRange() != 0 ? c.portRange() : Math.max(1, clusterRange);

    MERGE3 merge = clusterStack.findProtocol(MERGE3.class);
    FD_ALL3 fd = clusterStack.findProtocol(FD_ALL3.class);
    VERIFY_SUSPECT2 verify = clusterStack.findProtocol(VERIFY_SUSPECT2.class);

    StringBuilder x = new StringBuilder("<config xmlns=\"urn:org:jgroups\">\n");
    x.append("  <TCP ").append(attr("bind_addr", bind)).append(' ')
        .append(attr("bind_port", Integer.toString(base))).append(' ')
        .append(attr("port_range", Integer.toString(range - 1))).append(' ')
        .append("diag.enabled=\"false\" tcp_nodelay=\"true\" sock_conn_timeout=\"300\" ")
        .append("thread_pool.min_threads=\"0\" ")
        .append(attr("thread_pool.max_threads", Integer.toString(maxThreads)))
        .append(" thread_pool.keep_alive_time=\"30000\" ")
        .append("use_virtual_threads=\"false\"/>\n");
    List<String> hosts = new ArrayList<>();
    if (c.seeds().isEmpty()) {
      hosts.add(bind + "[" + base + "]");
      x.append("  <TCPPING ").append(attr("initial_hosts", String.join(",", hosts))).append(' ')
          .append(attr("port_range", Integer.toString(range - 1))).append("/>\n");
    } else {
      for (String seed : c.seeds()) {
        int colon = seed.lastIndexOf(':');
        hosts.add(seed.substring(0, colon) + "[" + seed.substring(colon + 1) + "]");
      }
      x.append("  <TCPPING ").append(attr("initial_hosts", String.join(",", hosts)))
          .append(" port_range=\"0\"/>\n");
    }
    x.append("  <MERGE3 ")
        .append(attr("min_interval", Long.toString(merge != null ? merge.getMinInterval() : 1000))).append(' ')
        .append(attr("max_interval", Long.toString(merge != null ? merge.getMaxInterval() : 3000))).append(' ')
        .append(attr("check_interval", Long.toString(merge != null ? merge.getCheckInterval() : 4000)))
        .append("/>\n");
    x.append("  <FD_SOCK2 ").append(attr("bind_addr", bind)).append("/>\n");
    x.append("  <FD_ALL3 ").append(attr("timeout", Long.toString(fd != null ? fd.getTimeout() : 4000))).append(' ')
        .append(attr("interval", Long.toString(fd != null ? fd.getInterval() : 1000))).append("/>\n");
    x.append("  <").append(PROMPT_VERIFY_SUSPECT).append(' ')
        .append(attr("timeout", Long.toString(verify != null ? verify.getTimeout() : 500))).append("/>\n");
    x.append("  <BARRIER/>\n");
    x.append("  <pbcast.NAKACK2 use_mcast_xmit=\"false\"/>\n");
    x.append("  <UNICAST3/>\n");
    x.append("  <pbcast.STABLE desired_avg_gossip=\"50000\" max_bytes=\"4000000\"/>\n");
    x.append("  <raft.NO_DUPES/>\n");
    x.append("  <pbcast.GMS print_local_addr=\"false\" join_timeout=\"500\" leave_timeout=\"1000\"/>\n");
    x.append("  <UFC max_credits=\"2000000\" min_threshold=\"0.4\"/>\n");
    x.append("  <MFC max_credits=\"2000000\" min_threshold=\"0.4\"/>\n");
    x.append("  <FRAG4 frag_size=\"60000\"/>\n");
    x.append("  <raft.ELECTION2 ").append(attr("vote_timeout", Long.toString(c.voteTimeout().toMillis())))
        .append("/>\n");
    x.append("  <").append(OBSERVED_RAFT).append(' ')
        .append(attr("members", String.join(",", c.voters()))).append(' ')
        .append(attr("raft_id", raftId)).append(' ')
        .append(attr("max_log_size", Long.toString(c.maxLogBytes()))).append(' ')
        .append(attr("resend_interval", "200")).append(' ');
    if (memoryLogPrefix == null) {
      Files.createDirectories(c.logDirectory().orElseThrow());
      x.append(attr("log_class", "org.jgroups.protocols.raft.FileBasedLog")).append(' ')
          .append(attr("log_dir", c.logDirectory().orElseThrow().toAbsolutePath().toString())).append(' ')
          .append(attr("log_prefix", c.storeName() + "-" + raftId)).append(' ')
          .append(attr("log_use_fsync", Boolean.toString(c.logFsync())));
    } else {
      x.append(attr("log_class", "org.jgroups.protocols.raft.InMemoryLog")).append(' ')
          .append(attr("log_prefix", memoryLogPrefix));
    }
    x.append("/>\n");
    return x.append("</config>\n").toString();
  }

  private static int value(Protocol p, String name, int dflt) {
    Object v = p.getValue(name);
    return v instanceof Integer i ? i : dflt;
  }

  private static String attr(String name, String value) {
    return name + "=\"" + value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;") + "\"";
  }
}
