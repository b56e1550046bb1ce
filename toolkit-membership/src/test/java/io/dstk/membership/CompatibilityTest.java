package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CompatibilityTest {
  private TestCluster kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void memberOnThePreviousWireVersionJoinsAndUnknownVersionIsRefused() {
    kit = TestCluster.create(b -> b.wireVersion(2));
    kit.join("new");
    kit.join(kit.config("previous").wireVersion(1).build());
    kit.awaitViews(List.of("new", "previous"));

    assertThatThrownBy(() -> kit.join(kit.config("future").wireVersion(4).build()))
        .isInstanceOf(IncompatibleWireVersionException.class)
        .hasMessageContaining("wire version 2");
    assertThat(kit.member("new").members()).extracting(Member::name).containsExactly("new", "previous");
  }
}
