package io.dstk.store;

import java.time.Duration;

/**
 * What the store knows about a lease at the moment of a linearizable read.
 *
 * @param holder the holder id ({@link ClusterStore#holderId()} of the store instance that holds it)
 * @param epoch the lease's epoch: its fencing token
 * @param remaining how long it has left by the leader's clock at the time of the read
 */
public record LeaseInfo(String holder, long epoch, Duration remaining) {}
