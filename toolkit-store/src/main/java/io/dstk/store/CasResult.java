package io.dstk.store;

/**
 * The outcome of {@link ClusterStore#compareAndSet}: a version mismatch is an answer, not an exception.
 *
 * @param success true if the value was written
 * @param version on success the new version; on a mismatch the key's current version (0 if the key is absent)
 */
public record CasResult(boolean success, long version) {}
