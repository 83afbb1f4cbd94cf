package io.shardwise.testkit.esm;

/**
 * Where an event source mapping starts reading the shards that exist when it starts, as Lambda's
 * {@code StartingPosition}. Shards that appear later (children of a split or merge) are always read from their
 * beginning, after their parents, and a shard with a stored checkpoint resumes just after it.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html">Kinesis ESM
 *     parameters</a>
 */
public enum StartingPosition {
    /** The oldest record still in each shard. */
    TRIM_HORIZON,
    /** Only records written after the runner started. */
    LATEST,
    /**
     * The first record that arrived at or after {@link EventSourceMapping.Builder#startingPositionTimestamp}. Kinesis
     * only: DynamoDB Streams (and Lambda's DynamoDB mappings) do not support it.
     */
    AT_TIMESTAMP
}
