package io.dstk.idgen;

/** A node id from configuration. Immutable. */
final class FixedWorkerIdSource implements WorkerIdSource {
    private final long nodeId;
    private final String origin;

    FixedWorkerIdSource(long nodeId, String origin) {
        this.nodeId = nodeId;
        this.origin = origin;
    }

    @Override
    public WorkerIdLease acquire(SnowflakeLayout layout) {
        if (nodeId < 0 || nodeId > layout.maxNodeId()) {
            throw new WorkerIdUnavailableException("node id from " + origin + " was " + nodeId
                    + " but must be in [0, " + layout.maxNodeId() + "] for " + layout);
        }
        return new WorkerIdLease() {
            @Override
            public long nodeId() {
                return nodeId;
            }

            @Override
            public long issuedUpToMillis() {
                return Long.MIN_VALUE;
            }

            @Override
            public long extend(long wantedMillis) {
                return Long.MAX_VALUE;
            }
        };
    }

    @Override
    public String toString() {
        return "WorkerIdSource.fixed(" + nodeId + ")";
    }
}
