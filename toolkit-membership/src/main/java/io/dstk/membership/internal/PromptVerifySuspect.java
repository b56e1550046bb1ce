package io.dstk.membership.internal;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.VERIFY_SUSPECT2;

/**
 * jgroups' {@code VERIFY_SUSPECT2} that reports a suspect as soon as its verification timeout ends. {@code
 * VERIFY_SUSPECT2} checks its suspects on a fixed-rate task whose period is the timeout, so a crashed member is
 * reported between one and two timeouts after the suspicion (0.5 to 1 s with a 0.5 s timeout), depending on where
 * the suspicion falls in the period: up to a whole timeout added to every view change after a crash (and to every
 * fail-over of the store's raft channel). This subclass also schedules one check right after each new suspect's deadline; the fixed-rate task still runs. A
 * suspect that answers in time is cleared as before.
 *
 * <p>It shares {@code VERIFY_SUSPECT2}'s protocol id, so its headers are those of {@code VERIFY_SUSPECT2} on the
 * wire. The cluster's built-in stacks and the store's raft stack name it in place of {@code VERIFY_SUSPECT2}.
 */
public class PromptVerifySuspect extends VERIFY_SUSPECT2 {

  /** Creates the protocol with {@code VERIFY_SUSPECT2}'s id. */
  public PromptVerifySuspect() {
    setId(ClassConfigurator.getProtocolId(VERIFY_SUSPECT2.class));
  }

  @Override
  protected void addSuspects(Collection<Address> list) {
    super.addSuspects(list);
    if (list != null && !list.isEmpty() && timer != null) {
      // run() reports the suspects whose deadline (now + timeout, wall-clock millis) has passed; 1 ms later so a
      // millisecond clock read at the deadline cannot see it as not yet passed.
      timer.schedule(this, timeout + 1, TimeUnit.MILLISECONDS);
    }
  }
}
