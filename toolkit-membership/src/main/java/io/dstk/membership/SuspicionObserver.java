package io.dstk.membership;

import io.dstk.membership.internal.MemberInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;

/**
 * Sits between the failure detectors (FD_SOCK2, FD_ALL3) and VERIFY_SUSPECT2, counts raw suspicions and logs them at
 * WARN. Passes everything through unchanged; adds no header.
 */
final class SuspicionObserver extends Protocol {
  private final LongAdder suspicions = new LongAdder();
  private final String clusterName;

  SuspicionObserver(String clusterName) {
    this.clusterName = clusterName;
  }

  long suspicions() {
    return suspicions.sum();
  }

  @Override
  public Object up(Event evt) {
    if (evt.getType() == Event.SUSPECT) {
      Object arg = evt.getArg();
      List<String> names = new ArrayList<>();
      if (arg instanceof Collection<?> c) {
        for (Object o : c) {
          names.add(name(o));
        }
      } else {
        names.add(name(arg));
      }
      suspicions.add(names.size());
      DefaultCluster.LOG.warn("cluster '{}' suspects {} (verifying before removal)", clusterName, names);
    }
    return up_prot.up(evt);
  }

  private static String name(Object o) {
    if (o instanceof Address a) {
      MemberInfo info = MemberInfo.of(a);
      return info == null ? a.toString() : info.name();
    }
    return String.valueOf(o);
  }
}
