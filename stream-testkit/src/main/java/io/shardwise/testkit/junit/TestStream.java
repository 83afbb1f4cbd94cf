package io.shardwise.testkit.junit;

import io.shardwise.testkit.esm.StreamSource;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * A Kinesis stream a {@link LocalStreams} created for a test (deleted after it), with small helpers.
 * Thread-safe (the SDK client is).
 *
 * @param name the stream's name
 * @param arn the stream's ARN
 * @param client the client it was created with (shared: do not close)
 */
public record TestStream(String name, String arn, KinesisClient client) {

    /** Puts a record with UTF-8 data. */
    public PutRecordResponse put(String partitionKey, String data) {
        return put(partitionKey, data.getBytes(StandardCharsets.UTF_8));
    }

    /** Puts a record. */
    public PutRecordResponse put(String partitionKey, byte[] data) {
        return client.putRecord(b -> b.streamName(name).partitionKey(partitionKey).data(SdkBytes.fromByteArray(data)));
    }

    /** Every shard, open or closed. */
    public List<Shard> shards() {
        return client.listShards(b -> b.streamName(name)).shards();
    }

    /**
     * Splits a shard at the middle of its hash key range and waits until the stream is active again.
     *
     * @return the two children's ids
     */
    public List<String> split(String shardId) {
        Shard shard = shards().stream().filter(s -> s.shardId().equals(shardId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no shard " + shardId + " in " + name));
        BigInteger start = new BigInteger(shard.hashKeyRange().startingHashKey());
        BigInteger end = new BigInteger(shard.hashKeyRange().endingHashKey());
        String middle = start.add(end).shiftRight(1).add(BigInteger.ONE).toString();
        client.splitShard(b -> b.streamName(name).shardToSplit(shardId).newStartingHashKey(middle));
        LocalStreams.awaitKinesisActive(client, name, Duration.ofSeconds(30));
        return shards().stream().filter(s -> shardId.equals(s.parentShardId())).map(Shard::shardId).toList();
    }

    /** The stream as a runner's {@link StreamSource}. */
    public StreamSource source() {
        return StreamSource.kinesis(client, name);
    }
}
