package io.dstk.cache;

/** How a cache behaves when the cluster splits. */
public enum PartitionMode {
  /**
   * Writes need a strict majority of the cluster's expected members
   * ({@code ClusterConfig.Builder.expectedMembers}); a minority side refuses them with {@link NoQuorumException} and
   * serves reads only if {@link CacheConfig#readsWithoutQuorum()}. After the partition heals the minority's members
   * replace their state with the majority's. No acknowledged write is lost. The default.
   */
  CONSISTENCY,
  /**
   * Every side keeps accepting writes. After the partition heals the coordinator of the merged view reconciles each key
   * with the {@link MergePolicy} and reports a {@link CacheEvent.Merged} event. <b>Acknowledged writes can be lost in
   * this mode</b>: the merge policy keeps one side's value per key.
   */
  AVAILABILITY
}
