package io.dstk.cache;

/** What a cache does when it reaches its maximum entries or maximum weight. */
public enum FullPolicy {
  /**
   * Each member evicts locally (Caffeine's size-based policy). Eviction is local to each member and outside the
   * durability promise: an evicted entry is simply gone from that member, and members may hold different subsets. The
   * default.
   */
  EVICT,
  /**
   * The ordering member refuses writes that would add a new key with {@link CacheFullException}; nothing is evicted,
   * so every acknowledged entry stays on every member.
   */
  REJECT
}
