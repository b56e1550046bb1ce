package io.dstk.membership;

/**
 * Receives {@link MembershipEvent}s.
 *
 * <p><b>Threading.</b> Each listener gets its own bounded queue and is called on a thread owned by the cluster (never a
 * JGroups thread), one event at a time, in view order. A slow listener delays only itself: when its queue overflows
 * (capacity {@link ClusterConfig#listenerQueueCapacity()}), the backlog collapses into one
 * {@link MembershipEvent.ViewsSkipped} carrying the current view. An exception thrown by a listener is logged and does
 * not stop later deliveries.
 */
@FunctionalInterface
public interface MembershipListener {

  /**
   * Handles one event.
   *
   * @param event the event, never null
   */
  void onEvent(MembershipEvent event);
}
