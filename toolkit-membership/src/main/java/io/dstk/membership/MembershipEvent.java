package io.dstk.membership;

import java.util.List;
import java.util.Objects;

/**
 * A change in the cluster as seen by this node, delivered to a {@link MembershipListener}.
 *
 * <p>Every event carries the view before and the view after the change. For one new view, events arrive in this
 * order: {@link MemberLeft}/{@link MemberRemoved} for each member gone, {@link MemberJoined} for each member new (or one
 * {@link PartitionHealed} for a merge instead of both), then {@link CoordinatorChanged}, then {@link QuorumLost} or
 * {@link QuorumRegained}.
 *
 * <p><b>Left versus removed.</b> {@link MemberLeft} means the member announced a graceful leave
 * ({@link Cluster#close()}). {@link MemberRemoved} covers everything else: a crash, a member suspected by failure
 * detection, or a member on the other side of a network partition. The underlying group membership cannot tell these
 * apart, so neither can this event: treat a removed member as possibly alive elsewhere.
 */
public sealed interface MembershipEvent {

  /**
   * Returns the view before the change.
   *
   * @return the old view (id -1 and no members before the first view)
   */
  ClusterView oldView();

  /**
   * Returns the view after the change.
   *
   * @return the new view
   */
  ClusterView newView();

  /**
   * A member appeared in the view.
   *
   * @param member the new member
   * @param oldView the view before
   * @param newView the view after
   */
  record MemberJoined(Member member, ClusterView oldView, ClusterView newView) implements MembershipEvent {
    /** Checks for nulls. */
    public MemberJoined {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(oldView, "oldView");
      Objects.requireNonNull(newView, "newView");
    }
  }

  /**
   * A member left gracefully: it announced its leave before going.
   *
   * @param member the member that left
   * @param oldView the view before
   * @param newView the view after
   */
  record MemberLeft(Member member, ClusterView oldView, ClusterView newView) implements MembershipEvent {
    /** Checks for nulls. */
    public MemberLeft {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(oldView, "oldView");
      Objects.requireNonNull(newView, "newView");
    }
  }

  /**
   * A member was removed without announcing a leave: it crashed, was suspected by failure detection, or is on the
   * other side of a partition. These cases cannot be told apart.
   *
   * @param member the member removed
   * @param oldView the view before
   * @param newView the view after
   */
  record MemberRemoved(Member member, ClusterView oldView, ClusterView newView) implements MembershipEvent {
    /** Checks for nulls. */
    public MemberRemoved {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(oldView, "oldView");
      Objects.requireNonNull(newView, "newView");
    }
  }

  /**
   * Two or more partitions found each other and merged into one view.
   *
   * @param subgroups the member lists of the partitions that merged, each in its own view order
   * @param oldView this node's view before the merge
   * @param newView the merged view
   */
  record PartitionHealed(List<List<Member>> subgroups, ClusterView oldView, ClusterView newView)
      implements MembershipEvent {
    /** Copies the subgroups. */
    public PartitionHealed {
      subgroups = subgroups.stream().map(List::copyOf).toList();
      Objects.requireNonNull(oldView, "oldView");
      Objects.requireNonNull(newView, "newView");
    }
  }

  /**
   * The coordinator (oldest member) changed.
   *
   * @param previous the previous coordinator, or null before the first view
   * @param current the new coordinator
   * @param oldView the view before
   * @param newView the view after
   */
  record CoordinatorChanged(Member previous, Member current, ClusterView oldView, ClusterView newView)
      implements MembershipEvent {
    /** Checks for nulls. */
    public CoordinatorChanged {
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(oldView, "oldView");
      Objects.requireNonNull(newView, "newView");
    }
  }

  /**
   * The view no longer holds a strict majority of {@link ClusterConfig#expectedMembers()} (or of the
   * {@link ClusterConfig#voters()}).
   *
   * @param oldView the view before
   * @param newView the view after
   */
  record QuorumLost(ClusterView oldView, ClusterView newView) implements MembershipEvent {
    /** Checks for nulls. */
    public QuorumLost {
      Objects.requireNonNull(oldView, "oldView");
      Objects.requireNonNull(newView, "newView");
    }
  }

  /**
   * The view holds a strict majority of {@link ClusterConfig#expectedMembers()} (or of the
   * {@link ClusterConfig#voters()}) again, or for the first time.
   *
   * @param oldView the view before
   * @param newView the view after
   */
  record QuorumRegained(ClusterView oldView, ClusterView newView) implements MembershipEvent {
    /** Checks for nulls. */
    public QuorumRegained {
      Objects.requireNonNull(oldView, "oldView");
      Objects.requireNonNull(newView, "newView");
    }
  }

  /**
   * The listener fell behind: its queue overflowed and the backlog was dropped. {@link #newView()} is the current view
   * when the backlog collapsed; {@link #oldView()} is the last view of an event the listener did receive (or of the
   * first event dropped). Re-read whatever state you derive from the membership.
   *
   * @param skippedEvents how many queued events were dropped
   * @param oldView the last view delivered before the gap
   * @param newView the current view
   */
  record ViewsSkipped(int skippedEvents, ClusterView oldView, ClusterView newView) implements MembershipEvent {
    /** Checks for nulls. */
    public ViewsSkipped {
      Objects.requireNonNull(oldView, "oldView");
      Objects.requireNonNull(newView, "newView");
    }
  }
}
