package io.shardwise.tools.parked;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardwise.core.sink.KinesisStreams;
import io.shardwise.core.sink.Parked;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.core.sink.S3FailureSink;
import io.shardwise.core.sink.SinkEmulators;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.testkit.LocalEmulators;
import io.shardwise.tools.CommandRun;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code replay-parked} and {@code inspect} through the command line on the emulators: a replay stopped half way
 * is finished by a rerun with its journal, explicit hash keys decide the shard again, and inspecting consumes
 * nothing.
 */
class ParkedCommandsIT {

    private static KinesisClient kinesis;
    private static SqsClient sqs;
    private static S3Client s3;
    private static final String BUCKET = "parked-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        kinesis = LocalEmulators.kinesis().client();
        sqs = SinkEmulators.sqsClient();
        s3 = SinkEmulators.s3Client();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void close() {
        sqs.close();
        s3.close();
    }

    @Test
    void aReplayFromS3StoppedHalfWayIsFinishedByARerunWithItsJournalAndADryRunChangesNothing() {
        String stream = KinesisStreams.create(kinesis, "replay", 1);
        String prefix = "parked-" + UUID.randomUUID().toString().substring(0, 8);
        S3FailureSink sink = S3FailureSink.builder().client(s3).bucket(BUCKET).keyPrefix(prefix).build();
        List<ParkedRecord> parked = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            parked.add(Parked.record(i, "key-" + (i % 2), ("order " + i).getBytes(StandardCharsets.UTF_8)));
        }
        parked.forEach(sink::park);
        Path journal = dir.resolve("replay.journal");
        String from = "s3://" + BUCKET + "/" + prefix;

        CommandRun.Result dry = CommandRun.onEmulators("replay-parked", "--s3-endpoint",
                SinkEmulators.s3().toString(), "--from-s3", from, "--to-stream", stream, "--dry-run",
                "--journal", journal.toString());
        assertThat(dry.code()).isZero();
        assertThat(dry.lastLine()).isEqualTo("DRY RUN: found 5, replayed 0, would replay 5, skipped 0, failed 0");
        assertThat(payloads(stream)).isEmpty();

        KinesisClient stopping = CommandRun.kinesisStoppingAfter(new AtomicInteger(3));
        try {
            CommandRun.Result first = CommandRun.with(new CommandRun.Fixed(stopping, sqs, s3, null, null),
                    "replay-parked", "--from-s3", from, "--to-stream", stream,
                    "--journal", journal.toString());

            assertThat(first.code()).isEqualTo(1);
            assertThat(first.out()).contains("FAILED s3://").contains("put failed: the network went away (test)");
            assertThat(first.lastLine()).isEqualTo("found 5, replayed 3, would replay 0, skipped 0, failed 2");
        } finally {
            stopping.close();
        }
        assertThat(payloads(stream)).containsExactly("order 0", "order 1", "order 2");

        CommandRun.Result second = CommandRun.onEmulators("replay-parked", "--s3-endpoint",
                SinkEmulators.s3().toString(), "--from-s3", from, "--to-stream", stream,
                "--journal", journal.toString(), "--verbose");

