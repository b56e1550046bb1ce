package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClusterStoreTest {
  private static StoreKit kit;

  @BeforeAll
  static void start() {
    kit = StoreKit.start(4);
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putOnOneMember_everyMemberReadsItWithItsVersion() {
    long v = kit.store("node-2").put("basic.k", b("v1"));
    for (ClusterStore s : kit.stores()) {
      assertThat(s.get("basic.k")).hasValueSatisfying(x -> {
        assertThat(x.version()).isEqualTo(v);
        assertThat(new String(x.value(), StandardCharsets.UTF_8)).isEqualTo("v1");
      });
    }
  }

  @Test
  void nonVoterUsesTheStoreThroughAVoter() {
    ClusterStore outsider = kit.store("node-4");
    assertThat(outsider.isVoter()).isFalse();
    long v = outsider.put("nv.k", b("x"));
    assertThat(outsider.compareAndSet("nv.k", v, b("y")).success()).isTrue();
    assertThat(outsider.counter("nv.c").addAndGet(5)).isEqualTo(5);
    assertThat(outsider.hasQuorum()).isTrue();
  }
}
