package io.dstk.idgen;

/**
 * Thrown when a high-water file (see {@link WorkerIdSource#withHighWaterFile(java.nio.file.Path)}) cannot be
 * read or written, or its content is not a valid high-water record: corrupt, truncated, of an unknown version,
 * or written for another worker id. A corrupt file is never ignored: the generator refuses to start until an
 * operator has looked at it, because starting without it could reuse ids.
 */
public final class HighWaterFileException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message the detail message */
    public HighWaterFileException(String message) {
        super(message);
    }

    /**
     * @param message the detail message
     * @param cause   the cause
     */
    public HighWaterFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
