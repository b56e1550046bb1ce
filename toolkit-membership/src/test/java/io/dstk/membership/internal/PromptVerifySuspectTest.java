package io.dstk.membership.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.stack.Protocol;
import org.jgroups.util.TimeScheduler;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * VERIFY_SUSPECT2 checks its suspects once per timeout period, so a crash was reported one to two timeouts after the
 * suspicion; this variant checks each suspect at its own deadline.
 */
class PromptVerifySuspectTest {

  /** Exposes the timer and the protected entry point. */
  static final class Probe extends PromptVerifySuspect {
    void timer(TimeScheduler t) {
      this.timer = t;
    }

    void suspect(Collection<Address> mbrs) {
      addSuspects(mbrs);
    }
  }

  record Scheduled(Runnable task, long delay, TimeUnit unit) {}

  @Test
  void aSuspectIsCheckedAtItsDeadline_notAtTheNextPeriodOfTheFixedRateTask() {
    List<Scheduled> scheduled = new CopyOnWriteArrayList<>();
    TimeScheduler timer = (TimeScheduler) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {TimeScheduler.class}, (proxy, method, args) -> {
          if (method.getName().equals("schedule")) {
            scheduled.add(new Scheduled((Runnable) args[0], (Long) args[1], (TimeUnit) args[2]));
          }
          return null;
        });
    List<Object> up = new CopyOnWriteArrayList<>();
    Probe p = new Probe();
    p.setTimeout(40);
    p.timer(timer);
    p.setUpProtocol(new Protocol() {
      @Override
      public Object up(Event evt) {
        if (evt.getType() == Event.SUSPECT) {
          up.add(evt.getArg());
        }
        return null;
      }
    });
    Address crashed = UUID.randomUUID();

    p.suspect(List.of(crashed));

    // One check, scheduled just after the suspect's deadline (now + timeout).
    assertThat(scheduled).hasSize(1);
    assertThat(scheduled.get(0).unit().toMillis(scheduled.get(0).delay())).isEqualTo(41);
    assertThat(scheduled.get(0).task()).isSameAs(p);
    // That check reports the suspect once its deadline has passed (the timer would run it then).
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      scheduled.get(0).task().run();
      return !up.isEmpty();
    });
    assertThat(up).containsExactly(List.of(crashed));
  }

  @Test
  void sharesVerifySuspect2sProtocolId_soItsHeadersAreUnchangedOnTheWire() {
    assertThat(new PromptVerifySuspect().getId()).isEqualTo(ClassConfigurator.getProtocolId(VERIFY_SUSPECT2.class));
  }
}
