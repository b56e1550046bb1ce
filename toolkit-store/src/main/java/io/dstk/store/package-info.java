/**
 * A small strongly consistent cluster store on jgroups-raft: a versioned key/value map, counters and leases with
 * fencing epochs, reached from a {@link io.dstk.membership.Cluster} through {@link io.dstk.store.ClusterStore#open}.
 */
package io.dstk.store;
