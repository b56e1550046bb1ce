package io.dstk.membership;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of the members one node sees, in join order.
 *
 * <p>The first member is the coordinator. Within one partition every member sees the same views in the same order;
 * {@link #id()} grows monotonically on each node (a merge view has a larger id than every view it merges).
 *
 * @param id the view id, increasing with every view this node installs
 * @param members the members in join order, oldest first; never empty for an installed view
 */
public record ClusterView(long id, List<Member> members) {

  /**
   * Validates and copies the members.
   *
   * @throws NullPointerException if {@code members} is null
   */
  public ClusterView {
    members = List.copyOf(Objects.requireNonNull(members, "members"));
  }

  /**
   * Returns the coordinator, the oldest member of the view.
   *
   * @return the coordinator, or empty for an empty view
   */
  public Optional<Member> coordinator() {
    return members.isEmpty() ? Optional.empty() : Optional.of(members.get(0));
  }

  /**
   * Returns the member with the given node name.
   *
   * @param name a node name
   * @return the member, or empty if no member of this view has that name
   */
  public Optional<Member> member(String name) {
    for (Member m : members) {
      if (m.name().equals(name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns whether a member with this node name is in the view.
   *
   * @param name a node name
   * @return true if present
   */
  public boolean contains(String name) {
    return member(name).isPresent();
  }

  /**
   * Returns the number of members.
   *
   * @return the size
   */
  public int size() {
    return members.size();
  }

  @Override
  public String toString() {
    return "[" + id + "] " + members;
  }
}
