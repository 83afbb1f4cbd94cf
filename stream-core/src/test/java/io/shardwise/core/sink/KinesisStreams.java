package io.shardwise.core.sink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** Creates small, fresh streams on kinesis-mock and reads them back whole. */
public final class KinesisStreams {

    private KinesisStreams() {
    }

    /** One record read back, with the shard it is on. */
    public record Read(String shardId, String sequenceNumber, String partitionKey, byte[] data) {
    }

    public static String create(KinesisClient kinesis, String prefix, int shards) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        kinesis.createStream(b -> b.streamName(name).shardCount(shards));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (kinesis.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary().streamStatus()
                != StreamStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stream " + name + " did not become ACTIVE");
            }
            sleep(50);
        }
        return name;
    }

    /** Every record of every shard, shard by shard (shard id order), each shard in sequence order. */
    public static List<Read> readAll(KinesisClient kinesis, String stream) {
        List<Shard> shards = new ArrayList<>(kinesis.listShards(b -> b.streamName(stream)).shards());
        shards.sort(Comparator.comparing(Shard::shardId));
        List<Read> out = new ArrayList<>();
        for (Shard shard : shards) {
            String iterator = kinesis.getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String it = iterator;
                GetRecordsResponse r = kinesis.getRecords(b -> b.shardIterator(it).limit(1_000));
                for (Record rec : r.records()) {
                    out.add(new Read(shard.shardId(), rec.sequenceNumber(), rec.partitionKey(),
                            rec.data().asByteArray()));
                }
                if (r.records().isEmpty() && (r.millisBehindLatest() == null || r.millisBehindLatest() == 0)) {
                    break;
                }
                iterator = r.nextShardIterator();
            }
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
