package io.dstk.store.internal;

import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.AppendEntriesResponse;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.RaftHeader;
import org.jgroups.protocols.raft.Role;
import org.jgroups.raft.util.CommitTable;

/**
 * jgroups-raft's {@code RAFT} that also reports when this node learns a leader. {@code RAFT}'s role listeners fire
 * only when the role changes (a follower that learns the new leader stays a follower); every leader update goes
 * through {@link #changeRole}, so this hook sees them all. It shares {@code RAFT}'s protocol id, so its headers are
 * those of {@code RAFT} on the wire.
 *
 * <p>It also sends at once what a follower still lacks after it refused an {@code AppendEntries} (its log lacks the
 * entry before the ones sent, or has another term there), and again after the answer that ends that recovery, where
 * {@code RAFT} waits for its next idle {@code resend_interval} tick each time: right after an election the new
 * leader's first entry is often refused by the follower that missed the old leader's last entry, and those waits
 * (one or two ticks of 200 ms) added up to 430 ms to such a fail-over.
 *
 * <p>The callback runs on a jgroups-raft thread that may hold raft locks: it must only hand work to another thread.
 *
 * <p>Only {@link RaftStack} names this class, as a string: the store's javadoc runs on the module path, where a
 * subclass of {@code RAFT} in the store's sources cannot be resolved.
 */
public class ObservedRaft extends RAFT implements LeaderUpdates {
  private volatile Runnable onLeaderUpdate = () -> {};

  /** Creates the protocol with {@code RAFT}'s id. */
  public ObservedRaft() {
    setId(ClassConfigurator.getProtocolId(RAFT.class));
  }

  @Override
  public void onLeaderUpdate(Runnable callback) {
    this.onLeaderUpdate = callback;
  }

  @Override
  public void handleUpRequest(Message msg, RaftHeader hdr) {
    if (!(hdr instanceof AppendEntriesResponse) || msg.src() == null || !isLeader()) {
      super.handleUpRequest(msg, hdr);
      return;
    }
    CommitTable table = commitTable();
    CommitTable.Entry before = table == null ? null : table.get(msg.src());
    boolean recovering = before != null && before.sendSingleMessage();
    super.handleUpRequest(msg, hdr);
    CommitTable.Entry e = table == null ? null : table.get(msg.src());
    // A refusal puts the follower's entry in single-message mode with next_index moved back; the OK that ends the
    // recovery clears it. In both cases send what the follower still lacks now. (Plain OKs of pipelined entries do
    // not come here: their entry was not in single-message mode.)
    if (e != null && (recovering || e.sendSingleMessage()) && e.matchIndex() < lastAppended()) {
      try {
        flushCommitTable(msg.src());
      } catch (IllegalStateException notLeader) {
        // stepped down meanwhile: the new leader brings the follower up to date
      }
    }
  }

  @Override
  protected RAFT changeRole(Role role) {
    RAFT r = super.changeRole(role);
    onLeaderUpdate.run();
    return r;
  }
}
