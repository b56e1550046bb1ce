package io.dstk.samples.orders;

import java.util.Optional;

/** The life of an order: NEW → PAID → SHIPPED, or NEW → CANCELLED. */
public enum OrderStatus {
  /** Accepted, not paid yet. */
  NEW,
  /** Paid, waiting to be shipped. */
  PAID,
  /** Shipped; final. */
  SHIPPED,
  /** Cancelled before payment; final. */
  CANCELLED;

  /**
   * Returns whether an order in this status may move to {@code next}.
   *
   * @param next the requested status
   * @return true for NEW→PAID, PAID→SHIPPED and NEW→CANCELLED
   */
  public boolean canMoveTo(OrderStatus next) {
    return switch (this) {
      case NEW -> next == PAID || next == CANCELLED;
      case PAID -> next == SHIPPED;
      case SHIPPED, CANCELLED -> false;
    };
  }

  /**
   * Returns the status the simulated processing moves this one to.
   *
   * @return PAID after NEW, SHIPPED after PAID, empty for final statuses
   */
  public Optional<OrderStatus> nextInProcessing() {
    return switch (this) {
      case NEW -> Optional.of(PAID);
      case PAID -> Optional.of(SHIPPED);
      case SHIPPED, CANCELLED -> Optional.empty();
    };
  }

  /**
   * Parses a status name exactly as written in the API (upper case).
   *
   * @param name the name
   * @return the status, or empty if no status has this name
   */
  public static Optional<OrderStatus> parse(String name) {
    for (OrderStatus s : values()) {
      if (s.name().equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
