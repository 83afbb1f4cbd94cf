package io.shardwise.kinesis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.core.BatchResult;
import io.shardwise.core.FailureMode;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.testkit.esm.Checkpoint;
import io.shardwise.testkit.esm.CheckpointStore;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.esm.Invocation;
import io.shardwise.testkit.esm.internal.Engine;
import io.shardwise.testkit.fixtures.KplAggregate;
import io.shardwise.testkit.junit.LocalStreams;
import io.shardwise.testkit.junit.LocalStreamsExtension;
import io.shardwise.testkit.junit.TestStream;
import io.shardwise.testkit.junit.TestTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KinesisBatchHandler} end to end, as Lambda runs it: records put on a fresh kinesis-mock stream are read and
 * delivered by the local event source mapping runner ({@code ReportBatchItemFailures}, small batches), decoded from
 * JSON (KPL aggregates unpacked), deduplicated in the embedded DynamoDB engine ({@link DynamoDbDedupStore}, {@code PER_RECORD}),
 * and poison records parked with their raw bytes in a recording sink.
 *
 * <p>Every record is written before the runner starts (except after the split), so each shard's first
 * {@code GetRecords} holds all of it and the batches, redeliveries and checkpoints are exact. The tests name
 * records by label: {@code a1#2} is the third record the producer wrote for key {@code a1}; aggregates and
 * malformed records have their own labels. An {@link OrderValidator} watches every effect.
 */
@ExtendWith(LocalStreamsExtension.class)
class KinesisBatchHandlerIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SHARD_0 = "shardId-000000000000";
    private static final String SHARD_1 = "shardId-000000000001";

    /** The JSON payload: the key it was written with, the producer's per-key counter, and what to do with it. */
    record Op(String key, int n, String label, String action) {
    }

    @Test
    void retriesParksAndSkipsWhatIsDoneWhileKeepingShardOrder(LocalStreams streams) {
        TestStream stream = streams.createStream(2);
        Written w = new Written(stream);
        String a1 = w.key("a1", SHARD_0);
        String a2 = w.key("a2", SHARD_0);
        String b1 = w.key("b1", SHARD_1);
        String b2 = w.key("b2", SHARD_1);
        byte[] truncatedJson = ("{\"key\":\"" + a2 + "\",\"n\":").getBytes(StandardCharsets.UTF_8);
        byte[] invalidUtf8 = {'{', (byte) 0xC3, (byte) 0x28, '}'};

        // Both shards' records, interleaved as a producer would write them; per shard, in this order.
        w.put(w.next(a1, null));
        w.put(w.next(b1, null));
        w.put(w.next(a2, null));
        w.corruptAggregate("agg-corrupt", b1, w.next(b1, null), w.next(b2, null));
        w.put(w.next(a1, "fail-twice"));
        w.put(w.next(b2, null));
        w.put(w.next(a2, null));
        w.raw("bad-utf8", b2, invalidUtf8);
        w.raw("bad-json", a2, truncatedJson);
        w.aggregate("agg-b", b2, w.next(b2, null), w.next(b1, null), w.next(b2, null));
        w.aggregate("agg-a", a1, w.next(a1, null), w.next(a2, "fail-once"), w.next(a1, null));
        w.put(w.next(b1, "fail-twice"));
        w.put(w.next(a2, null));
        w.put(w.next(b2, null));
        w.put(w.next(a1, "fail-always"));
        w.put(w.next(b1, null));
        w.put(w.next(a2, null));
        w.put(w.next(a1, null));
        assertThat(w.outerLabels(SHARD_0)).containsExactly(
                "a1#0", "a2#0", "a1#1", "a2#1", "bad-json", "agg-a", "a2#3", "a1#4", "a2#4", "a1#5");
        assertThat(w.outerLabels(SHARD_1)).containsExactly(
                "b1#0", "agg-corrupt", "b2#1", "bad-utf8", "agg-b", "b1#3", "b2#4", "b1#4");

        OrderValidator order = OrderValidator.wholeShard();
        Ledger ledger = new Ledger(w, order);
        RecordingSink sink = new RecordingSink();
        String dedupTable = dedupTable(streams);
        try (KinesisBatchHandler<Op> handler = handler(ledger, config("orders-it", streams, dedupTable, sink)
                .build())) {
            EventSourceMappingRunner runner = streams.runKinesis(stream,
                    EventSourceMapping.builder().batchSize(4).reportBatchItemFailures(true).build(), handler);
            runner.awaitDrained(WAIT);

            // What Lambda saw: the partial batch responses name the failed record, the checkpoint stops just before
            // it, and the next batch starts at it.
            assertThat(w.invocations(runner, SHARD_0)).containsExactly(
                    "[a1#0 a2#0 a1#1 a2#1] PARTIAL_FAILURE@a1#1",
                    "[a1#1 a2#1 bad-json agg-a] PARTIAL_FAILURE@a1#1 retry 1",
                    "[a1#1 a2#1 bad-json agg-a] PARTIAL_FAILURE@agg-a retry 2",
                    "[agg-a a2#3 a1#4 a2#4] PARTIAL_FAILURE@a1#4 retry 1",
                    "[a1#4 a2#4 a1#5] PARTIAL_FAILURE@a1#4 retry 1",
                    "[a1#4 a2#4 a1#5] SUCCESS retry 2");
            assertThat(w.invocations(runner, SHARD_1)).containsExactly(
                    "[b1#0 agg-corrupt b2#1 bad-utf8] SUCCESS",
                    "[agg-b b1#3 b2#4 b1#4] PARTIAL_FAILURE@b1#3",
                    "[b1#3 b2#4 b1#4] PARTIAL_FAILURE@b1#3 retry 1",
                    "[b1#3 b2#4 b1#4] SUCCESS retry 2");
            assertThat(w.checkpoints(runner, SHARD_0)).containsExactly("a2#0", "bad-json", "a2#3", "a1#5");
            assertThat(w.checkpoints(runner, SHARD_1)).containsExactly("bad-utf8", "agg-b", "b1#4");

            // What the engine decided, batch by batch: a KPL aggregate redelivered for its second user record skips
            // the first one, which took effect already.
            assertThat(ledger.outcomes(SHARD_0)).containsExactly(
                    "a1#0 PROCESSED, a2#0 PROCESSED, a1#1 FAILED, a2#1 NOT_ATTEMPTED",
                    "a1#1 FAILED, a2#1 NOT_ATTEMPTED, bad-json NOT_ATTEMPTED, a1#2 NOT_ATTEMPTED, "
                            + "a2#2 NOT_ATTEMPTED, a1#3 NOT_ATTEMPTED",
                    "a1#1 PROCESSED, a2#1 PROCESSED, bad-json PARKED, a1#2 PROCESSED, a2#2 FAILED, "
                            + "a1#3 NOT_ATTEMPTED",
                    "a1#2 SKIPPED_DUPLICATE, a2#2 PROCESSED, a1#3 PROCESSED, a2#3 PROCESSED, a1#4 FAILED, "
                            + "a2#4 NOT_ATTEMPTED",
                    "a1#4 FAILED, a2#4 NOT_ATTEMPTED, a1#5 NOT_ATTEMPTED",
                    "a1#4 PARKED, a2#4 PROCESSED, a1#5 PROCESSED");
            assertThat(ledger.outcomes(SHARD_1)).containsExactly(
                    "b1#0 PROCESSED, agg-corrupt PARKED, b2#1 PROCESSED, bad-utf8 PARKED",
                    "b2#2 PROCESSED, b1#2 PROCESSED, b2#3 PROCESSED, b1#3 FAILED, b2#4 NOT_ATTEMPTED, "
                            + "b1#4 NOT_ATTEMPTED",
                    "b1#3 FAILED, b2#4 NOT_ATTEMPTED, b1#4 NOT_ATTEMPTED",
                    "b1#3 PROCESSED, b2#4 PROCESSED, b1#4 PROCESSED");

            // What the processor was asked, with the attempt counted in DynamoDB across invocations ("!" = threw).
            assertThat(ledger.calls(SHARD_0)).containsExactly(
                    "a1#0@1", "a2#0@1", "a1#1@1!", "a1#1@2!", "a1#1@3", "a2#1@1", "a1#2@1", "a2#2@1!", "a2#2@2",
                    "a1#3@1", "a2#3@1", "a1#4@1!", "a1#4@2!", "a1#4@3!", "a2#4@1", "a1#5@1");
            assertThat(ledger.calls(SHARD_1)).containsExactly(
                    "b1#0@1", "b2#1@1", "b2#2@1", "b1#2@1", "b2#3@1", "b1#3@1!", "b1#3@2!", "b1#3@3", "b2#4@1",
                    "b1#4@1");
        }

        // Every record took effect once, in order, or was parked with its exact bytes; nothing else happened.
        assertThat(ledger.effects(SHARD_0)).containsExactly(
                "a1#0", "a2#0", "a1#1", "a2#1", "a1#2", "a2#2", "a1#3", "a2#3", "a2#4", "a1#5");
        assertThat(ledger.effects(SHARD_1)).containsExactly(
                "b1#0", "b2#1", "b2#2", "b1#2", "b2#3", "b1#3", "b2#4", "b1#4");
        assertThat(ledger.effects).doesNotHaveDuplicates();
        assertThat(sink.parked).extracting(p -> w.label(p) + " " + p.shardId() + " sub " + p.subSequenceNumber()
                        + " attempts " + p.attempts() + " " + p.errorClass())
                .containsExactlyInAnyOrder(
                        "bad-json " + SHARD_0 + " sub -1 attempts 1 io.shardwise.kinesis.KinesisDecodeException",
                        "a1#4 " + SHARD_0 + " sub -1 attempts 3 java.lang.IllegalStateException",
                        "agg-corrupt " + SHARD_1 + " sub -1 attempts 1 io.shardwise.kinesis.KinesisDecodeException",
                        "bad-utf8 " + SHARD_1 + " sub -1 attempts 1 io.shardwise.kinesis.KinesisDecodeException");
        assertThat(sink.parked).allSatisfy(p -> {
            assertThat(p.payload()).as("bytes of %s", w.label(p)).isEqualTo(w.bytes(w.label(p)));
            assertThat(p.consumerName()).isEqualTo("orders-it");
            assertThat(p.sourceArn()).isEqualTo(stream.arn());
            assertThat(p.partitionKey()).isEqualTo(w.keyOf(w.label(p)));
        });
        assertThat(w.bytes("bad-json")).isEqualTo(truncatedJson);
        assertThat(w.bytes("bad-utf8")).isEqualTo(invalidUtf8);
        assertThat(markerStatuses(streams, dedupTable)).isEqualTo(Map.of("COMPLETED", 18L, "PARKED", 4L));
        order.assertOrdered();
        assertThat(order.effects()).isEqualTo(18);
    }

    @Test
    void isolatingAFailingKeyUnderParallelizationFactorTwoKeepsPerKeyOrderAndSkipsWhatIsRedelivered(
            LocalStreams streams) throws Exception {
        TestStream stream = streams.createStream(1);
        Written w = new Written(stream);
        // The runner hashes partition keys to slots; k1 and k2 share slot 0, k3 and k4 slot 1.
        String k1 = w.key("k1", SHARD_0, 2, 0);
        String k2 = w.key("k2", SHARD_0, 2, 0);
        String k3 = w.key("k3", SHARD_0, 2, 1);
        String k4 = w.key("k4", SHARD_0, 2, 1);
        w.put(w.next(k1, null));
        w.put(w.next(k3, null));
        w.put(w.next(k2, null));
        w.put(w.next(k1, "fail-twice"));
        w.put(w.next(k4, null));
        w.put(w.next(k2, null));
        w.aggregate("agg-k", k2, w.next(k2, null), w.next(k1, null));
        w.put(w.next(k3, null));
        w.put(w.next(k2, null));
        w.put(w.next(k4, null));
        w.put(w.next(k1, null));
        w.put(w.next(k3, null));
        w.put(w.next(k4, null));

        OrderValidator order = OrderValidator.perKey();
        Ledger ledger = new Ledger(w, order);
        CompletableFuture<EventSourceMappingRunner> running = new CompletableFuture<>();
        List<String> checkpointsWhenK1Recovered = new CopyOnWriteArrayList<>();
        ledger.beforeEffect = label -> {
            if (label.equals("k1#1")) {
                // Let slot 1 finish its six records first: the shard checkpoint must still stop below k1#1.
                EventSourceMappingRunner runner = running.get(10, TimeUnit.SECONDS);
                runner.awaitInvocations(all -> all.stream().filter(i -> i.slot() == 1
                        && i.outcome() == Invocation.Outcome.SUCCESS).mapToInt(Invocation::size).sum() == 6, WAIT);
                checkpointsWhenK1Recovered.addAll(w.checkpoints(runner, SHARD_0));
            }
        };
        RecordingSink sink = new RecordingSink();
        String dedupTable = dedupTable(streams);
        try (KinesisBatchHandler<Op> handler = handler(ledger, config("isolating-it", streams, dedupTable, sink)
                .failureMode(FailureMode.ISOLATE_PARTITION_KEY).build())) {
            EventSourceMappingRunner runner = streams.runKinesis(stream, EventSourceMapping.builder().batchSize(4)
                    .reportBatchItemFailures(true).parallelizationFactor(2).build(), handler);
            running.complete(runner);
            runner.awaitDrained(WAIT);

            assertThat(w.invocations(runner, SHARD_0, 0)).containsExactly(
                    "[k1#0 k2#0 k1#1 k2#1] PARTIAL_FAILURE@k1#1",
                    "[k1#1 k2#1 agg-k k2#3] PARTIAL_FAILURE@k1#1 retry 1",
                    "[k1#1 k2#1 agg-k k2#3] SUCCESS retry 2",
                    "[k1#3] SUCCESS");
            assertThat(w.invocations(runner, SHARD_0, 1)).as("the failing key does not hold up the other slot")
                    .containsExactly("[k3#0 k4#0 k3#1 k4#1] SUCCESS", "[k3#2 k4#2] SUCCESS");
            assertThat(ledger.outcomes(SHARD_0)).filteredOn(batch -> batch.startsWith("k1#"))
                    .containsExactly(
                            "k1#0 PROCESSED, k2#0 PROCESSED, k1#1 FAILED, k2#1 PROCESSED",
                            "k1#1 FAILED, k2#1 SKIPPED_DUPLICATE, k2#2 PROCESSED, k1#2 NOT_ATTEMPTED, k2#3 PROCESSED",
                            "k1#1 PROCESSED, k2#1 SKIPPED_DUPLICATE, k2#2 SKIPPED_DUPLICATE, k1#2 PROCESSED, "
                                    + "k2#3 SKIPPED_DUPLICATE",
                            "k1#3 PROCESSED");
            // The shard checkpoint never passed a record a slot still held, though slot 1 was done beyond it.
            assertThat(checkpointsWhenK1Recovered).isNotEmpty().last().isEqualTo("k2#0");
            assertThat(runner.checkpoint(SHARD_0).map(w::label)).contains("k4#2");
        }

        assertThat(ledger.calls(SHARD_0)).filteredOn(c -> c.startsWith("k1#"))
                .containsExactly("k1#0@1", "k1#1@1!", "k1#1@2!", "k1#1@3", "k1#2@1", "k1#3@1");
        assertThat(ledger.effects).doesNotHaveDuplicates().containsExactlyInAnyOrder(
                "k1#0", "k1#1", "k1#2", "k1#3", "k2#0", "k2#1", "k2#2", "k2#3", "k3#0", "k3#1", "k3#2", "k4#0",
                "k4#1", "k4#2");
        assertThat(sink.parked).isEmpty();
        order.assertOrdered();
        assertThat(order.effects()).isEqualTo(14);
    }

    @Test
    void afterASplitMidwayTheChildrenStartOnlyWhenTheParentIsDone(LocalStreams streams) throws Exception {
        TestStream stream = streams.createStream(1);
        Written w = new Written(stream);
        BigInteger middle = BigInteger.ONE.shiftLeft(127);
        // k1, k2 hash below the middle of the parent's range, k3, k4 above: after the split each child gets two.
        String k1 = w.keyHashing("k1", h -> h.compareTo(middle) < 0);
        String k2 = w.keyHashing("k2", h -> h.compareTo(middle) < 0);
        String k3 = w.keyHashing("k3", h -> h.compareTo(middle) >= 0);
        String k4 = w.keyHashing("k4", h -> h.compareTo(middle) >= 0);
        String parent = stream.shards().get(0).shardId();
        List<String> keys = List.of(k1, k2, k3, k4);
        keys.forEach(k -> w.put(w.next(k, null)));
        w.put(w.next(k1, "block"));
        keys.subList(1, 4).forEach(k -> w.put(w.next(k, null)));

        OrderValidator order = OrderValidator.wholeShard();
        Ledger ledger = new Ledger(w, order);
        RecordingSink sink = new RecordingSink();
        String dedupTable = dedupTable(streams);
        try (KinesisBatchHandler<Op> handler = handler(ledger, config("resharding-it", streams, dedupTable, sink)
                .build())) {
            EventSourceMappingRunner runner = streams.runKinesis(stream,
                    EventSourceMapping.builder().batchSize(4).reportBatchItemFailures(true).build(), handler);
            // The parent's second batch is in flight, held at k1#1, while the shard is split and the children
            // receive records: they are readable long before the parent is done.
            assertThat(ledger.blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            List<String> children = stream.split(parent);
            assertThat(children).hasSize(2);
            w.refreshShards();
            for (int n = 2; n <= 4; n++) {
                for (String k : keys) {
                    w.put(w.next(k, k.equals(k3) && n == 3 ? "fail-once" : null));
                }
            }
            String low = w.shardOf(k1);
            String high = w.shardOf(k3);
            assertThat(List.of(low, high)).containsExactlyInAnyOrderElementsOf(children);
            ledger.release.countDown();
            runner.awaitDrained(WAIT);

            assertThat(w.invocations(runner, parent)).containsExactly(
                    "[k1#0 k2#0 k3#0 k4#0] SUCCESS", "[k1#1 k2#1 k3#1 k4#1] SUCCESS");
            assertThat(w.invocations(runner, low)).containsExactly(
                    "[k1#2 k2#2 k1#3 k2#3] SUCCESS", "[k1#4 k2#4] SUCCESS");
            assertThat(w.invocations(runner, high)).containsExactly(
                    "[k3#2 k4#2 k3#3 k4#3] PARTIAL_FAILURE@k3#3", "[k3#3 k4#3 k3#4 k4#4] SUCCESS retry 1");
            assertThat(runner.checkpoints(parent)).extracting(Checkpoint::sequenceNumber)
                    .containsExactly(w.seq("k4#0"), w.seq("k4#1"), CheckpointStore.SHARD_END);
            long lastOfParent = runner.invocations(parent).stream().mapToLong(Invocation::index).max().orElseThrow();
            assertThat(runner.invocations()).filteredOn(i -> children.contains(i.shardId()))
                    .allSatisfy(i -> assertThat(i.index()).isGreaterThan(lastOfParent));
        }

        List<String> parentLabels = List.of("k1#0", "k2#0", "k3#0", "k4#0", "k1#1", "k2#1", "k3#1", "k4#1");
        assertThat(ledger.effects.subList(0, 8)).as("the parent's effects, all before any child's")
                .containsExactlyElementsOf(parentLabels);
        assertThat(ledger.effects).hasSize(20).doesNotHaveDuplicates();
        assertThat(sink.parked).isEmpty();
        order.assertOrdered();
        assertThat(order.effects()).isEqualTo(20);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static KinesisBatchHandler<Op> handler(Ledger ledger, ProcessingConfig config) {
        return KinesisBatchHandler.builder(ledger).decoder(KinesisDecoders.json(Op.class)).config(config).build();
    }

    private static ProcessingConfig.Builder config(String consumer, LocalStreams streams, String dedupTable,
                                                   RecordingSink sink) {
        return ProcessingConfig.builder(consumer).metrics(false)
                .dedupStore(DynamoDbDedupStore.builder(streams.dynamoDb(), dedupTable).build())
                .failureSink(sink);
    }

    /** A dedup table as docs/dedup.md describes it: partition key {@code id} (S), TTL on {@code expiration}. */
    private static String dedupTable(LocalStreams streams) {
        TestTable table = streams.createTable(LocalStreams.uniqueName("dedup"), b -> b
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .streamSpecification(s -> s.streamEnabled(false)));
        streams.dynamoDb().updateTimeToLive(b -> b.tableName(table.name())
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiration")));
        return table.name();
    }

    /** How many dedup markers the table holds, by status. */
    private static Map<String, Long> markerStatuses(LocalStreams streams, String table) {
        return streams.dynamoDb().scanPaginator(b -> b.tableName(table).consistentRead(true)).items().stream()
                .collect(Collectors.groupingBy(i -> i.get("status").s(), Collectors.counting()));
    }

    /**
     * The processor under test, which records everything: each call ({@code label@attempt}, {@code !} when it
     * threw) and each batch's outcomes per shard, and each effect, in order. It fails by the payload's action:
     * {@code fail-once}, {@code fail-twice} (then succeeds), {@code fail-always}; {@code block} waits for
     * {@link #release} on its first call. Failures are {@link IllegalStateException}s: retryable by default.
     */
    static final class Ledger extends RecordProcessor<Op> {
        interface Hook {
            void run(String label) throws Exception;
        }

        final Written written;
        final OrderValidator order;
        final List<String> effects = new CopyOnWriteArrayList<>();
        final Map<String, List<String>> effectsByShard = new ConcurrentHashMap<>();
        final Map<String, List<String>> callsByShard = new ConcurrentHashMap<>();
        final Map<String, List<String>> outcomesByShard = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> callsByLabel = new ConcurrentHashMap<>();
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile Hook beforeEffect = label -> { };

        Ledger(Written written, OrderValidator order) {
            this.written = written;
            this.order = order;
        }

        @Override
        public void process(StreamRecord<Op> record, RecordContext context) throws Exception {
            Op op = record.payload();
            int call = callsByLabel.computeIfAbsent(op.label(), l -> new AtomicInteger()).incrementAndGet();
            boolean fail = switch (op.action() == null ? "" : op.action()) {
                case "fail-once" -> call <= 1;
                case "fail-twice" -> call <= 2;
                case "fail-always" -> true;
                default -> false;
            };
            if ("block".equals(op.action()) && call == 1) {
                blocked.countDown();
                assertThat(release.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("released").isTrue();
            }
            list(callsByShard, record.shardId()).add(op.label() + "@" + context.attempt() + (fail ? "!" : ""));
            if (fail) {
                throw new IllegalStateException("downstream unavailable for " + op.label() + " (call " + call + ")");
            }
            beforeEffect.run(op.label());
            synchronized (this) {
                effects.add(op.label());
                list(effectsByShard, record.shardId()).add(op.label());
                order.effect(record, op.label(), op.n());
            }
        }

        @Override
        public void onBatchEnd(BatchResult result) {
            List<RecordOutcome> outcomes = result.outcomes();
            String shard = written.shardByLabel.get(written.label(outcomes.get(0).sequenceNumber(),
                    outcomes.get(0).subSequenceNumber()));
            list(outcomesByShard, shard).add(outcomes.stream()
                    .map(o -> written.label(o.sequenceNumber(), o.subSequenceNumber()) + " " + o.outcome())
                    .collect(Collectors.joining(", ")));
        }

        List<String> calls(String shard) {
            return callsByShard.getOrDefault(shard, List.of());
        }

        List<String> outcomes(String shard) {
            return outcomesByShard.getOrDefault(shard, List.of());
        }

        List<String> effects(String shard) {
            return effectsByShard.getOrDefault(shard, List.of());
        }

        private static List<String> list(Map<String, List<String>> map, String shard) {
            return map.computeIfAbsent(shard, s -> new CopyOnWriteArrayList<>());
        }
    }

    /**
     * What the test wrote, by label: plain records ({@code key#n}), KPL aggregates and the user records in them,
     * malformed records; which shard each went to and its sequence number. Routing is Kinesis's: the MD5 of the
     * partition key as a 128-bit number falls in one shard's hash key range; every put checks that kinesis-mock
     * agrees.
     */
    static final class Written {
        private static final ObjectMapper JSON = KinesisDecoders.defaultObjectMapper();

        final TestStream stream;
        final Map<String, String> labelByPosition = new HashMap<>();
        final Map<String, String> labelBySequence = new HashMap<>();
        final Map<String, String> sequenceByLabel = new HashMap<>();
        final Map<String, String> shardByLabel = new HashMap<>();
        final Map<String, String> keyByLabel = new HashMap<>();
        final Map<String, byte[]> bytesByLabel = new HashMap<>();
        final Map<String, List<String>> outerLabelsByShard = new LinkedHashMap<>();
        final Map<String, String> aliasByKey = new HashMap<>();
        final Map<String, Integer> nextByKey = new HashMap<>();
        private List<Shard> openShards;

        Written(TestStream stream) {
            this.stream = stream;
            refreshShards();
        }

        void refreshShards() {
            openShards = stream.shards().stream()
                    .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null).toList();
        }

        /** A partition key, named {@code alias} in labels, that routes to {@code shardId}. */
        String key(String alias, String shardId) {
            return key(alias, k -> shardOf(k).equals(shardId));
        }

        /** A partition key that routes to {@code shardId} and to the runner's {@code slot} of {@code slots}. */
        String key(String alias, String shardId, int slots, int slot) {
            return key(alias, k -> shardOf(k).equals(shardId) && Engine.slotOf(k, slots) == slot);
        }

        /** A partition key whose 128-bit hash key (MD5) satisfies {@code accept}. */
        String keyHashing(String alias, Predicate<BigInteger> accept) {
            return key(alias, k -> accept.test(hashKey(k)));
        }

        private String key(String alias, Predicate<String> test) {
            for (int i = 0; ; i++) {
                String candidate = alias + "-" + i;
                if (test.test(candidate)) {
                    aliasByKey.put(candidate, alias);
                    return candidate;
                }
            }
        }

        String shardOf(String key) {
            BigInteger hash = hashKey(key);
            return openShards.stream()
                    .filter(s -> hash.compareTo(new BigInteger(s.hashKeyRange().startingHashKey())) >= 0
                            && hash.compareTo(new BigInteger(s.hashKeyRange().endingHashKey())) <= 0)
                    .map(Shard::shardId).findFirst().orElseThrow();
        }

        static BigInteger hashKey(String key) {
            try {
                return new BigInteger(1, MessageDigest.getInstance("MD5").digest(key.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The next record of {@code key}, not written yet. */
        Op next(String key, String action) {
            int n = nextByKey.merge(key, 1, Integer::sum) - 1;
            return new Op(key, n, aliasByKey.get(key) + "#" + n, action);
        }

        void put(Op op) {
            byte[] bytes = json(op);
            PutRecordResponse put = put(op.label(), op.key(), bytes);
            user(op, put.sequenceNumber(), -1, bytes);
        }

        void raw(String label, String key, byte[] bytes) {
            put(label, key, bytes);
        }

        void aggregate(String label, String outerKey, Op... ops) {
            KplAggregate.Builder aggregate = KplAggregate.builder();
            Arrays.stream(ops).forEach(op -> aggregate.record(op.key(), json(op)));
            PutRecordResponse put = put(label, outerKey, aggregate.build());
            for (int i = 0; i < ops.length; i++) {
                assertThat(shardOf(ops[i].key())).as("KPL aggregates records of one shard").isEqualTo(put.shardId());
                user(ops[i], put.sequenceNumber(), i, json(ops[i]));
            }
        }

        /** An aggregate whose MD5 trailer is wrong: one record, parked whole; its user records never run. */
        void corruptAggregate(String label, String outerKey, Op... ops) {
            KplAggregate.Builder aggregate = KplAggregate.builder().corruptChecksum();
            Arrays.stream(ops).forEach(op -> aggregate.record(op.key(), json(op)));
            put(label, outerKey, aggregate.build());
        }

        private PutRecordResponse put(String label, String key, byte[] bytes) {
            PutRecordResponse put = stream.put(key, bytes);
            assertThat(put.shardId()).as("shard of %s", label).isEqualTo(shardOf(key));
            labelByPosition.put(put.sequenceNumber() + "/-1", label);
            labelBySequence.put(put.sequenceNumber(), label);
            sequenceByLabel.put(label, put.sequenceNumber());
            shardByLabel.put(label, put.shardId());
            keyByLabel.put(label, key);
            bytesByLabel.put(label, bytes);
            outerLabelsByShard.computeIfAbsent(put.shardId(), s -> new ArrayList<>()).add(label);
            return put;
        }

        private void user(Op op, String sequenceNumber, long sub, byte[] bytes) {
            labelByPosition.put(sequenceNumber + "/" + sub, op.label());
            shardByLabel.put(op.label(), shardByLabel.get(labelBySequence.get(sequenceNumber)));
            keyByLabel.put(op.label(), op.key());
            bytesByLabel.put(op.label(), bytes);
        }

        private static byte[] json(Op op) {
            try {
                return JSON.writeValueAsBytes(op);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        String label(String sequenceNumber, long sub) {
            String label = labelByPosition.get(sequenceNumber + "/" + sub);
            return label != null ? label : "?" + sequenceNumber + "/" + sub;
        }

        String label(String sequenceNumber) {
            return CheckpointStore.SHARD_END.equals(sequenceNumber) ? sequenceNumber
                    : labelBySequence.getOrDefault(sequenceNumber, "?" + sequenceNumber);
        }

        String label(ParkedRecord p) {
            return label(p.sequenceNumber(), p.subSequenceNumber());
        }

        String seq(String label) {
            return sequenceByLabel.get(label);
        }

        byte[] bytes(String label) {
            return bytesByLabel.get(label);
        }

        String keyOf(String label) {
            return keyByLabel.get(label);
        }

        List<String> outerLabels(String shard) {
            return outerLabelsByShard.getOrDefault(shard, List.of());
        }

        /** A shard's invocations, by label: {@code [first … last] OUTCOME[@failed][ retry n]}. */
        List<String> invocations(EventSourceMappingRunner runner, String shard) {
            return runner.invocations(shard).stream().map(this::describe).toList();
        }

        /** The invocations of one of a shard's slots. */
        List<String> invocations(EventSourceMappingRunner runner, String shard, int slot) {
            return runner.invocations(shard).stream().filter(i -> i.slot() == slot).map(this::describe).toList();
        }

        List<String> checkpoints(EventSourceMappingRunner runner, String shard) {
            return runner.checkpoints(shard).stream().map(c -> label(c.sequenceNumber())).toList();
        }

        private String describe(Invocation i) {
            return i.sequenceNumbers().stream().map(this::label).collect(Collectors.joining(" ", "[", "]")) + " "
                    + i.outcome() + (i.failedSequenceNumber() != null ? "@" + label(i.failedSequenceNumber()) : "")
                    + (i.retryAttempt() > 0 ? " retry " + i.retryAttempt() : "")
                    + (i.error() != null ? " (" + i.error() + ")" : "");
        }
    }
}
