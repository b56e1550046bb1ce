package io.dstk.membership;

import java.util.concurrent.atomic.AtomicInteger;
import org.jgroups.Header;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.Protocol;

/**
 * Sits right below GMS and counts the join requests this member sends. A member that ends alone after sending join
 * requests was ignored by every coordinator it found; with security on, that means they refused its credentials.
 * Passes everything through unchanged; adds no header.
 */
final class JoinObserver extends Protocol {
  private static final short GMS_ID = ClassConfigurator.getProtocolId(GMS.class);

  private final AtomicInteger joinRequests = new AtomicInteger();

  int joinRequests() {
    return joinRequests.get();
  }

  @Override
  public Object down(Message msg) {
    Header h = msg.getHeader(GMS_ID);
    if (h instanceof GMS.GmsHeader g && (g.getType() == GMS.GmsHeader.JOIN_REQ
        || g.getType() == GMS.GmsHeader.JOIN_REQ_WITH_STATE_TRANSFER)) {
      joinRequests.incrementAndGet();
    }
    return down_prot.down(msg);
  }
}
