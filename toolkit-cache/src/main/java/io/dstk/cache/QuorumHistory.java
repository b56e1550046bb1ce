package io.dstk.cache;

import io.dstk.membership.MembershipEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/*
 * Whether this member's partition had quorum just before each recent merge, as membership judged it for writes
 * (Cluster.hasQuorum, by expected members or by voters). After a partition heals, the coordinator of the merged view
 * asks every member for this flag to learn which side could acknowledge writes during the split: the cache cannot
 * recompute it, since the cluster does not expose its voters.
 *
 * The flag of each view is followed through the membership events, which arrive in view order: a view inherits the
 * flag of the view before it unless a QuorumLost or QuorumRegained event says otherwise. Thread-safe (synchronized);
 * the maps keep the last 64 views and merges.
 */
final class QuorumHistory {
  /** The answers to a QUORUM query. */
  static final int NO = 0;
  static final int YES = 1;
  static final int UNKNOWN = 2;

  private static final int KEEP = 64;

  private final Map<Long, Boolean> byView = bounded();
  private final Map<Long, Boolean> beforeMerge = bounded();
  /** The view current when this cache instance registered; -1 before. */
  private long firstView = -1;

  private static <T> Map<Long, T> bounded() {
    return new LinkedHashMap<>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, T> eldest) {
        return size() > KEEP;
      }
    };
  }

  /** Records the flag of the view current when the cache registered its listener, unless an event already did. */
  synchronized void seed(long viewId, boolean quorum) {
    byView.putIfAbsent(viewId, quorum);
    firstView = viewId;
  }

  /** Follows one membership event; call before acting on the event's view. */
  synchronized void onEvent(MembershipEvent event) {
    long oldId = event.oldView().id();
    long newId = event.newView().id();
    if (event instanceof MembershipEvent.QuorumLost) {
      byView.put(oldId, true);
      byView.put(newId, false);
    } else if (event instanceof MembershipEvent.QuorumRegained) {
      byView.put(oldId, false);
      byView.put(newId, true);
    } else {
      Boolean inherited = byView.get(oldId);
      if (inherited != null) {
        byView.putIfAbsent(newId, inherited);
      }
    }
    if (event instanceof MembershipEvent.PartitionHealed) {
      // the merge's quorum events (if any) follow this one in the same batch and describe the merged view
      Boolean before = byView.get(oldId);
      if (before != null) {
        beforeMerge.put(newId, before);
      }
    }
  }

  /**
   * Returns {@link #YES}, {@link #NO} or {@link #UNKNOWN} (this member has not seen the merge view yet). A cache
   * opened in or after the merge view answers NO: it held nothing of its own before the merge.
   */
  synchronized int hadQuorumBeforeMerge(long mergeViewId) {
    if (firstView >= mergeViewId) {
      return NO;
    }
    Boolean b = beforeMerge.get(mergeViewId);
    return b == null ? UNKNOWN : b ? YES : NO;
  }

  /** Answers a QUORUM query: {@code 9 | mergeViewId i64} → {@code 10 | answer u8}. */
  byte[] onQuery(byte[] message) {
    long viewId = Wire.open(message, Wire.QUORUM).i64();
    return Wire.message(Wire.QUORUM_STATE, 3).u8(hadQuorumBeforeMerge(viewId)).toArray();
  }
}
