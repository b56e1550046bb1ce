package io.dstk.cache;

/** When a write is acknowledged to the caller. */
public enum WriteMode {
  /**
   * After every member of the current view has applied it (members that leave the view meanwhile are not waited
   * for). An acknowledged write survives the crash of any member, the orderer included. The default.
   */
  SYNC,
  /**
   * As soon as the ordering member (the coordinator) has applied it; the other members apply it shortly after. An
   * acknowledged write is lost if the coordinator crashes before replicating it.
   */
  ASYNC
}
