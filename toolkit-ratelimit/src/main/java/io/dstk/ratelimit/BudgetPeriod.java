package io.dstk.ratelimit;

/** How often a {@link Budget} starts over by itself; periods follow the calendar of the budget's time zone. */
public enum BudgetPeriod {
    /** Never: only {@link Budget#reset()} and {@link Budget#raise(long)} start a new epoch. */
    NONE,
    /** Every day at midnight. */
    DAILY,
    /** On the first day of every month at midnight. */
    MONTHLY;
}
