package io.shardwise.testkit.esm.internal;

import io.shardwise.testkit.esm.KinesisStreamRecord;
import io.shardwise.testkit.esm.SourceRecord;
import io.shardwise.testkit.esm.StreamSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** {@link StreamSource} over the Kinesis API: ListShards, GetShardIterator, GetRecords. Thread-safe. */
public final class KinesisSource implements StreamSource {

    private final KinesisClient client;
    private final String streamName;
    private volatile String streamArn;

    public KinesisSource(KinesisClient client, String streamName) {
        this.client = Objects.requireNonNull(client, "client");
        this.streamName = Objects.requireNonNull(streamName, "streamName");
    }

    @Override
    public Type type() {
        return Type.KINESIS;
    }

    @Override
    public String streamArn() {
        String arn = streamArn;
        if (arn == null) {
            arn = client.describeStreamSummary(b -> b.streamName(streamName)).streamDescriptionSummary().streamARN();
            streamArn = arn;
        }
        return arn;
    }

    @Override
    public List<Shard> listShards() {
        List<Shard> shards = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            ListShardsResponse page =
                    next == null
                            ? client.listShards(b -> b.streamName(streamName))
                            : client.listShards(b -> b.nextToken(next));
            for (var s : page.shards()) {
                List<String> parents = new ArrayList<>(2);
                if (s.parentShardId() != null) {
                    parents.add(s.parentShardId());
                }
                if (s.adjacentParentShardId() != null) {
                    parents.add(s.adjacentParentShardId());
                }
                shards.add(new Shard(s.shardId(), parents));
            }
            token = page.nextToken();
        } while (token != null);
        return shards;
    }

    @Override
    public String shardIterator(String shardId, Position position) {
        GetShardIteratorRequest.Builder request = GetShardIteratorRequest.builder().streamName(streamName).shardId(shardId);
        switch (position.type()) {
            case TRIM_HORIZON -> request.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
            case LATEST -> request.shardIteratorType(ShardIteratorType.LATEST);
            case AT_TIMESTAMP -> request.shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(position.timestamp());
            case AFTER_SEQUENCE_NUMBER ->
                    request
                            .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                            .startingSequenceNumber(position.sequenceNumber());
        }
        return client.getShardIterator(request.build()).shardIterator();
    }

    @Override
    public Page getRecords(String shardIterator, int limit) {
        GetRecordsResponse response;
        try {
            response = client.getRecords(b -> b.shardIterator(shardIterator).limit(Math.min(limit, 10_000)));
        } catch (ExpiredIteratorException e) {
            throw new IteratorExpiredException(e.getMessage(), e);
        }
        List<SourceRecord> records = new ArrayList<>(response.records().size());
        response.records().forEach(r -> records.add(KinesisStreamRecord.from(r)));
        Long behind = response.millisBehindLatest();
        return new Page(records, response.nextShardIterator(), records.isEmpty() && (behind == null || behind == 0L));
    }

    @Override
    public String toString() {
        return "KinesisSource{" + streamName + "}";
    }
}
