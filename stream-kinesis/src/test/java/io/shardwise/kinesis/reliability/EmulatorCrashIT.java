package io.shardwise.kinesis.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import io.shardwise.testkit.KinesisMock;
import io.shardwise.testkit.LocalAwsClients;
import io.shardwise.testkit.LocalEmulators;
import io.shardwise.testkit.esm.CheckpointStore;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.esm.Invocation;
import io.shardwise.testkit.esm.StreamSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Emulator crashes in the middle of a run, with the local event source mapping runner (testkit {@code esm}) polling
 * kinesis-mock and invoking a {@link KinesisBatchHandler} in TRANSACTIONAL dedup mode on the embedded DynamoDB engine: each event's
 * effect is an {@code UpdateItem ADD n 1} on a user table, committed with its dedup marker.
 *
 * <p>Both emulators keep everything in memory, so the scenarios are built around what survives a kill:
 * <ul>
 *   <li><b>kinesis-mock dies</b>: the stream and its records are gone; the dedup markers and the effects (the DynamoDB
 *       engine) survive. A new kinesis-mock starts, the stream is created again and the producer re-sends its whole
 *       outbox (it cannot know what was consumed) plus new events; a new runner reads from the start. With dedup
 *       keys derived from the payload ({@code eventId}), every event takes effect exactly once across the crash:
 *       checked in the user table.</li>
 *   <li><b>The DynamoDB engine dies</b>: the dedup markers and the effects are gone (the store lost its data — DynamoDB
 *       itself never loses an acknowledged write); the stream and the runner's checkpoints survive. While it is
 *       down, every invocation fails as a whole with the store's message and no checkpoint moves; a new DynamoDB
 *       engine starts (the client is redirected to it, the tables are created again) and processing resumes from
 *       the checkpoints. No event is lost; in the surviving store no event took effect twice; the events applied
 *       in both instances are exactly those of the batches in flight when the store died, which the lost markers
 *       could no longer protect.</li>
 * </ul>
 * Every step is printed with the prefix {@code [emulator-crash]}.
 */
class EmulatorCrashIT {

    static final int SHARDS = 2;
    static final int BATCH_SIZE = 10;
    static final int PARALLELIZATION = 2;

