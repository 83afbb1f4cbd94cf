package io.shardwise.testkit.dynamodb.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ListStreamsRequest;
import software.amazon.awssdk.services.dynamodb.model.ListStreamsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.SequenceNumberRange;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.Stream;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * The DynamoDB Streams API over the tables' {@link StreamLog}s. A shard iterator is an opaque token that holds the
 * stream, the shard, the position (read records above this sequence number) and when it was issued; it expires 15
 * minutes after that, as AWS's do.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html">
 *     Amazon DynamoDB Streams actions</a>
 */
public final class StreamOperations {

    static final Duration ITERATOR_LIFETIME = Duration.ofMinutes(15);
    static final int MAX_RECORDS = 1000;

    private final Database db;

    public StreamOperations(Database db) {
        this.db = db;
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_ListStreams.html">ListStreams</a> */
    public ListStreamsResponse listStreams(ListStreamsRequest r) {
        int limit = r.limit() == null ? 100 : r.limit();
        if (limit < 1 || limit > 100) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value '" + limit
                    + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
        }
        List<Stream> out = new ArrayList<>();
        boolean started = r.exclusiveStartStreamArn() == null;
        String last = null;
        for (StreamLog s : db.streams()) {
            if (!started) {
                started = s.arn().equals(r.exclusiveStartStreamArn());
                continue;
            }
            if (r.tableName() != null && !r.tableName().equals(s.tableName())) {
                continue;
            }
            if (out.size() == limit) {
                last = out.get(out.size() - 1).streamArn();
                break;
            }
            out.add(Stream.builder().streamArn(s.arn()).tableName(s.tableName()).streamLabel(s.label()).build());
        }
        return ListStreamsResponse.builder().streams(out).lastEvaluatedStreamArn(last).build();
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html">DescribeStream</a> */
    public DescribeStreamResponse describeStream(DescribeStreamRequest r) {
        StreamLog s = stream(r.streamArn());
        List<KeySchemaElement> keys = new ArrayList<>();
        keys.add(KeySchemaElement.builder().attributeName(s.keySchema().hashName()).keyType(KeyType.HASH).build());
        if (s.keySchema().hasRange()) {
            keys.add(KeySchemaElement.builder().attributeName(s.keySchema().rangeName()).keyType(KeyType.RANGE).build());
        }
        BigInteger ending = s.endingSequence();
        SequenceNumberRange.Builder range =
                SequenceNumberRange.builder().startingSequenceNumber(s.startingSequence().toString());
        if (ending != null) {
            range.endingSequenceNumber(ending.toString());
        }
        List<Shard> shards = new ArrayList<>();
        if (r.exclusiveStartShardId() == null || !r.exclusiveStartShardId().equals(s.shardId())) {
            shards.add(Shard.builder().shardId(s.shardId()).sequenceNumberRange(range.build()).build());
        }
        return DescribeStreamResponse.builder()
                .streamDescription(StreamDescription.builder()
                        .streamArn(s.arn())
                        .streamLabel(s.label())
                        .streamStatus(s.enabled() ? StreamStatus.ENABLED : StreamStatus.DISABLED)
                        .streamViewType(s.viewType())
                        .creationRequestDateTime(s.created())
                        .tableName(s.tableName())
                        .keySchema(keys)
                        .shards(shards)
                        .build())
                .build();
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html">GetShardIterator</a> */
    public GetShardIteratorResponse getShardIterator(GetShardIteratorRequest r) {
        StreamLog s = stream(r.streamArn());
        if (!s.shardId().equals(r.shardId())) {
            throw AwsError.RESOURCE_NOT_FOUND.with("Requested resource not found: Shard does not exist");
        }
        Instant now = db.now();
        s.trim(now);
        ShardIteratorType type = r.shardIteratorType();
        BigInteger after;
        if (type == ShardIteratorType.TRIM_HORIZON) {
            after = s.trimmedUpTo().max(s.startingSequence().subtract(BigInteger.ONE));
        } else if (type == ShardIteratorType.LATEST) {
            after = s.lastSequence();
        } else if (type == ShardIteratorType.AT_SEQUENCE_NUMBER || type == ShardIteratorType.AFTER_SEQUENCE_NUMBER) {
            BigInteger sequence = sequenceNumber(r.sequenceNumber());
            if (sequence.compareTo(s.trimmedUpTo()) <= 0 && s.trimmedUpTo().signum() > 0) {
                throw AwsError.TRIMMED_DATA_ACCESS.with("The operation attempted to read past the oldest stream "
                        + "record in a shard: sequence number " + sequence + " was trimmed");
            }
            if (!s.contains(sequence)) {
                throw AwsError.VALIDATION.with("Invalid SequenceNumber " + sequence + " for shard " + s.shardId()
                        + ": no record with this sequence number");
            }
            after = type == ShardIteratorType.AT_SEQUENCE_NUMBER ? sequence.subtract(BigInteger.ONE) : sequence;
        } else {
            throw AwsError.VALIDATION.with("1 validation error detected: Value '" + r.shardIteratorTypeAsString()
                    + "' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
        }
        return GetShardIteratorResponse.builder().shardIterator(iterator(s, after, now)).build();
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html">GetRecords</a> */
    public GetRecordsResponse getRecords(GetRecordsRequest r) {
        int limit = r.limit() == null ? MAX_RECORDS : r.limit();
        if (limit < 1 || limit > MAX_RECORDS) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value '" + limit
                    + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000");
        }
        Position p = decode(r.shardIterator());
        StreamLog s = stream(p.streamArn());
        Instant now = db.now();
        if (!p.issued().plus(ITERATOR_LIFETIME).isAfter(now)) {
            throw AwsError.EXPIRED_ITERATOR.with("Iterator expired. The iterator was created at time "
                    + p.issued() + " while right now it is " + now + ".");
        }
        s.trim(now);
        if (p.after().compareTo(s.trimmedUpTo()) < 0) {
            throw AwsError.TRIMMED_DATA_ACCESS.with("The operation attempted to read past the oldest stream record "
                    + "in a shard: the iterator points at records that were trimmed");
        }
        List<Record> records = new ArrayList<>();
        BigInteger after = p.after();
        for (StreamLog.Stored stored : s.after(after, limit)) {
            records.add(stored.record());
            after = stored.sequence();
        }
        BigInteger ending = s.endingSequence();
        boolean closedAndRead = ending != null && after.compareTo(ending) >= 0;
        return GetRecordsResponse.builder()
                .records(records)
                .nextShardIterator(closedAndRead ? null : iterator(s, after, now))
                .build();
    }

    private StreamLog stream(String arn) {
        if (arn == null) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value null at 'streamArn' failed to satisfy "
                    + "constraint: Member must not be null");
        }
        for (StreamLog s : db.streams()) {
            if (s.arn().equals(arn)) {
                return s;
            }
        }
        throw AwsError.RESOURCE_NOT_FOUND.with("Requested resource not found: Stream: " + arn + " not found");
    }

    private static BigInteger sequenceNumber(String text) {
        if (text == null) {
            throw AwsError.VALIDATION.with("SequenceNumber is required for AT_SEQUENCE_NUMBER and "
                    + "AFTER_SEQUENCE_NUMBER shard iterators");
        }
        try {
            return new BigInteger(text);
        } catch (NumberFormatException e) {
            throw AwsError.VALIDATION.with("Invalid SequenceNumber " + text);
        }
    }

    private record Position(String streamArn, String shardId, BigInteger after, Instant issued) {}

    private static String iterator(StreamLog s, BigInteger after, Instant issued) {
        String raw = s.arn() + "|" + s.shardId() + "|" + after + "|" + issued.toEpochMilli();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static Position decode(String iterator) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(iterator), StandardCharsets.UTF_8);
            String[] parts = raw.split("\\|");
            if (parts.length != 4) {
                throw new IllegalArgumentException(raw);
            }
            return new Position(
                    parts[0], parts[1], new BigInteger(parts[2]), Instant.ofEpochMilli(Long.parseLong(parts[3])));
        } catch (RuntimeException e) {
            throw AwsError.VALIDATION.with("Invalid ShardIterator");
        }
    }
}
