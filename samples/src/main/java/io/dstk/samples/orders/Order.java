package io.dstk.samples.orders;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One order, as stored in the replicated cache. Immutable; the compact constructor validates every field, so an
 * invalid order can never be stored.
 *
 * @param id the order id (a Snowflake id from toolkit-idgen)
 * @param customer the customer, 1..64 characters of {@code [A-Za-z0-9._-]}
 * @param item what was ordered, 1..100 characters
 * @param quantity 1..1000
 * @param status the current status
 * @param createdMillis when the order was accepted (epoch millis)
 * @param updatedMillis when its status last changed (epoch millis)
 */
public record Order(long id, String customer, String item, int quantity, OrderStatus status, long createdMillis,
    long updatedMillis) {

  /** The largest quantity one order may ask for. */
  public static final int MAX_QUANTITY = 1000;

  private static final Pattern CUSTOMER = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * Validates the fields.
   *
   * @throws NullPointerException if a text field or the status is null
   * @throws IllegalArgumentException if a field is out of range; the message names it and its value
   */
  public Order {
    Objects.requireNonNull(customer, "customer");
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(status, "status");
    if (id <= 0) {
      throw new IllegalArgumentException("id must be positive: " + id);
    }
    checkCustomer(customer);
    checkItem(item);
    checkQuantity(quantity);
  }

  /**
   * Checks a customer name.
   *
   * @param customer the name
   * @throws IllegalArgumentException if it is not 1..64 characters of {@code [A-Za-z0-9._-]}
   */
  public static void checkCustomer(String customer) {
    if (!CUSTOMER.matcher(customer).matches()) {
      throw new IllegalArgumentException("customer must be 1..64 characters of [A-Za-z0-9._-]: '"
          + abbreviate(customer) + "'");
    }
  }

  /**
   * Checks an item name.
   *
   * @param item the item
   * @throws IllegalArgumentException if it is blank or longer than 100 characters
   */
  public static void checkItem(String item) {
    if (item.isBlank() || item.length() > 100) {
      throw new IllegalArgumentException("item must be 1..100 characters, not blank: '" + abbreviate(item) + "'");
    }
  }

  /**
   * Checks a quantity.
   *
   * @param quantity the quantity
   * @throws IllegalArgumentException if it is not in 1..{@value #MAX_QUANTITY}
   */
  public static void checkQuantity(long quantity) {
    if (quantity < 1 || quantity > MAX_QUANTITY) {
      throw new IllegalArgumentException("quantity must be in 1.." + MAX_QUANTITY + ": " + quantity);
    }
  }

  /**
   * Returns a copy in another status.
   *
   * @param next the new status
   * @param nowMillis the time of the change
   * @return the changed order
   */
  public Order withStatus(OrderStatus next, long nowMillis) {
    return new Order(id, customer, item, quantity, next, createdMillis, nowMillis);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
