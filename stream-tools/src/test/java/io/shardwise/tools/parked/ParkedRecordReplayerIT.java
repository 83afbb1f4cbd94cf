package io.shardwise.tools.parked;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardwise.core.BatchProcessor;
import io.shardwise.core.BatchResult;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.sink.KinesisStreams;
import io.shardwise.core.sink.Parked;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.core.sink.ParkedRecordJson;
import io.shardwise.core.sink.S3FailureSink;
import io.shardwise.core.sink.SinkEmulators;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.testkit.LocalEmulators;
import io.shardwise.tools.CommandRun;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@link ParkedRecordReplayer} end to end: records parked by the real sinks into ElasticMQ or S3Mock are put back
 * onto a kinesis-mock stream; every test checks per-key order and byte-exact payloads on the stream.
 */
class ParkedRecordReplayerIT {

    private static KinesisClient kinesis;
    private static SqsClient sqs;
    private static S3Client s3;
    private static final String BUCKET = "replay-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() {
        kinesis = LocalEmulators.kinesis().client(); // shared, owned by the testkit: not closed here
        sqs = SinkEmulators.sqsClient();
        s3 = SinkEmulators.s3Client();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void close() {
        sqs.close();
        s3.close();
    }

    /** 12 records on two shards and four keys, one too large for SQS; sequence order within each shard. */
    private static List<ParkedRecord> parkedBatch() {
        List<ParkedRecord> out = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String shard = i % 2 == 0 ? "shardId-000000000000" : "shardId-000000000001";
            String key = "key-" + (i % 4);
            byte[] payload = i == 5 ? Parked.binaryPayload(400_000, i) : payload(i, key);
            out.add(Parked.record(shard, i, -1, key, payload));
        }
        return out;
    }

    private static byte[] payload(int i, String key) {
        byte[] text = ("r" + i + "/" + key + "/").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[text.length + 3];
        System.arraycopy(text, 0, bytes, 0, text.length);
        bytes[text.length] = (byte) 0xFF; // not UTF-8
        bytes[text.length + 1] = 0;
        bytes[text.length + 2] = (byte) i;
        return bytes;
    }

    @Test
    void fromSqsADryRunChangesNothingAndARealRunPutsThePayloadsBackInOrderThenEmptiesTheQueue() {
        String queue = newQueue();
        String stream = KinesisStreams.create(kinesis, "replay", 2);
        List<ParkedRecord> parked = parkedBatch();
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).spillToS3(s3, BUCKET, "spill")
                .build();
        List<ParkedRecord> parkOrder = new ArrayList<>(parked);
        Collections.shuffle(parkOrder, new Random(42)); // a standard queue keeps no order anyway
        parkOrder.forEach(sink::park);
        sink.park(parked.get(3)); // a retried park: the same record twice in the queue

        ParkedRecordReplayer.Builder replayer = ParkedRecordReplayer.builder().kinesis(kinesis).streamName(stream)
                .sqs(sqs).s3(s3);
        ParkedRecordReplayer.Summary dry = replayer.dryRun(true).build().replayFromSqs(queue);

        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.found()).isEqualTo(13);
        assertThat(dry.wouldReplay()).isEqualTo(12);
        assertThat(dry.skipped()).isEqualTo(1);
        assertThat(dry.replayed()).isZero();
        assertThat(dry.failed()).isZero();
        assertThat(dry.items()).filteredOn(i -> i.action() == ParkedRecordReplayer.Action.WOULD_REPLAY)
                .extracting(ParkedRecordReplayer.Item::record)
                .containsExactlyElementsOf(parked.stream().sorted(ParkedRecordReplayer.RECORD_ORDER)
                        .map(ParkedRecord::describe).toList());
        assertThat(KinesisStreams.readAll(kinesis, stream)).isEmpty();
        assertThat(CommandRun.visibleMessages(sqs, queue)).isEqualTo(13);

        ParkedRecordReplayer.Summary real = replayer.dryRun(false).build().replayFromSqs(queue);

        assertThat(real.found()).isEqualTo(13);
        assertThat(real.replayed()).isEqualTo(12);
        assertThat(real.skipped()).isEqualTo(1);
        assertThat(real.failed()).isZero();
        assertOnStreamInOrder(stream, parked);
        assertThat(CommandRun.visibleMessages(sqs, queue)).isZero();
        assertThat(CommandRun.inFlightMessages(sqs, queue)).isZero();
    }

    @Test
    void fromSqsAFailedPutLeavesTheMessageAndHoldsBackItsKeyAndABadMessageStaysToo() {
        String queue = newQueue();
        List<ParkedRecord> parked = parkedBatch().subList(0, 4);
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).build();
        parked.forEach(sink::park);
        sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{\"hello\":\"world\"}"));

        ParkedRecordReplayer.Summary summary = ParkedRecordReplayer.builder().kinesis(kinesis)
                .streamName("no-such-stream-" + UUID.randomUUID()).sqs(sqs).build().replayFromSqs(queue);

        assertThat(summary.found()).isEqualTo(5);
        assertThat(summary.failed()).isEqualTo(5); // 4 puts refused, 1 not a parked record
        assertThat(summary.replayed()).isZero();
        assertThat(summary.items()).filteredOn(i -> i.record() == null).singleElement()
                .satisfies(i -> assertThat(i.detail()).startsWith("not a parked record: missing field"));
        assertThat(CommandRun.visibleMessages(sqs, queue)).isEqualTo(5);
    }

    @Test
    void fromSqsRecordsBehindAFailedOneOfTheSameKeyAreHeldBackAndOthersGoOn() {
        String queue = newQueue();
        String stream = KinesisStreams.create(kinesis, "replay", 1);
        ParkedRecord k1a = Parked.record(1, "k1", new byte[] {1});
        ParkedRecord bad = Parked.record(2, "k1", new byte[] {2});
        ParkedRecord k1b = Parked.record(3, "k1", new byte[] {3});
        ParkedRecord k2 = Parked.record(4, "k2", new byte[] {4});
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).build();
        List.of(k1a, k1b, k2).forEach(sink::park);
        // A message whose payload is not base64: its put cannot even be attempted.
        String badBody = ParkedRecordJson.toJson(bad).replace(bad.payloadBase64(), "!!not base64!!");
        sqs.sendMessage(b -> b.queueUrl(queue).messageBody(badBody));

        ParkedRecordReplayer.Summary summary = ParkedRecordReplayer.builder().kinesis(kinesis).streamName(stream)
                .sqs(sqs).build().replayFromSqs(queue);

        assertThat(summary.items()).extracting(ParkedRecordReplayer.Item::record, ParkedRecordReplayer.Item::action)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(k1a.describe(), ParkedRecordReplayer.Action.REPLAYED),
                        org.assertj.core.groups.Tuple.tuple(bad.describe(), ParkedRecordReplayer.Action.FAILED),
                        org.assertj.core.groups.Tuple.tuple(k1b.describe(), ParkedRecordReplayer.Action.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple(k2.describe(), ParkedRecordReplayer.Action.REPLAYED));
        assertOnStreamInOrder(stream, List.of(k1a, k2));
        assertThat(CommandRun.visibleMessages(sqs, queue)).isEqualTo(2);
    }

    @Test
    void fromAFifoQueueARunReadsRoundByRoundSoAGroupLongerThanOneReceiveIsReplayedWholeAndInOrder() {
        String queue = sqs.createQueue(b -> b.queueName("replay-" + UUID.randomUUID().toString().substring(0, 8)
                + ".fifo").attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        String stream = KinesisStreams.create(kinesis, "replay", 1);
        List<ParkedRecord> parked = new ArrayList<>();
        for (int i = 0; i < 25; i++) { // one shard, so one message group: SQS hands out at most 10 at a time
            parked.add(Parked.record(i, "key-" + (i % 3), i == 7 ? Parked.binaryPayload(300_000, i)
                    : payload(i, "key-" + (i % 3))));
        }
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).spillToS3(s3, BUCKET, "fifo-spill")
                .build();
        parked.forEach(sink::park);
        String spillKey = "fifo-spill/" + Parked.CONSUMER + "/" + Parked.SHARD + "/" + Parked.seq(7) + ".json";
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("fifo-spill/")).contents())
                .extracting(S3Object::key).containsExactly(spillKey);

        ParkedRecordReplayer.Summary summary = ParkedRecordReplayer.builder().kinesis(kinesis).streamName(stream)
                .sqs(sqs).s3(s3).deleteAfterReplay(true).build().replayFromSqs(queue);

        assertThat(summary.found()).isEqualTo(25);
        assertThat(summary.replayed()).isEqualTo(25);
        assertThat(summary.items()).extracting(ParkedRecordReplayer.Item::record)
                .containsExactlyElementsOf(parked.stream().map(ParkedRecord::describe).toList());
        assertOnStreamInOrder(stream, parked);
        assertThat(CommandRun.visibleMessages(sqs, queue)).isZero();
        assertThat(CommandRun.inFlightMessages(sqs, queue)).isZero();
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("fifo-spill/")).contents()).isEmpty();
    }

    @Test
    void fromS3ADryRunChangesNothingAndARealRunPutsThePayloadsBackInOrderThenDeletes() {
        String stream = KinesisStreams.create(kinesis, "replay", 2);
        String prefix = "parked-" + UUID.randomUUID().toString().substring(0, 8);
        List<ParkedRecord> parked = parkedBatch();
        S3FailureSink sink = S3FailureSink.builder().client(s3).bucket(BUCKET).keyPrefix(prefix).build();
        List<ParkedRecord> parkOrder = new ArrayList<>(parked);
        Collections.shuffle(parkOrder, new Random(7));
        parkOrder.forEach(sink::park);
        s3.putObject(b -> b.bucket(BUCKET).key(prefix + "/README.txt"),
                software.amazon.awssdk.core.sync.RequestBody.fromString("not a record"));

        ParkedRecordReplayer.Builder replayer = ParkedRecordReplayer.builder().kinesis(kinesis).streamName(stream)
                .s3(s3).deleteAfterReplay(true);
        ParkedRecordReplayer.Summary dry = replayer.dryRun(true).build().replayFromS3(BUCKET, prefix);

        assertThat(dry.found()).isEqualTo(13);
        assertThat(dry.wouldReplay()).isEqualTo(12);
        assertThat(dry.skipped()).isEqualTo(1); // README.txt
        assertThat(dry.failed()).isZero();
        assertThat(KinesisStreams.readAll(kinesis, stream)).isEmpty();
        assertThat(keys(prefix)).hasSize(13);

        ParkedRecordReplayer.Summary real = replayer.dryRun(false).build().replayFromS3(BUCKET, prefix);

        assertThat(real.replayed()).isEqualTo(12);
        assertThat(real.skipped()).isEqualTo(1);
        assertThat(real.failed()).isZero();
        assertOnStreamInOrder(stream, parked);
        assertThat(keys(prefix)).containsExactly(prefix + "/README.txt");
    }

    @Test
    void theCommandLineReplaysFromSqs() {
        String queue = newQueue();
        String stream = KinesisStreams.create(kinesis, "replay", 1);
        List<ParkedRecord> parked = parkedBatch().subList(0, 4);
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).build();
        parked.forEach(sink::park);
        CommandRun.Result run = CommandRun.onEmulators("replay-parked", "--from-sqs", queue, "--to-stream", stream,
                "--s3-endpoint", SinkEmulators.s3().toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("found 4, replayed 4, would replay 0, skipped 0, failed 0"
                + System.lineSeparator());
        assertOnStreamInOrder(stream, parked);
        assertThat(CommandRun.visibleMessages(sqs, queue)).isZero();
    }

    /**
     * Issue 20 item 2: a record parked under a payload-derived dedup key (an event id) has a PARKED marker under that
     * key, which counts as done. Replayed onto the stream, it comes back at a new position with the same key: unless
     * the replay releases the marker, the consumer skips it as a duplicate, and the queue message is gone.
     */
    @Test
    void aRecordParkedUnderAPayloadDerivedKeyRunsWhenReplayed() {
        String queue = newQueue();
        String stream = KinesisStreams.create(kinesis, "replay-key", 1);
        InMemoryDedupStore store = new InMemoryDedupStore();
        List<String> effects = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        RecordProcessor<String> processor = new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) {
                if (broken.get()) {
                    throw new NonRetryableException("downstream rejects " + record.payload());
                }
                effects.add(record.payload());
            }

            @Override
            public String dedupKey(StreamRecord<String> record) {
                return "event/" + record.payload(); // the producer's event id
            }
        };
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).build();
        ProcessingConfig config = ProcessingConfig.builder("replay-consumer").metrics(false).dedupStore(store)
                .failureSink(sink).build();
        try (BatchProcessor<String, String> engine = BatchProcessor.create(processor, config)) {
            BatchResult first = engine.process(List.of(textRecord("evt-1", "shardId-000000000000",
                    "49590338271490256608559692538361571095921575989136588898")), null);
            assertThat(first.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PARKED);

            broken.set(false); // the downstream was fixed; the operator replays
            ParkedRecordReplayer.Builder replayer = ParkedRecordReplayer.builder().kinesis(kinesis)
                    .streamName(stream).sqs(sqs);
            // Without the consumer's dedup store the replayer refuses it, rather than lose it, and leaves it queued.
            ParkedRecordReplayer.Summary refused = replayer.build().replayFromSqs(queue);
            assertThat(refused.failed()).isEqualTo(1);
            assertThat(refused.items()).singleElement().satisfies(i -> assertThat(i.detail())
                    .startsWith("parked under a payload-derived dedup key"));
            assertThat(KinesisStreams.readAll(kinesis, stream)).isEmpty();

            ParkedRecordReplayer.Summary summary = replayer.dedupStore(store).build().replayFromSqs(queue);
            assertThat(summary.replayed()).isEqualTo(1);
            assertThat(summary.items()).singleElement().satisfies(i -> assertThat(i.detail())
                    .contains("(released its PARKED dedup marker)"));

            List<KinesisStreams.Read> replayed = KinesisStreams.readAll(kinesis, stream);
            assertThat(replayed).hasSize(1);
            KinesisStreams.Read r = replayed.get(0);
            BatchResult second = engine.process(List.of(textRecord(new String(r.data(), StandardCharsets.UTF_8),
                    r.shardId(), r.sequenceNumber())), null);

            assertThat(second.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PROCESSED);
            assertThat(effects).containsExactly("evt-1");
            assertThat(CommandRun.visibleMessages(sqs, queue) + CommandRun.inFlightMessages(sqs, queue)).isZero();
        }
    }

    private static StreamRecord<String> textRecord(String payload, String shardId, String sequenceNumber) {
        return new StreamRecord<>(payload, java.nio.ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)),
                "key-1", shardId, "arn:aws:kinesis:us-east-1:000000000000:stream/replay", sequenceNumber,
                StreamRecord.NO_SUB_SEQUENCE, java.time.Instant.parse("2030-01-01T00:00:00Z"),
                shardId + ":" + sequenceNumber);
    }

    /**
     * The stream holds exactly the parked payloads, byte for byte, each with its original partition key, and
     * every key's records in parked (sequence) order.
     */
    private static void assertOnStreamInOrder(String stream, List<ParkedRecord> parked) {
        List<KinesisStreams.Read> read = KinesisStreams.readAll(kinesis, stream);
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (ParkedRecord r : parked) {
            expected.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(r.payloadBase64());
        }
        Map<String, List<String>> actual = new LinkedHashMap<>();
        for (KinesisStreams.Read r : read) {
            actual.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>())
                    .add(Base64.getEncoder().encodeToString(r.data()));
        }
        assertThat(read).hasSize(parked.size());
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((key, payloads) -> assertThat(actual.get(key)).as("records of key %s", key)
                .containsExactlyElementsOf(payloads));
    }

    private static String newQueue() {
        return sqs.createQueue(b -> b.queueName("replay-" + UUID.randomUUID().toString().substring(0, 8))).queueUrl();
    }

    private static List<String> keys(String prefix) {
        return s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix + "/")).contents().stream()
                .map(S3Object::key).toList();
    }
}
