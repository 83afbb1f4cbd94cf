package io.shardwise.testkit.esm;

import java.time.Instant;

/**
 * A checkpoint the runner saved: in {@code shardId}, every record up to and including {@code sequenceNumber} is
 * done (processed, or discarded to the on-failure destination), or, when {@code sequenceNumber} is
 * {@link CheckpointStore#SHARD_END}, the closed shard is done and its children may start.
 *
 * @param shardId the shard
 * @param sequenceNumber the last done sequence number, or {@link CheckpointStore#SHARD_END}
 * @param at when, on the mapping's clock
 */
public record Checkpoint(String shardId, String sequenceNumber, Instant at) {

    /** Whether this marks the end of a closed shard. */
    public boolean isShardEnd() {
        return CheckpointStore.SHARD_END.equals(sequenceNumber);
    }

    @Override
    public String toString() {
        return shardId + "@" + sequenceNumber;
    }
}
