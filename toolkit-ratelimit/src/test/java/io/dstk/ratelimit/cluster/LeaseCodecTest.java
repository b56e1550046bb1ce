package io.dstk.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class LeaseCodecTest {
    // Golden vectors of wire version 1, written by hand from the format in LeaseCodec.
    @Test
    void request_encodesToTheDocumentedBytes() {
        byte[] bytes = LeaseCodec.REQUEST.encode(new LeaseCodec.Request("k1", 300));
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("010000012c6b31");
        assertThat(LeaseCodec.REQUEST.decode(bytes)).isEqualTo(new LeaseCodec.Request("k1", 300));
    }

    @Test
    void answer_encodesToTheDocumentedBytes() {
        byte[] bytes = LeaseCodec.ANSWER.encode(new LeaseCodec.Answer(0, 100, 5));
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("010000000000000000640000000000000005");
        assertThat(LeaseCodec.ANSWER.decode(bytes)).isEqualTo(new LeaseCodec.Answer(0, 100, 5));
    }

    @Test
    void otherVersionsAndBadValues_areRefused() {
        assertThatThrownBy(() -> LeaseCodec.REQUEST.decode(HexFormat.of().parseHex("020000012c6b31")))
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> LeaseCodec.REQUEST.decode(HexFormat.of().parseHex("01000000006b31")))
                .hasMessageContaining("want");
        assertThatThrownBy(() -> LeaseCodec.ANSWER.decode(new byte[3])).hasMessageContaining("18 bytes");
    }
}
