/**
 * Consistent hashing: map keys to nodes so that few keys move when nodes change.
 *
 * <p>Entry points: {@link io.dstk.hash.ConsistentHash} (ring, ketama, rendezvous, maglev),
 * {@link io.dstk.hash.JumpHash}, {@link io.dstk.hash.BoundedLoadBalancer}, {@link io.dstk.hash.HashFunction} and
 * {@link io.dstk.hash.HashAnalysis}. No runtime dependencies. Placement is a wire format: it is pinned by golden
 * tests and documented in {@code docs/consistent-hash.md}.
 */
package io.dstk.hash;
