package io.dstk.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds free loopback port ranges so benchmark clusters do not meet other clusters on this machine: {@code count}
 * ports from the base, and as many from base + 100 (where the localhost preset puts its failure-detection sockets).
 */
public final class Ports {
  private Ports() {}

  /**
   * Returns the base of a free range.
   *
   * @param count ports needed from the base
   * @return the base port
   * @throws IllegalStateException if no free range is found
   */
  public static int freeRange(int count) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
      if (free(base, count) && free(base + 100, count)) {
        return base;
      }
    }
    throw new IllegalStateException("no free loopback port range of " + count);
  }

  private static boolean free(int base, int count) {
    for (int p = base; p < base + count; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(false);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