    /** Where DynamoDB requests go: the current DynamoDB engine (requests are redirected when it is replaced). */
    static volatile URI dynamoDbEndpoint;
    /** Which DynamoDB engine generation a committed transaction went to. */
    static volatile int generation = 1;
    static DynamoDbClient dynamoDb;
    static final List<String> timeline = new CopyOnWriteArrayList<>();
    /** eventId → generations in which a transaction with its effect was acknowledged, in commit order. */
    static final Map<String, List<Integer>> applied = new LinkedHashMap<>();
    static final List<String> commitOrder = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(Level.OFF);
        ((Logger) LoggerFactory.getLogger("io.shardwise.testkit")).setLevel(Level.ERROR);
        dynamoDbEndpoint = LocalEmulators.dynamoDb().endpoint();
        dynamoDb = DynamoDbClient.builder()
                .endpointOverride(dynamoDbEndpoint)
                .region(LocalAwsClients.REGION)
                .credentialsProvider(LocalAwsClients.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofMillis(500))
                        .socketTimeout(Duration.ofSeconds(5)))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new Redirect())
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(2)
                                .backoffStrategy(BackoffStrategy.fixedDelay(Duration.ofMillis(20)))
                                .circuitBreakerEnabled(false).build()))
                .build();
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(null);
        ((Logger) LoggerFactory.getLogger("io.shardwise.testkit")).setLevel(null);
        dynamoDb.close();
    }

    /** Sends every DynamoDB request to the current instance, and records acknowledged effects. */
    static final class Redirect implements ExecutionInterceptor {
        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            URI to = dynamoDbEndpoint;
            return context.httpRequest().toBuilder().host(to.getHost()).port(to.getPort()).build();
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof TransactWriteItemsRequest tx) {
                int gen = generation;
                synchronized (applied) {
                    for (TransactWriteItem item : tx.transactItems()) {
                        if (item.update() != null && item.update().key().containsKey("pk")) {
                            String pk = item.update().key().get("pk").s();
                            if (!pk.startsWith("total#")) {
                                applied.computeIfAbsent(pk, k -> new ArrayList<>()).add(gen);
                                commitOrder.add(pk);
                            }
                        }
                    }
                }
            }
        }
    }

    static void log(String line) {
        String stamped = "[emulator-crash] " + line;
        timeline.add(stamped);
        System.out.println(stamped);
    }

    static String timeline() {
        return String.join("\n", timeline);
    }

    /** The processor: one ADD per event, staged with the marker; the dedup key is the producer's eventId. */
    static final class Effects extends RecordProcessor<Payload> {
        final String userTable;

        Effects(String userTable) {
            this.userTable = userTable;
        }

        @Override
        public void process(StreamRecord<Payload> record, RecordContext context) {
            for (String pk : List.of(record.payload().eventId(), "total#" + record.payload().key())) {
                context.transaction().update(Update.builder().tableName(userTable)
                        .key(Map.of("pk", AttributeValue.fromS(pk)))
                        .updateExpression("ADD n :one")
                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))).build());
            }
        }

        @Override
        public String dedupKey(StreamRecord<Payload> record) {
            return "evt:" + record.payload().eventId();
        }
    }

    static KinesisBatchHandler<Payload> handler(String consumer, String dedupTable, String userTable) {
        return KinesisBatchHandler.builder(new Effects(userTable))
                .decoder(KinesisDecoders.json(Payload.class))
                .config(ProcessingConfig.builder(consumer).metrics(false)
                        .dedupStore(DynamoDbDedupStore.builder(dynamoDb, dedupTable).build())
                        .dedupMode(DedupMode.TRANSACTIONAL)
                        .build())
                .build();
    }

    static EventSourceMappingRunner runner(KinesisClient kinesis, String stream, CheckpointStore checkpoints,
                                           KinesisBatchHandler<Payload> handler) {
        return EventSourceMappingRunner.forKinesis(StreamSource.kinesis(kinesis, stream),
                EventSourceMapping.builder().batchSize(BATCH_SIZE).reportBatchItemFailures(true)
                        .parallelizationFactor(PARALLELIZATION).functionTimeout(Duration.ofSeconds(20))
                        .retryBackoff(Duration.ofMillis(100)).checkpointStore(checkpoints).build(),
                handler).start();
    }

    static void createTables(String dedupTable, String userTable) {
        KinesisFaultInjectionDynamoDbIT.createTable(dynamoDb, dedupTable, "id", true);
        KinesisFaultInjectionDynamoDbIT.createTable(dynamoDb, userTable, "pk", false);
    }

    static void createStream(KinesisClient kinesis, String stream) {
        kinesis.createStream(b -> b.streamName(stream).shardCount(SHARDS));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (kinesis.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary().streamStatus()
                != StreamStatus.ACTIVE) {
            assertThat(System.nanoTime()).as("stream %s ACTIVE", stream).isLessThan(until);
            sleep(50);
        }
    }

    /** The producer: events {@code from..to-1} of 5 keys, in order per key. */
    static List<Payload> events(String run, int from, int to) {
        List<Payload> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new Payload(run + "-e" + i, "key-" + (i % 5), i, "secret-" + i));
        }
        return out;
    }

    static void put(KinesisClient kinesis, String stream, List<Payload> events) {
        for (int from = 0; from < events.size(); from += 100) {
            List<PutRecordsRequestEntry> entries = new ArrayList<>();
            for (Payload p : events.subList(from, Math.min(events.size(), from + 100))) {
                entries.add(PutRecordsRequestEntry.builder().partitionKey(p.key())
                        .data(SdkBytes.fromByteArray(Scenario.json(p))).build());
            }
            // One call at a time keeps the producer's per-key order in the stream.
            var response = kinesis.putRecords(b -> b.streamName(stream).records(entries));
            assertThat(response.failedRecordCount()).isZero();
        }
    }

    static Map<String, Long> readEffects(String userTable, List<Payload> events) {
        Map<String, Long> out = new HashMap<>();
        for (Payload p : events) {
            Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(userTable)
                    .key(Map.of("pk", AttributeValue.fromS(p.eventId()))).consistentRead(true)).item();
            out.put(p.eventId(), item == null || !item.containsKey("n") ? 0L : Long.parseLong(item.get("n").n()));
        }
        return out;
    }

    static void awaitApplied(String run, int count) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (appliedCount(run) < count) {
            assertThat(System.nanoTime()).as("%d effects of %s applied\n%s", count, run, timeline())
                    .isLessThan(until);
            sleep(10);
        }
    }

    static int appliedCount(String run) {
        synchronized (applied) {
            return (int) applied.keySet().stream().filter(k -> k.startsWith(run + "-")).count();
        }
    }

    /** Per key, the events' first acknowledged effects came in production order. */
    static void assertOrderPerKey(String run, List<Payload> events) {
        Map<String, Integer> firstCommit = new HashMap<>();
        List<String> order = List.copyOf(commitOrder);
        for (int i = 0; i < order.size(); i++) {
            firstCommit.putIfAbsent(order.get(i), i);
        }
        Map<String, Integer> last = new HashMap<>();
        for (Payload p : events) {
            Integer at = firstCommit.get(p.eventId());
            if (at == null) {
                continue;
            }
            Integer previous = last.get(p.key());
            assertThat(previous == null || previous < at).as("key %s: %s applied before an earlier event\n%s",
                    p.key(), p.eventId(), timeline()).isTrue();
            last.put(p.key(), at);
        }
    }

    @Test
    void kinesisMockDiesAndTheProducerResendsEverything() {
        String run = "k" + UUID.randomUUID().toString().substring(0, 6);
        String dedupTable = run + "-dedup";
        String userTable = run + "-effects";
        String stream = run + "-orders";
        createTables(dedupTable, userTable);
        KinesisMock kinesis = LocalEmulators.kinesis();
        createStream(kinesis.client(), stream);
        List<Payload> outbox = events(run, 0, 150);
        put(kinesis.client(), stream, outbox);
        log("kinesis-mock scenario " + run + ": stream " + stream + " (" + SHARDS + " shards) on " + kinesis.endpoint()
                + ", 150 events put; TRANSACTIONAL dedup on the embedded DynamoDB engine " + dynamoDbEndpoint);

        KinesisBatchHandler<Payload> handler = handler("crash-" + run, dedupTable, userTable);
        EventSourceMappingRunner first = runner(kinesis.client(), stream, CheckpointStore.inMemory(), handler);
        awaitApplied(run, 50);
        int before = appliedCount(run);
        kinesis.close();
        log("killed kinesis-mock after " + before + " of 150 events took effect; checkpoints " + checkpoints(first));
        sleep(300);
        first.close();
        int afterKill = appliedCount(run);
        log("first runner closed (" + first.invocations().size() + " invocations); " + afterKill
                + " events had taken effect; the stream and its records are gone with kinesis-mock");

        KinesisMock second = LocalEmulators.kinesis();
        assertThat(second.endpoint()).isNotEqualTo(kinesis.endpoint());
        createStream(second.client(), stream);
        List<Payload> more = events(run, 150, 200);
        put(second.client(), stream, outbox);
        put(second.client(), stream, more);
        log("new kinesis-mock " + second.endpoint() + ": stream created again; the producer re-sent its outbox of 150 "
                + "events and 50 new ones");
        try (EventSourceMappingRunner again = runner(second.client(), stream, CheckpointStore.inMemory(), handler)) {
            again.awaitDrained(Duration.ofSeconds(90));
            log("second runner drained: " + again.invocations().size() + " invocations, outcomes "
                    + outcomes(again.invocations()));
        } finally {
            handler.close();
        }

        List<Payload> all = new ArrayList<>(outbox);
        all.addAll(more);
        Map<String, Long> effects = readEffects(userTable, all);
        long once = effects.values().stream().filter(n -> n == 1).count();
        log("user table: " + once + " of " + all.size() + " events applied exactly once; "
                + effects.values().stream().filter(n -> n == 0).count() + " never, "
                + effects.values().stream().filter(n -> n > 1).count() + " more than once");
        assertThat(effects).as("each event's ADD count in the user table\n%s", timeline())
                .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));
        synchronized (applied) {
            assertThat(applied.entrySet().stream().filter(e -> e.getKey().startsWith(run + "-")))
                    .as("acknowledged commits per event").allSatisfy(e -> assertThat(e.getValue()).hasSize(1));
        }
        assertOrderPerKey(run, all);
    }

    @Test
    void dynamoDbLocalDiesAndComesBackEmpty() {
        String run = "d" + UUID.randomUUID().toString().substring(0, 6);
        String dedupTable = run + "-dedup";
        String userTable = run + "-effects";
        String stream = run + "-orders";
        createTables(dedupTable, userTable);
        KinesisClient kinesis = LocalEmulators.kinesis().client();
        createStream(kinesis, stream);
        List<Payload> events = events(run, 0, 200);
        put(kinesis, stream, events);
        log("DynamoDB engine scenario " + run + ": 200 events put to " + stream + "; TRANSACTIONAL dedup on DynamoDB "
                + "Local " + dynamoDbEndpoint + " (generation " + generation + ")");

        KinesisBatchHandler<Payload> handler = handler("crash-" + run, dedupTable, userTable);
        CheckpointStore checkpoints = CheckpointStore.inMemory();
        try (EventSourceMappingRunner runner = runner(kinesis, stream, checkpoints, handler)) {
            awaitApplied(run, 60);
            LocalEmulators.dynamoDb().close();
            int killedAt = appliedCount(run);
            log("killed the DynamoDB engine after " + killedAt + " of 200 events took effect; checkpoints "
                    + checkpoints(runner));
            long firstFailure = runner.invocations().size();
            List<Invocation> failed = runner.awaitInvocations(list -> list.stream().skip(firstFailure)
                    .filter(i -> i.outcome() == Invocation.Outcome.ERROR).count() >= 4, Duration.ofSeconds(30));
            String frozen = checkpoints(runner);
            sleep(1_000);
            List<Invocation> during = runner.invocations().subList((int) firstFailure, runner.invocations().size());
            log("while the DynamoDB engine was down: " + during.size() + " invocations, outcomes " + outcomes(during)
                    + "; first error: " + during.stream().filter(i -> i.error() != null).map(Invocation::error)
                    .findFirst().orElse("none"));
            assertThat(during.stream().filter(i -> i.outcome() == Invocation.Outcome.ERROR))
                    .as("failed invocations while the store is down\n%s", timeline())
                    .isNotEmpty()
                    .allSatisfy(i -> assertThat(i.error()).contains("DynamoDB dedup table '" + dedupTable + "'")
                            .contains("The batch is failed and will be redelivered"));
            assertThat(checkpoints(runner)).as("no checkpoint moves while the store is down").isEqualTo(frozen);
            assertThat(failed).isNotEmpty();

            generation = 2;
            dynamoDbEndpoint = LocalEmulators.dynamoDb().endpoint();
            createTables(dedupTable, userTable);
            log("new DynamoDB engine " + dynamoDbEndpoint + " (generation 2, empty): tables created again, client "
                    + "redirected; resuming from checkpoints " + frozen);
            runner.awaitDrained(Duration.ofSeconds(90));
            log("drained: " + runner.invocations().size() + " invocations in all, outcomes "
                    + outcomes(runner.invocations()));
        } finally {
            handler.close();
        }

        Map<String, Long> surviving = readEffects(userTable, events);
        Set<String> gen1 = new HashSet<>();
        Set<String> both = new HashSet<>();
        synchronized (applied) {
            applied.forEach((id, gens) -> {
                if (id.startsWith(run + "-") && gens.contains(1)) {
                    gen1.add(id);
                    if (gens.contains(2)) {
                        both.add(id);
                    }
                }
            });
        }
        log("effects: " + gen1.size() + " events acknowledged by the lost instance, "
                + surviving.values().stream().filter(n -> n == 1).count() + " in the surviving one, " + both.size()
                + " in both (in flight when the store died: their markers were lost with it) " + both);
        for (Payload p : events) {
            long n = surviving.get(p.eventId());
            assertThat(n).as("%s in the surviving user table\n%s", p.eventId(), timeline()).isLessThanOrEqualTo(1);
            assertThat(n == 1 || gen1.contains(p.eventId())).as("%s lost\n%s", p.eventId(), timeline()).isTrue();
        }
        // Only the batches in flight at the kill can be re-applied: one per slot of each shard.
        assertThat(both.size()).as("events applied in both instances\n%s", timeline())
                .isLessThanOrEqualTo(SHARDS * PARALLELIZATION * BATCH_SIZE);
        assertOrderPerKey(run, events);
    }

    static String checkpoints(EventSourceMappingRunner runner) {
        List<String> out = new ArrayList<>();
        for (String shard : runner.shardIds()) {
            out.add(shard + "@" + runner.checkpoint(shard).orElse("-"));
        }
        return out.toString();
    }

    static Map<Invocation.Outcome, Long> outcomes(List<Invocation> invocations) {
        Map<Invocation.Outcome, Long> m = new LinkedHashMap<>();
        invocations.forEach(i -> m.merge(i.outcome(), 1L, Long::sum));
        return m;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
