package io.shardwise.testkit.esm;

import io.shardwise.testkit.esm.internal.DynamoDbStreamsSource;
import io.shardwise.testkit.esm.internal.KinesisSource;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * What an {@link EventSourceMappingRunner} polls: the shards of one stream and their records, behind the small
 * API Kinesis and DynamoDB Streams share ({@code ListShards}/{@code DescribeStream}, {@code GetShardIterator},
 * {@code GetRecords}). Three implementations: {@link #kinesis(KinesisClient, String)},
 * {@link #dynamoDb(DynamoDbStreamsClient, String)}, and {@link InMemoryStream} for fast, deterministic tests.
 * Which endpoint the clients talk to (kinesis-mock, the DynamoDB engine, LocalStack, AWS) is the only difference.
 *
 * <p>Implementations must be thread-safe: the runner calls them from one thread per shard and a discovery thread.
 */
public interface StreamSource {

    /** The kind of stream, which decides the Lambda event format. */
    enum Type {
        /** Kinesis Data Streams: {@code KinesisEvent}. */
        KINESIS,
        /** DynamoDB Streams: {@code DynamodbEvent}. */
        DYNAMODB
    }

    /** The kind of stream. */
    Type type();

    /** The stream's ARN, as event records carry it in {@code eventSourceARN}. */
    String streamArn();

    /** Every shard the stream has now, open or closed, with their parents (a split shard's children name it). */
    List<Shard> listShards();

    /**
     * A shard iterator at {@code position}.
     *
     * @throws UnsupportedOperationException if the stream type does not support the position (DynamoDB Streams and
     *     {@code AT_TIMESTAMP})
     */
    String shardIterator(String shardId, Position position);

    /**
     * Up to {@code limit} records from {@code shardIterator}.
     *
     * @throws IteratorExpiredException if the iterator expired; the runner takes a new one after the last record
     *     it read
     */
    Page getRecords(String shardIterator, int limit);

    /** A source for a Kinesis data stream read with {@code client} (the caller owns and closes the client). */
    static StreamSource kinesis(KinesisClient client, String streamName) {
        return new KinesisSource(client, streamName);
    }

    /** A source for a DynamoDB stream read with {@code client} (the caller owns and closes the client). */
    static StreamSource dynamoDb(DynamoDbStreamsClient client, String streamArn) {
        return new DynamoDbStreamsSource(client, streamArn);
    }

    /**
     * A shard.
     *
     * @param shardId its id
     * @param parentShardIds the shards it was split or merged from (empty for an original shard)
     */
    record Shard(String shardId, List<String> parentShardIds) {
        /** Copies the parents. */
        public Shard {
            Objects.requireNonNull(shardId, "shardId");
            parentShardIds = List.copyOf(parentShardIds);
        }
    }

    /**
     * The result of {@code GetRecords}.
     *
     * @param records the records, in shard order
     * @param nextShardIterator where to read next; null once a closed shard has no more records
     * @param caughtUp whether the iterator was at the tip of the shard (Kinesis: {@code MillisBehindLatest} 0)
     */
    record Page(List<SourceRecord> records, String nextShardIterator, boolean caughtUp) {
        /** Copies the records. */
        public Page {
            records = List.copyOf(records);
        }
    }

    /**
     * Where a shard iterator starts.
     *
     * @param type the iterator type
     * @param sequenceNumber for {@link PositionType#AFTER_SEQUENCE_NUMBER}
     * @param timestamp for {@link PositionType#AT_TIMESTAMP}
     */
    record Position(PositionType type, String sequenceNumber, Instant timestamp) {

        /** The oldest record. */
        public static Position trimHorizon() {
            return new Position(PositionType.TRIM_HORIZON, null, null);
        }

        /** Just after the newest record. */
        public static Position latest() {
            return new Position(PositionType.LATEST, null, null);
        }

        /** The first record that arrived at or after {@code timestamp}. */
        public static Position atTimestamp(Instant timestamp) {
            return new Position(PositionType.AT_TIMESTAMP, null, Objects.requireNonNull(timestamp));
        }

        /** Just after the record with {@code sequenceNumber}. */
        public static Position afterSequenceNumber(String sequenceNumber) {
            return new Position(PositionType.AFTER_SEQUENCE_NUMBER, Objects.requireNonNull(sequenceNumber), null);
        }
    }

    /** Shard iterator types the runner uses. */
    enum PositionType {
        /** See {@link Position#trimHorizon()}. */
        TRIM_HORIZON,
        /** See {@link Position#latest()}. */
        LATEST,
        /** See {@link Position#atTimestamp(Instant)}. */
        AT_TIMESTAMP,
        /** See {@link Position#afterSequenceNumber(String)}. */
        AFTER_SEQUENCE_NUMBER
    }

    /** Thrown by {@link #getRecords} when the iterator expired (Kinesis: after 5 minutes). */
    final class IteratorExpiredException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** With the source's message and cause. */
        public IteratorExpiredException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
