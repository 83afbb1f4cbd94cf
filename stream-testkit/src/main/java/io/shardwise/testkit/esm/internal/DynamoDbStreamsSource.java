package io.shardwise.testkit.esm.internal;

import io.shardwise.testkit.esm.DynamoDbStreamRecord;
import io.shardwise.testkit.esm.SourceRecord;
import io.shardwise.testkit.esm.StreamSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** {@link StreamSource} over the DynamoDB Streams API: DescribeStream, GetShardIterator, GetRecords. Thread-safe. */
public final class DynamoDbStreamsSource implements StreamSource {

    private final DynamoDbStreamsClient client;
    private final String streamArn;

    public DynamoDbStreamsSource(DynamoDbStreamsClient client, String streamArn) {
        this.client = Objects.requireNonNull(client, "client");
        this.streamArn = Objects.requireNonNull(streamArn, "streamArn");
    }

    @Override
    public Type type() {
        return Type.DYNAMODB;
    }

    @Override
    public String streamArn() {
        return streamArn;
    }

    @Override
    public List<Shard> listShards() {
        List<Shard> shards = new ArrayList<>();
        String last = null;
        do {
            String start = last;
            DescribeStreamResponse page =
                    client.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(start));
            for (var s : page.streamDescription().shards()) {
                shards.add(new Shard(s.shardId(), s.parentShardId() == null ? List.of() : List.of(s.parentShardId())));
            }
            last = page.streamDescription().lastEvaluatedShardId();
        } while (last != null);
        return shards;
    }

    @Override
    public String shardIterator(String shardId, Position position) {
        GetShardIteratorRequest.Builder request = GetShardIteratorRequest.builder().streamArn(streamArn).shardId(shardId);
        switch (position.type()) {
            case TRIM_HORIZON -> request.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
            case LATEST -> request.shardIteratorType(ShardIteratorType.LATEST);
            case AFTER_SEQUENCE_NUMBER ->
                    request
                            .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                            .sequenceNumber(position.sequenceNumber());
            case AT_TIMESTAMP ->
                    throw new UnsupportedOperationException(
                            "DynamoDB Streams has no AT_TIMESTAMP iterator; use TRIM_HORIZON or LATEST");
        }
        return client.getShardIterator(request.build()).shardIterator();
    }

    @Override
    public Page getRecords(String shardIterator, int limit) {
        GetRecordsResponse response;
        try {
            response = client.getRecords(b -> b.shardIterator(shardIterator).limit(Math.min(limit, 1_000)));
        } catch (ExpiredIteratorException e) {
            throw new IteratorExpiredException(e.getMessage(), e);
        }
        List<SourceRecord> records = new ArrayList<>(response.records().size());
        response.records().forEach(r -> records.add(DynamoDbStreamRecord.from(r)));
        return new Page(records, response.nextShardIterator(), records.isEmpty());
    }

    @Override
    public String toString() {
        return "DynamoDbStreamsSource{" + streamArn + "}";
    }
}
