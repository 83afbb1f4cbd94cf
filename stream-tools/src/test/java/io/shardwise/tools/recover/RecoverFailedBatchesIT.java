package io.shardwise.tools.recover;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.sink.KinesisStreams;
import io.shardwise.core.sink.SinkEmulators;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import io.shardwise.testkit.LocalEmulators;
import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.esm.SqsOnFailureDestination;
import io.shardwise.testkit.esm.StreamSource;
import io.shardwise.testkit.esm.internal.LambdaEventJson;
import io.shardwise.tools.CommandRun;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code recover-failed-batches} end to end on the emulators: a batch Lambda gave up on in the local
 * event-source-mapping runner is recovered onto its stream and processed once; a dry run changes nothing; a run
 * stopped half way is finished by the next; DynamoDB Streams ranges go to files in Lambda's event shape, and a
 * range past the stream's retention is said to be so.
 */
class RecoverFailedBatchesIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static KinesisClient kinesis;
    private static SqsClient sqs;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        kinesis = LocalEmulators.kinesis().client(); // shared, owned by the testkit
        sqs = SinkEmulators.sqsClient();
    }

    @AfterAll
    static void close() {
        sqs.close();
    }

    /** What the consumer did: one entry per effect, so a record processed twice shows up twice. */
    private final List<String> effects = new CopyOnWriteArrayList<>();
    private final AtomicBoolean downstreamDown = new AtomicBoolean(true);

    private KinesisBatchHandler<String> handler() {
        RecordProcessor<String> processor = new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) {
                if (downstreamDown.get() && record.payload().equals("e2")) {
                    throw new IllegalStateException("downstream unavailable for " + record.payload());
                }
                effects.add(record.payload());
            }

            @Override
            public String dedupKey(StreamRecord<String> record) {
                return "event/" + record.payload(); // the producer's event id: a re-put record keeps its key
            }
        };
        return KinesisBatchHandler.builder(processor).decoder(KinesisDecoders.utf8())
                .config(ProcessingConfig.builder("orders").metrics(false).maxAttempts(1_000)
                        .dedupStore(new InMemoryDedupStore()).build())
                .build();
    }

    @Test
    void aBatchLambdaGaveUpOnIsRecoveredOntoItsStreamAndProcessedOnceAfterADryRunThatChangesNothing() {
        String stream = KinesisStreams.create(kinesis, "orders", 1);
        String queue = newQueue();
        for (int i = 0; i < 6; i++) {
            String payload = "e" + i;
            kinesis.putRecord(b -> b.streamName(stream).partitionKey("k" + payload.charAt(1) % 2)
                    .data(SdkBytes.fromUtf8String(payload)));
        }
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(10).reportBatchItemFailures(true)
                .maximumRetryAttempts(1).onFailure(SqsOnFailureDestination.of(sqs, queue)).build();
        try (EventSourceMappingRunner runner = EventSourceMappingRunner.forKinesis(
                StreamSource.kinesis(kinesis, stream), mapping, handler()::handleRequest).start()) {
            runner.awaitDrained(WAIT);
            assertThat(runner.onFailureRecords()).singleElement().satisfies(f -> {
                assertThat(f.batchSize()).isEqualTo(4); // e2..e5: e0 and e1 were done before e2 failed
                assertThat(f.condition()).isEqualTo("RetryAttemptsExhausted");
            });
            assertThat(effects).containsExactly("e0", "e1");
            downstreamDown.set(false); // fixed; the operator recovers what Lambda gave up on

            CommandRun.Result dry = CommandRun.onEmulators("recover-failed-batches", "--from-sqs", queue,
                    "--to-stream", stream,
                    "--dry-run");

            assertThat(dry.code()).isZero();
            assertThat(dry.lastLine()).isEqualTo("DRY RUN: messages 1, recovered 0, would recover 1, records 4, "
                    + "past retention 0, failed 0");
            assertThat(KinesisStreams.readAll(kinesis, stream)).hasSize(6);
            assertThat(CommandRun.visibleMessages(sqs, queue)).isEqualTo(1);

            CommandRun.Result real = CommandRun.onEmulators("recover-failed-batches", "--from-sqs", queue,
                    "--to-stream", stream, "-v");

            assertThat(real.code()).isZero();
            assertThat(real.out()).contains("RECOVERED sqs:").contains("put 4 records onto stream " + stream);
            assertThat(real.lastLine()).isEqualTo("messages 1, recovered 1, would recover 0, records 4, "
                    + "past retention 0, failed 0");
            runner.awaitDrained(WAIT);
            assertThat(effects).containsExactly("e0", "e1", "e2", "e3", "e4", "e5");
            assertThat(KinesisStreams.readAll(kinesis, stream)).extracting(r -> new String(r.data(),
                    StandardCharsets.UTF_8)).containsExactly("e0", "e1", "e2", "e3", "e4", "e5", "e2", "e3", "e4",
                    "e5");
            assertThat(CommandRun.visibleMessages(sqs, queue) + CommandRun.inFlightMessages(sqs, queue)).isZero();
        }
    }

    @Test
    void aRunStoppedHalfWayIsFinishedByTheNextWithTheSameJournalWithoutPuttingAnythingTwice() {
        String source = KinesisStreams.create(kinesis, "source", 1);
        String target = KinesisStreams.create(kinesis, "target", 1);
        String queue = newQueue();
        List<PutRecordResponse> puts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String payload = "r" + i;
            puts.add(kinesis.putRecord(b -> b.streamName(source).partitionKey("k" + payload.charAt(1) % 2)
                    .data(SdkBytes.fromUtf8String(payload))));
        }
        String arn = kinesis.describeStreamSummary(b -> b.streamName(source)).streamDescriptionSummary().streamARN();
        sqs.sendMessage(b -> b.queueUrl(queue).messageBody(kinesisOnFailure(arn, puts.get(0).shardId(),
                puts.get(0).sequenceNumber(), puts.get(4).sequenceNumber(), 5)));
        Path journal = dir.resolve("recover.journal");
        AtomicInteger putsBeforeStop = new AtomicInteger(2);
        KinesisClient stopping = CommandRun.kinesisStoppingAfter(putsBeforeStop);
        try {
            CommandRun.Result first = CommandRun.with(new CommandRun.Fixed(stopping, sqs, null, null, null),
                    "recover-failed-batches", "--from-sqs", queue, "--to-stream", target,
                    "--journal", journal.toString());

            assertThat(first.code()).isEqualTo(1);
            assertThat(first.out()).contains("FAILED sqs:").contains("put 2 records onto stream " + target)
                    .contains("the network went away (test)")
                    .contains("a rerun with the same journal goes on from there");
            assertThat(payloads(target)).containsExactly("r0", "r1");
            assertThat(CommandRun.visibleMessages(sqs, queue)).isEqualTo(1);

            CommandRun.Result second = CommandRun.onEmulators("recover-failed-batches", "--from-sqs", queue,
                    "--to-stream", target,
                    "--journal", journal.toString(), "-v");

            assertThat(second.code()).isZero();
            assertThat(second.out()).contains("put 3 records onto stream " + target
                    + " (2 put by an earlier run, in the journal)");
            assertThat(second.lastLine()).isEqualTo("messages 1, recovered 1, would recover 0, records 3, "
                    + "past retention 0, failed 0");
            assertThat(payloads(target)).containsExactly("r0", "r1", "r2", "r3", "r4");
            assertThat(CommandRun.visibleMessages(sqs, queue) + CommandRun.inFlightMessages(sqs, queue)).isZero();
        } finally {
            stopping.close();
        }
    }

    @Test
    void dynamoDbRangesGoToFilesInLambdasEventShapeAndARangePastRetentionIsSaidToBeLost() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T06:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        try (DynamoDbEngine engine = DynamoDbEngine.builder().clock(clock).build()) {
            DynamoDbClient ddb = engine.client();
            DynamoDbStreamsClient streams = engine.streamsClient();
            String table = "outbox";
            String streamArn = ddb.createTable(b -> b.tableName(table).billingMode("PAY_PER_REQUEST")
                            .keySchema(k -> k.attributeName("id").keyType("HASH"))
                            .attributeDefinitions(a -> a.attributeName("id").attributeType("S"))
                            .streamSpecification(s -> s.streamEnabled(true)
                                    .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)))
                    .tableDescription().latestStreamArn();
            for (int i = 0; i < 3; i++) {
                String id = "order-" + i;
                ddb.putItem(b -> b.tableName(table).item(Map.of("id", AttributeValue.fromS(id),
                        "total", AttributeValue.fromN("1" + id.length()))));
            }
            String shard = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards().get(0)
                    .shardId();
            String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard)
                    .shardIteratorType("TRIM_HORIZON")).shardIterator();
            List<software.amazon.awssdk.services.dynamodb.model.Record> onStream = streams.getRecords(
                    b -> b.shardIterator(iterator)).records();
            assertThat(onStream).hasSize(3);
            String queue = newQueue();
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody(dynamoDbOnFailure(streamArn, shard,
                    onStream.get(0).dynamodb().sequenceNumber(), onStream.get(2).dynamodb().sequenceNumber(), 3)));
            CommandRun.Fixed clients = new CommandRun.Fixed(null, sqs, null, ddb, streams);

            CommandRun.Result recovered = CommandRun.with(clients, "recover-failed-batches", "--from-sqs",
                    queue, "--to-dir",
                    dir.toString());

            assertThat(recovered.code()).isZero();
            assertThat(recovered.lastLine()).isEqualTo("messages 1, recovered 1, would recover 0, records 3, "
                    + "past retention 0, failed 0");
            Path file;
            try (var files = Files.walk(dir)) {
                file = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
            }
            assertThat(dir.relativize(file).toString()).startsWith("table_outbox_stream_").contains(shard);
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertThat(lines).hasSize(3);
            // The file's lines are records of Lambda's DynamoDB event, read as the Java runtime reads one.
            DynamodbEvent event = LambdaEventJson.read("{\"Records\":[" + String.join(",", lines) + "]}",
                    DynamodbEvent.class, getClass().getClassLoader());
            assertThat(event.getRecords()).extracting(r -> r.getDynamodb().getKeys().get("id").getS())
                    .containsExactly("order-0", "order-1", "order-2");
            assertThat(event.getRecords()).extracting(r -> r.getEventName()).containsOnly("INSERT");
            assertThat(event.getRecords().get(0).getDynamodb().getNewImage().get("total").getN()).isEqualTo("17");
            assertThat(event.getRecords().get(0).getEventSourceARN()).isEqualTo(streamArn);
            assertThat(CommandRun.visibleMessages(sqs, queue)).isZero();

            // A day later the stream has trimmed those records: a message for them can only say they are gone.
            now.set(now.get().plus(Duration.ofHours(25)));
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody(dynamoDbOnFailure(streamArn, shard,
                    onStream.get(0).dynamodb().sequenceNumber(), onStream.get(2).dynamodb().sequenceNumber(), 3)));

            CommandRun.Result late = CommandRun.with(clients, "recover-failed-batches", "--from-sqs", queue, "--to-dir",
                    dir.resolve("late").toString());

            assertThat(late.code()).isEqualTo(1);
            assertThat(late.out()).contains("PAST_RETENTION sqs:").contains("PAST RETENTION: the records from "
                    + onStream.get(0).dynamodb().sequenceNumber() + " to " + onStream.get(2).dynamodb()
                    .sequenceNumber() + " were trimmed by the stream's retention and cannot be read");
            assertThat(late.lastLine()).isEqualTo("messages 1, recovered 0, would recover 0, records 0, "
                    + "past retention 1, failed 0");
            assertThat(CommandRun.visibleMessages(sqs, queue)).as("the message is left for the operator").isEqualTo(1);
        }
    }

    // ------------------------------------------------------------------------------------------------------

    private static String kinesisOnFailure(String arn, String shard, String first, String last, int size) {
        return onFailure("KinesisBatchInfo", arn, shard, first, last, size);
    }

    private static String dynamoDbOnFailure(String arn, String shard, String first, String last, int size) {
        return onFailure("DDBStreamBatchInfo", arn, shard, first, last, size);
    }

    /** The message as Lambda sends it (see OnFailureMessageTest and the testkit's OnFailureRecord). */
    private static String onFailure(String info, String arn, String shard, String first, String last, int size) {
        return "{\"requestContext\":{\"requestId\":\"" + UUID.randomUUID() + "\",\"functionArn\":"
                + "\"arn:aws:lambda:us-east-1:000000000000:function:orders\",\"condition\":\"RetryAttemptsExhausted\","
                + "\"approximateInvokeCount\":2},\"responseContext\":{\"statusCode\":200,\"executedVersion\":"
                + "\"$LATEST\",\"functionError\":\"Unhandled\"},\"version\":\"1.0\",\"timestamp\":"
                + "\"2026-12-07T06:00:00.000Z\",\"" + info + "\":{\"shardId\":\"" + shard + "\","
                + "\"startSequenceNumber\":\"" + first + "\",\"endSequenceNumber\":\"" + last + "\","
                + "\"approximateArrivalOfFirstRecord\":\"2026-12-07T05:59:00.000Z\","
                + "\"approximateArrivalOfLastRecord\":\"2026-12-07T05:59:01.000Z\",\"batchSize\":" + size + ","
                + "\"streamArn\":\"" + arn + "\"}}";
    }

    private static List<String> payloads(String stream) {
        return KinesisStreams.readAll(kinesis, stream).stream()
                .map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList();
    }

    private static String newQueue() {
        return sqs.createQueue(b -> b.queueName("on-failure-" + UUID.randomUUID().toString().substring(0, 8)))
                .queueUrl();
    }

}
