package io.dstk.cache;

import io.dstk.membership.Cluster;
import io.dstk.membership.PayloadCodec;
import io.dstk.membership.TestCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cache member in its own process for the multi-process tests. Arguments: cluster name, base port, node name.
 * Prints {@code READY} once it holds the state, then obeys commands on stdin: {@code WRITE prefix} starts writing
 * {@code prefix<i> = v<i>} and prints {@code ACK <key>} per acknowledged put; {@code STOP} stops and prints
 * {@code STOPPED}; {@code DUMP} prints {@code E <key> <value>} per entry, then {@code END}.
 */
public final class CacheProcessMember {
  private CacheProcessMember() {}

  /**
   * Runs the member until killed.
   *
   * @param args cluster name, base port, node name
   * @throws Exception on a setup failure
   */
  public static void main(String[] args) throws Exception {
    Cluster cluster = Cluster.join(TestCluster.fastLocalhost(args[0], Integer.parseInt(args[1]))
        .nodeName(args[2]).expectedMembers(3).build());
    ReplicatedCache<String, String> cache = ReplicatedCache.create(cluster,
        CacheConfig.builder("proc", PayloadCodec.utf8(), PayloadCodec.utf8())
            .maximumSize(1_000_000)
            .replicationTimeout(Duration.ofSeconds(5))
            .writeTimeout(Duration.ofSeconds(30))
            .build());
    if (!cache.awaitReady(Duration.ofSeconds(60))) {
      System.out.println("NOT-READY");
    }
    say("READY");
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = null;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] parts = line.trim().split(" ");
      switch (parts[0]) {
        case "WRITE" -> {
          String prefix = parts[1];
          writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
              try {
                cache.put(prefix + i, "v" + i);
                say("ACK " + prefix + i);
              } catch (CacheException e) {
                say("FAIL " + prefix + i + " " + e.getClass().getSimpleName());
              }
            }
          });
          writer.start();
        }
        case "STOP" -> {
          stop.set(true);
          if (writer != null) {
            writer.join();
          }
          say("STOPPED");
        }
        case "DUMP" -> {
          if (!cache.awaitReady(Duration.ofSeconds(60))) {
            say("NOT-READY");
          }
          StringBuilder sb = new StringBuilder();
          for (Map.Entry<String, String> e : new TreeMap<>(cache.snapshot()).entrySet()) {
            sb.append("E ").append(e.getKey()).append(' ').append(e.getValue()).append('\n');
          }
          sb.append("END");
          say(sb.toString());
        }
        default -> say("UNKNOWN " + line);
      }
    }
  }

  private static synchronized void say(String s) {
    System.out.println(s);
    System.out.flush();
  }
}
