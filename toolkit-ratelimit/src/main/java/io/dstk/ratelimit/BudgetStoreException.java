package io.dstk.ratelimit;

/**
 * A budget's state could not be read or written: an I/O failure, or a stored state that is corrupt (bad
 * checksum, unknown version, missing or malformed field). A corrupt state is never replaced by a fresh one
 * silently: the budget refuses to start (or to change) until someone repairs or removes the file.
 */
public final class BudgetStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed, naming the budget and the file
     * @param cause   the underlying failure, may be null
     */
    public BudgetStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
