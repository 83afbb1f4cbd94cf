package io.shardwise.testkit.esm;

import java.time.Instant;

/**
 * One record as a {@link StreamSource} reads it from a shard: a Kinesis record ({@link KinesisStreamRecord}) or a
 * DynamoDB stream record ({@link DynamoDbStreamRecord}). The runner turns these into Lambda's event JSON.
 *
 * <p>Implementations are immutable values.
 */
public sealed interface SourceRecord permits KinesisStreamRecord, DynamoDbStreamRecord {

    /** The sequence number: a decimal integer, unique in its stream and increasing within its shard. */
    String sequenceNumber();

    /**
     * The key Lambda keeps order for when {@code ParallelizationFactor > 1}: the Kinesis partition key, or the
     * DynamoDB item key.
     */
    String partitionKey();

    /** When the record arrived in the stream (Kinesis) or the change happened (DynamoDB). */
    Instant approximateArrivalTimestamp();
}
