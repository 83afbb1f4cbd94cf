package io.shardwise.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.sink.KinesisStreams;
import io.shardwise.core.sink.SinkEmulators;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import io.shardwise.testkit.LocalEmulators;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.esm.SqsOnFailureDestination;
import io.shardwise.testkit.esm.StreamSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The executable jar ({@code target/stream-tools.jar}, built by the package phase) on a sample: an order-totals
 * consumer with a dedup table parks one poison record and has one batch given up on by the local
 * event-source-mapping runner; each command runs in its own JVM as an operator would run it, and the consumer
 * then processes every order exactly once. The transcript, commands and their real output, is written to
 * {@code target/stream-tools-sample.txt} (the README's samples come from it).
 */
class ExecutableJarIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path JAR = Path.of("target", "stream-tools.jar");

    private final StringBuilder transcript = new StringBuilder();
    private final List<String> effects = new CopyOnWriteArrayList<>();
    private final AtomicBoolean downstreamDown = new AtomicBoolean(true);
    private final AtomicBoolean rejectO3 = new AtomicBoolean(true);

    @Test
    void theJarReplaysTheParkedRecordAndRecoversTheBatchLambdaGaveUpOn() throws Exception {
        KinesisClient kinesis = LocalEmulators.kinesis().client();
        DynamoDbClient ddb = LocalEmulators.dynamoDb().client();
        try (SqsClient sqs = SinkEmulators.sqsClient()) {
            String suffix = UUID.randomUUID().toString().substring(0, 6);
            String stream = KinesisStreams.create(kinesis, "orders", 1);
            String parking = sqs.createQueue(b -> b.queueName("order-totals-parking-" + suffix)).queueUrl();
            String failures = sqs.createQueue(b -> b.queueName("stream-failures-" + suffix)).queueUrl();
            String dedup = "dedup-" + suffix;
            ddb.createTable(b -> b.tableName(dedup).billingMode("PAY_PER_REQUEST")
                    .keySchema(k -> k.attributeName("id").keyType("HASH"))
                    .attributeDefinitions(a -> a.attributeName("id").attributeType("S")));
            ddb.updateTimeToLive(b -> b.tableName(dedup).timeToLiveSpecification(t -> t.enabled(true)
                    .attributeName("expiration")));
            for (int i = 1; i <= 6; i++) {
                String order = "o-" + i;
                kinesis.putRecord(b -> b.streamName(stream).partitionKey("customer-" + (order.charAt(2) % 2))
                        .data(SdkBytes.fromUtf8String("{\"orderId\":\"" + order + "\"}")));
            }
            KinesisBatchHandler<String> handler = KinesisBatchHandler.builder(processor())
                    .decoder(KinesisDecoders.utf8())
                    .config(ProcessingConfig.builder("order-totals").metrics(false).maxAttempts(5)
                            .dedupStore(DynamoDbDedupStore.builder(ddb, dedup).build())
                            .failureSink(SqsFailureSink.builder().client(sqs).queueUrl(parking).build())
                            .build())
                    .build();
            EventSourceMapping mapping = EventSourceMapping.builder().batchSize(10).reportBatchItemFailures(true)
                    .maximumRetryAttempts(1).onFailure(SqsOnFailureDestination.of(sqs, failures)).build();
            try (EventSourceMappingRunner runner = EventSourceMappingRunner.forKinesis(
                    StreamSource.kinesis(kinesis, stream), mapping, handler::handleRequest).start()) {
                runner.awaitDrained(WAIT);
                assertThat(effects).containsExactly("o-1", "o-2", "o-4"); // o-3 parked, o-5 failed, o-6 behind it
                assertThat(runner.onFailureRecords()).hasSize(1);
                downstreamDown.set(false);
                rejectO3.set(false); // the fix is deployed; the operator takes over

                List<String> aws = List.of("--region", "us-east-1", "--endpoint", SinkEmulators.sqs().toString(),
                        "--kinesis-endpoint", LocalEmulators.kinesis().endpoint().toString(),
                        "--dynamodb-endpoint", LocalEmulators.dynamoDb().endpoint().toString());
                assertThat(jar(0, List.of("--help"), List.of()).out()).contains("replay-parked");
                assertThat(jar(0, List.of("replay-parked", "--help"), List.of()).out()).contains("--dedup-table");
                assertThat(jar(0, List.of("inspect", "--from-sqs", parking), aws).out())
                        .contains("payload:   17 bytes, UTF-8: {\"orderId\":\"o-3\"}")
                        .contains("found 1 (parked records 1, unreadable 0)");
                assertThat(jar(0, List.of("replay-parked", "--from-sqs", parking, "--to-stream", stream,
                        "--dedup-table", dedup, "--dry-run", "-v"), aws).out())
                        .contains("DRY RUN: found 1, replayed 0, would replay 1, skipped 0, failed 0");
                assertThat(jar(0, List.of("replay-parked", "--from-sqs", parking, "--to-stream", stream,
                        "--dedup-table", dedup, "-v"), aws).out())
                        .contains("(released its PARKED dedup marker)")
                        .contains("found 1, replayed 1, would replay 0, skipped 0, failed 0");
                assertThat(jar(0, List.of("recover-failed-batches", "--from-sqs", failures, "--to-dir",
                        Path.of("target", "recovered-" + suffix).toString(), "--dry-run", "-v"), aws).out())
                        .contains("DRY RUN: messages 1, recovered 0, would recover 1, records 2");
                assertThat(jar(0, List.of("recover-failed-batches", "--from-sqs", failures, "--to-stream", stream,
                        "--journal", Path.of("target", "recover-" + suffix + ".journal").toString(), "-v",
                        "--progress-every", "1"), aws).out())
                        .contains("messages 1, recovered 1, would recover 0, records 2, past retention 0, failed 0");
                assertThat(jar(0, List.of("inspect", "--from-sqs", parking), aws).out())
                        .contains("found 0 (parked records 0, unreadable 0)");

                runner.awaitDrained(WAIT);
                transcript.append("# the consumer's effects, in order: ").append(effects).append('\n');
                assertThat(effects).containsExactly("o-1", "o-2", "o-4", "o-3", "o-5", "o-6");
            } finally {
                Files.writeString(Path.of("target", "stream-tools-sample.txt"), transcript, StandardCharsets.UTF_8);
            }
        }
    }

    private RecordProcessor<String> processor() {
        return new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) {
                String order = record.payload().replaceAll(".*\"orderId\":\"([^\"]+)\".*", "$1");
                if (rejectO3.get() && order.equals("o-3")) {
                    throw new NonRetryableException("order o-3: amount must be positive");
                }
                if (downstreamDown.get() && order.equals("o-5")) {
                    throw new IllegalStateException("totals service unavailable");
                }
                effects.add(order);
            }

            @Override
            public String dedupKey(StreamRecord<String> record) {
                return "order/" + record.payload(); // the order event's own id: a replayed copy keeps it
            }
        };
    }

    private record Ran(String out, String err) {
    }

    /** Runs {@code java -jar stream-tools.jar args aws}, checks the exit code, and adds it to the transcript. */
    private Ran jar(int expectedCode, List<String> args, List<String> aws) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", JAR.toString()));
        command.addAll(args);
        command.addAll(aws);
        Path out = Files.createTempFile("stream-tools", ".out");
        Path err = Files.createTempFile("stream-tools", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"));
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", args).isTrue();
        Ran ran = new Ran(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        transcript.append("$ java -jar stream-tools.jar ").append(String.join(" ", args))
                .append(aws.isEmpty() ? "" : " $AWS").append('\n').append(ran.out());
        if (!ran.err().isEmpty()) {
            transcript.append("[stderr]\n").append(ran.err());
        }
        transcript.append("[exit ").append(p.exitValue()).append("]\n\n");
        assertThat(p.exitValue()).as("exit code of %s; stderr: %s", args, ran.err()).isEqualTo(expectedCode);
        return ran;
    }
}
