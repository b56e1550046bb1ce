package io.dstk.samples.orders;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of one {@link OrderNode}, parsed from {@code --flag value} pairs. Immutable and validated: a bad flag
 * or value throws {@link IllegalArgumentException} naming the flag and the value.
 *
 * @param name this node's name in the cluster (required)
 * @param bindAddress the HTTP address (default 127.0.0.1)
 * @param httpPort the HTTP port, 0 for an ephemeral one (default 0)
 * @param cluster the cluster name (default {@code orders})
 * @param basePort the first port of the cluster's loopback range (default 7800)
 * @param portRange how many ports the cluster may use from {@code basePort} (default 10)
 * @param voters the store's voters (default n1,n2,n3)
 * @param customerLimit orders per customer per {@code customerPeriod}, cluster-wide (default 10)
 * @param customerPeriod the period of the customer limit (default 10 s)
 * @param budget orders the whole cluster accepts before the kill switch trips (default 1000)
 * @param maxOrders the cache's maximum entries; new orders are refused beyond it (default 10000)
 * @param processEvery how often the owner advances its orders NEW→PAID→SHIPPED; zero turns it off (default 3 s)
 * @param dataDir where the store keeps its raft log; empty for the in-memory log (the default)
 */
public record NodeOptions(String name, String bindAddress, int httpPort, String cluster, int basePort, int portRange,
    List<String> voters, int customerLimit, Duration customerPeriod, long budget, int maxOrders,
    Duration processEvery, Optional<Path> dataDir) {

  /** The flags and what they mean, printed on a usage error. */
  public static final String USAGE = String.join("\n",
      "usage: OrderNode --name n1 [options]",
      "  --name NAME               this node's name, one of the voters or an extra member (required)",
      "  --bind ADDRESS            HTTP bind address (default 127.0.0.1)",
      "  --http-port PORT          HTTP port, 0 = ephemeral (default 0)",
      "  --cluster NAME            cluster name (default orders)",
      "  --base-port PORT          first port of the cluster's loopback range (default 7800)",
      "  --port-range N            ports in that range (default 10; the store uses base+200 too)",
      "  --voters n1,n2,n3         the store's voters: 1, 3 or 5 names (default n1,n2,n3)",
      "  --customer-limit N        orders per customer per period, cluster-wide (default 10)",
      "  --customer-period-s S     that period in seconds (default 10)",
      "  --budget N                orders the cluster accepts before its kill switch trips (default 1000)",
      "  --max-orders N            orders the cache holds; new ones are refused beyond (default 10000)",
      "  --process-every-ms MS     simulated processing step, 0 = off (default 3000)",
      "  --data-dir DIR            keep the store's raft log in DIR (default: in memory)");

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  public NodeOptions {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(customerPeriod, "customerPeriod");
    Objects.requireNonNull(processEvery, "processEvery");
    Objects.requireNonNull(dataDir, "dataDir");
    voters = List.copyOf(voters);
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("--name must be 1..64 characters of [A-Za-z0-9._-]: '" + name + "'");
    }
    check("--http-port", httpPort, 0, 65535);
    check("--base-port", basePort, 1024, 65535);
    check("--port-range", portRange, 1, 100);
    check("--customer-limit", customerLimit, 1, 1_000_000);
    check("--budget", budget, 1, Long.MAX_VALUE);
    check("--max-orders", maxOrders, 1, 10_000_000);
    if (customerPeriod.isNegative() || customerPeriod.isZero()) {
      throw new IllegalArgumentException("--customer-period-s must be positive: " + customerPeriod.toSeconds());
    }
    if (processEvery.isNegative()) {
      throw new IllegalArgumentException("--process-every-ms must be >= 0: " + processEvery.toMillis());
    }
  }

  /**
   * Parses {@code --flag value} pairs.
   *
   * @param args the command line
   * @return the options
   * @throws IllegalArgumentException on an unknown flag, a missing value, a malformed number or a missing name
   */
  public static NodeOptions parse(String... args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String flag = args[i];
      if (!USAGE.contains("  " + flag + " ")) {
        throw new IllegalArgumentException("unknown flag: '" + flag + "'");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      flags.put(flag, args[i + 1]);
    }
    String name = flags.get("--name");
    if (name == null) {
      throw new IllegalArgumentException("--name is required");
    }
    return new NodeOptions(name,
        flags.getOrDefault("--bind", "127.0.0.1"),
        integer(flags, "--http-port", 0),
        flags.getOrDefault("--cluster", "orders"),
        integer(flags, "--base-port", 7800),
        integer(flags, "--port-range", 10),
        Arrays.asList(flags.getOrDefault("--voters", "n1,n2,n3").split(",")),
        integer(flags, "--customer-limit", 10),
        Duration.ofSeconds(integer(flags, "--customer-period-s", 10)),
        integer(flags, "--budget", 1000),
        integer(flags, "--max-orders", 10_000),
        Duration.ofMillis(integer(flags, "--process-every-ms", 3000)),
        Optional.ofNullable(flags.get("--data-dir")).map(Path::of));
  }

  private static int integer(Map<String, String> flags, String flag, int dflt) {
    String value = flags.get(flag);
    if (value == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be an integer: '" + value + "'", e);
    }
  }

  private static void check(String flag, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(flag + " must be in " + min + ".." + max + ": " + value);
    }
  }
}
