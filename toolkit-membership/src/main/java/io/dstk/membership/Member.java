package io.dstk.membership;

import java.util.Map;
import java.util.Objects;

/**
 * One member of a cluster, as every other member sees it: a unique node name, a transport address, its rank in join
 * order and a small map of user metadata.
 *
 * <p><b>Identity.</b> The node name is the member's identity for routing (hash rings use it as the key), and no two
 * members of one view ever share a name: a join under a taken name fails with {@link DuplicateMemberNameException}.
 * {@link #equals(Object)} compares the name and the address, so a member that restarts under the same name is a new
 * {@code Member} with the same {@link #name()}.
 *
 * <p><b>Join order.</b> {@link #joinOrder()} is the member's rank among the members of the view it was taken from,
 * oldest first (0 is the oldest, normally the coordinator). It is not part of equality.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Member {
  private final String name;
  private final String address;
  private final int joinOrder;
  private final Map<String, String> metadata;

  /**
   * Creates a member value; normally only the cluster creates these.
   *
   * @param name the unique node name, not blank
   * @param address the transport address as text (JGroups address id), not null
   * @param joinOrder rank in join order, not negative
   * @param metadata the member's metadata, copied
   * @throws IllegalArgumentException if {@code name} is blank or {@code joinOrder} is negative
   * @throws NullPointerException if an argument is null
   */
  public Member(String name, String address, int joinOrder, Map<String, String> metadata) {
    this.name = Objects.requireNonNull(name, "name");
    this.address = Objects.requireNonNull(address, "address");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank: '" + name + "'");
    }
    if (joinOrder < 0) {
      throw new IllegalArgumentException("joinOrder must be >= 0: " + joinOrder);
    }
    this.joinOrder = joinOrder;
    this.metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
  }

  /**
   * Returns the unique node name.
   *
   * @return the node name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the transport address as text; it changes when the process restarts.
   *
   * @return the address
   */
  public String address() {
    return address;
  }

  /**
   * Returns the rank in join order within the view this value came from (0 = oldest).
   *
   * @return the join rank
   */
  public int joinOrder() {
    return joinOrder;
  }

  /**
   * Returns the immutable metadata map the member announced when it joined.
   *
   * @return the metadata, never null
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Member m && m.name.equals(name) && m.address.equals(address);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + address.hashCode();
  }

  @Override
  public String toString() {
    return metadata.isEmpty() ? name : name + metadata;
  }
}
