package io.shardwise.testkit.esm;

import java.time.Instant;
import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * A Kinesis Data Streams record.
 *
 * @param sequenceNumber the record's sequence number
 * @param partitionKey its partition key
 * @param data its data blob (at most 1 MB in Kinesis; not checked here)
 * @param approximateArrivalTimestamp when it arrived in the stream
 */
public record KinesisStreamRecord(
        String sequenceNumber, String partitionKey, SdkBytes data, Instant approximateArrivalTimestamp)
        implements SourceRecord {

    /** Checks that no component is null. */
    public KinesisStreamRecord {
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Objects.requireNonNull(partitionKey, "partitionKey");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(approximateArrivalTimestamp, "approximateArrivalTimestamp");
    }

    /** The record of an SDK {@code GetRecords} response. */
    public static KinesisStreamRecord from(Record record) {
        return new KinesisStreamRecord(
                record.sequenceNumber(), record.partitionKey(), record.data(), record.approximateArrivalTimestamp());
    }
}