        assertThat(second.code()).isZero();
        assertThat(second.out()).contains("SKIPPED s3://" + BUCKET + "/" + prefix + "/" + Parked.CONSUMER + "/"
                + Parked.SHARD + "/" + Parked.seq(0) + ".json (" + parked.get(0).describe()
                + "): already put by an earlier run (journal " + journal + ")");
        assertThat(second.lastLine()).isEqualTo("found 5, replayed 2, would replay 0, skipped 3, failed 0");
        assertThat(payloads(stream)).containsExactly("order 0", "order 1", "order 2", "order 3", "order 4");
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix + "/")).contents()).hasSize(5);
    }

    @Test
    void aRecordWithAnExplicitHashKeyGoesBackToTheShardOfThatHashKey() {
        String stream = KinesisStreams.create(kinesis, "ehk", 2);
        List<Shard> shards = kinesis.listShards(b -> b.streamName(stream)).shards();
        String queue = newQueue();
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).build();
        ParkedRecord low = withExplicitHashKey(Parked.record(1, "same-key", new byte[] {1}), "0");
        ParkedRecord high = withExplicitHashKey(Parked.record(2, "same-key", new byte[] {2}),
                "340282366920938463463374607431768211455");
        sink.park(low);
        sink.park(high);

        CommandRun.Result r = CommandRun.onEmulators("replay-parked", "--from-sqs", queue, "--to-stream", stream, "-v");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("and explicit hash key 340282366920938463463374607431768211455");
        List<KinesisStreams.Read> read = KinesisStreams.readAll(kinesis, stream);
        assertThat(read).extracting(KinesisStreams.Read::shardId).containsExactlyInAnyOrder(
                shardOf(shards, "0"), shardOf(shards, "340282366920938463463374607431768211455"));
        assertThat(shardOf(shards, "0")).isNotEqualTo(shardOf(shards, "340282366920938463463374607431768211455"));
        assertThat(read).allSatisfy(x -> assertThat(x.partitionKey()).isEqualTo("same-key"));
    }

    @Test
    void inspectPrintsParkedRecordsFromSqsAndS3AndConsumesNothing() {
        String queue = newQueue();
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).build();
        sink.park(Parked.record(1, "k", "{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8)));
        sink.park(Parked.record(2, "k", Parked.binaryPayload(40, 2)));
        sqs.sendMessage(b -> b.queueUrl(queue).messageBody("hello"));

        CommandRun.Result fromSqs = CommandRun.onEmulators("inspect", "--from-sqs", queue);

        assertThat(fromSqs.code()).isEqualTo(1); // one message is not a parked record
        assertThat(fromSqs.out())
                .contains("  record:    " + Parked.record(1, "k", new byte[0]).describe() + ", consumer "
                        + Parked.CONSUMER + ", stream " + Parked.ARN)
                .contains("  payload:   17 bytes, UTF-8: {\"orderId\":\"o-1\"}")
                .contains("  payload:   40 bytes, not UTF-8 text, base64: "
                        + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJw==")
                .contains("  error:     com.example.OrderRejected: amount must be positive")
                .contains("  attempts:  3, arrived ")
                .contains("  PROBLEM:   not a parked record: not JSON");
        assertThat(fromSqs.lastLine()).isEqualTo("found 3 (parked records 2, unreadable 1) in " + queue
                + "; nothing consumed");
        assertThat(CommandRun.visibleMessages(sqs, queue)).isEqualTo(3);

        String prefix = "inspect-" + UUID.randomUUID().toString().substring(0, 8);
        S3FailureSink.builder().client(s3).bucket(BUCKET).keyPrefix(prefix).build()
                .park(Parked.record(3, "k", "text".getBytes(StandardCharsets.UTF_8)));

        CommandRun.Result fromS3 = CommandRun.onEmulators("inspect", "--s3-endpoint",
                SinkEmulators.s3().toString(), "--from-s3", "s3://" + BUCKET + "/" + prefix);

        assertThat(fromS3.code()).isZero();
        assertThat(fromS3.out()).contains("  payload:   4 bytes, UTF-8: text");
        assertThat(fromS3.lastLine()).isEqualTo("found 1 (parked records 1, unreadable 0) in s3://" + BUCKET + "/"
                + prefix + "; nothing consumed");
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix + "/")).contents())
                .extracting(S3Object::key).hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------------

    private static ParkedRecord withExplicitHashKey(ParkedRecord r, String explicitHashKey) {
        return new ParkedRecord(r.consumerName(), r.sourceArn(), r.shardId(), r.sequenceNumber(),
                r.subSequenceNumber(), r.partitionKey(), r.approximateArrivalTime(), r.eventId(), r.payloadBase64(),
                r.errorClass(), r.errorMessage(), r.attempts(), r.parkedAt(), null, explicitHashKey);
    }

    private static String shardOf(List<Shard> shards, String hashKey) {
        java.math.BigInteger h = new java.math.BigInteger(hashKey);
        return shards.stream()
                .filter(s -> new java.math.BigInteger(s.hashKeyRange().startingHashKey()).compareTo(h) <= 0
                        && new java.math.BigInteger(s.hashKeyRange().endingHashKey()).compareTo(h) >= 0)
                .findFirst().orElseThrow().shardId();
    }

    private static List<String> payloads(String stream) {
        return KinesisStreams.readAll(kinesis, stream).stream()
                .map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList();
    }

    private static String newQueue() {
        return sqs.createQueue(b -> b.queueName("parked-" + UUID.randomUUID().toString().substring(0, 8)))
                .queueUrl();
    }

}
