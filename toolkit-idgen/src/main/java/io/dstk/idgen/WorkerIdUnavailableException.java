package io.dstk.idgen;

/**
 * Thrown when a worker id cannot be obtained, or can no longer be used: not configured, out of range, or its
 * lease could not be extended. No id is issued under a worker id that is unavailable.
 */
public final class WorkerIdUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message the detail message */
    public WorkerIdUnavailableException(String message) {
        super(message);
    }

    /**
     * @param message the detail message
     * @param cause   the cause
     */
    public WorkerIdUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
