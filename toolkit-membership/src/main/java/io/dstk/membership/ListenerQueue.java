package io.dstk.membership;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's bounded queue, drained by at most one task at a time on the event executor. On overflow the whole
 * backlog collapses into one {@link MembershipEvent.ViewsSkipped}.
 */
final class ListenerQueue {
  private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

  private final MembershipListener listener;
  private final int capacity;
  private final Executor executor;
  private final ArrayDeque<MembershipEvent> queue = new ArrayDeque<>();
  private boolean scheduled;
  private boolean closed;

  ListenerQueue(MembershipListener listener, int capacity, Executor executor) {
    this.listener = listener;
    this.capacity = capacity;
    this.executor = executor;
  }

  void offer(MembershipEvent event) {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (queue.size() >= capacity) {
        int dropped = 1;
        MembershipEvent first = queue.peekFirst();
        for (MembershipEvent e : queue) {
          dropped += e instanceof MembershipEvent.ViewsSkipped s ? s.skippedEvents() : 1;
        }
        queue.clear();
        queue.add(new MembershipEvent.ViewsSkipped(dropped, first.oldView(), event.newView()));
      } else {
        queue.add(event);
      }
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        scheduled = false;
      }
    }
  }

  void close() {
    synchronized (this) {
      closed = true;
      queue.clear();
    }
  }

  private void drain() {
    while (true) {
      MembershipEvent next;
      synchronized (this) {
        next = closed ? null : queue.poll();
        if (next == null) {
          scheduled = false;
          return;
        }
      }
      try {
        listener.onEvent(next);
      } catch (RuntimeException | Error e) {
        LOG.error("membership listener {} failed on {}", listener, next.getClass().getSimpleName(), e);
      }
    }
  }
}
