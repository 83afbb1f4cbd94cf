package io.shardwise.core.guarded;

import io.shardwise.core.BatchProcessor;
import io.shardwise.core.BatchResult;
import io.shardwise.core.FailureMode;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.Outcome;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.testkit.dynamodb.FaultKind;
import io.shardwise.testkit.dynamodb.FaultRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static io.shardwise.core.guarded.GuardedFixture.ITEMS;
import static io.shardwise.core.guarded.GuardedFixture.SHARD;
import static io.shardwise.core.guarded.GuardedFixture.record;
import static io.shardwise.core.guarded.GuardedFixture.seq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code DedupMode.GUARDED} over the embedded DynamoDB engine, in process, through the real SDK client: the
 * statements of docs/dedup.md's GUARDED section, one test each.
 */
class GuardedModeTest {
    private final GuardedFixture db = new GuardedFixture();

    @AfterEach
    void close() {
        db.close();
    }

    /** Adds the record's number to the total of the item named by {@code itemOf}; counts the processor's runs. */
    private static class Adder extends RecordProcessor<String> {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final java.util.function.Function<StreamRecord<String>, String> itemOf;

        Adder(java.util.function.Function<StreamRecord<String>, String> itemOf) {
            this.itemOf = itemOf;
        }

        @Override
        public void process(StreamRecord<String> record, RecordContext context) {
            runs.computeIfAbsent(record.payload(), k -> new AtomicInteger()).incrementAndGet();
            context.guarded().update(add(itemOf.apply(record), amount(record)));
        }
    }

    static Update add(String pk, long amount) {
        return Update.builder().tableName(ITEMS).key(Map.of("pk", AttributeValue.fromS(pk)))
                .updateExpression("ADD #t :a, #w :one")
                .expressionAttributeNames(Map.of("#t", "total", "#w", "writes"))
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromN(Long.toString(amount)),
                        ":one", AttributeValue.fromN("1")))
                .build();
    }

    static long amount(StreamRecord<String> record) {
        return Long.parseLong(record.payload().replaceAll("\\D", "")) + 1;
    }

    private static List<Outcome> outcomes(BatchResult result) {
        return result.outcomes().stream().map(RecordOutcome::outcome).toList();
    }

    private static List<StreamRecord<String>> shard(int n, int keys) {
        List<StreamRecord<String>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(record(i, "k" + (i % keys)));
        }
        return out;
    }

    @Test
    void eachRecordAppliesOnceAndARedeliveredBatchIsSkippedWithoutAMarkerItem() {
        Adder adder = new Adder(StreamRecord::partitionKey);
        List<StreamRecord<String>> batch = shard(20, 4);
        try (BatchProcessor<String, String> handler = db.handler(adder)) {
            assertThat(outcomes(handler.process(batch, null))).containsOnly(Outcome.PROCESSED);
            assertThat(outcomes(handler.process(batch, null))).containsOnly(Outcome.SKIPPED_DUPLICATE);
        }
        for (int k = 0; k < 4; k++) {
            long expected = 0;
            for (int i = k; i < 20; i += 4) {
                expected += i + 1;
            }
            assertThat(db.total("k" + k)).isEqualTo(expected);
        }
        assertThat(db.dedupItems()).as("no marker item on the happy path").isZero();
        // The processor runs again on the redelivery; only its write is skipped.
        assertThat(adder.runs.get("r0")).hasValue(2);
    }

    @Test
    void aLostResponseRetriedByTheSdkIsProcessedNotSkippedAndAppliedOnce() {
        FaultRule lost = db.engine.faults().add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST)
                .operations("UpdateItem").table(ITEMS).everyNth(2).build());
        List<StreamRecord<String>> batch = shard(10, 2);
        try (BatchProcessor<String, String> handler = db.handler(new Adder(StreamRecord::partitionKey))) {
            assertThat(outcomes(handler.process(batch, null))).containsOnly(Outcome.PROCESSED);
        }
        assertThat(lost.fired()).isGreaterThanOrEqualTo(4);
        assertThat(db.total("k0")).isEqualTo(1 + 3 + 5 + 7 + 9);
        assertThat(db.total("k1")).isEqualTo(2 + 4 + 6 + 8 + 10);
    }

    @Test
    void aLostPutResponseIsProcessedToo() {
        db.engine.faults().add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST).operations("PutItem").table(ITEMS)
                .once().build());
        RecordProcessor<String> putter = RecordProcessor.of((r, c) -> c.guarded().put(Put.builder().tableName(ITEMS)
                .item(Map.of("pk", AttributeValue.fromS(r.payload()), "v", AttributeValue.fromS("x"))).build()));
        try (BatchProcessor<String, String> handler = db.handler(putter)) {
            assertThat(outcomes(handler.process(shard(3, 1), null))).containsExactly(Outcome.PROCESSED,
                    Outcome.PROCESSED, Outcome.PROCESSED);
            assertThat(outcomes(handler.process(shard(3, 1), null))).containsOnly(Outcome.SKIPPED_DUPLICATE);
        }
        assertThat(db.item("r0")).containsKey("v");
    }

    @Test
    void twoOverlappingInvocationsOfOneBatchApplyEachRecordExactlyOnce() throws Exception {
        List<StreamRecord<String>> batch = shard(200, 3);
        // Both write one shared item too: three keys, one item, per-scope guards.
        Adder adder = new Adder(r -> "shared");
        try (BatchProcessor<String, String> a = db.handler(adder); BatchProcessor<String, String> b =
                db.handler(adder)) {
            CompletableFuture<BatchResult> first = CompletableFuture.supplyAsync(() -> a.process(batch, null));
            CompletableFuture<BatchResult> second = CompletableFuture.supplyAsync(() -> b.process(batch, null));
            List<Outcome> x = outcomes(first.get());
            List<Outcome> y = outcomes(second.get());
            for (int i = 0; i < batch.size(); i++) {
                assertThat(List.of(x.get(i), y.get(i))).as("record %d", i)
                        .containsExactlyInAnyOrder(Outcome.PROCESSED, Outcome.SKIPPED_DUPLICATE);
            }
        }
        assertThat(db.total("shared")).isEqualTo(200L * 201 / 2);
        assertThat(Long.parseLong(db.item("shared").get("writes").n())).isEqualTo(200);
    }

    @Test
    void aLaterRecordOfAnotherKeyAppliedFirstNeverMakesAnEarlierOneLookDone() {
        // With ParallelizationFactor > 1 Lambda runs batches of other keys concurrently: record 5 (key b) may be
        // applied to the shared item before record 2 (key a). Guards are per (shard, key): both apply.
        Adder adder = new Adder(r -> "shared");
        try (BatchProcessor<String, String> handler = db.handler(adder)) {
            assertThat(outcomes(handler.process(List.of(record(5, "b")), null))).containsExactly(Outcome.PROCESSED);
            assertThat(outcomes(handler.process(List.of(record(2, "a")), null))).containsExactly(Outcome.PROCESSED);
            assertThat(outcomes(handler.process(List.of(record(2, "a"), record(5, "b")), null)))
                    .containsOnly(Outcome.SKIPPED_DUPLICATE);
        }
        assertThat(db.total("shared")).isEqualTo(6 + 3);
    }

    @Test
    void keyParallelLanesWritingOneItemApplyEachRecordOnce() {
        List<StreamRecord<String>> batch = shard(100, 8);
        Adder adder = new Adder(r -> "shared");
        try (BatchProcessor<String, String> handler = db.handler(adder, b -> b.maxConcurrency(4))) {
            assertThat(outcomes(handler.process(batch, null))).containsOnly(Outcome.PROCESSED);
            assertThat(outcomes(handler.process(batch, null))).containsOnly(Outcome.SKIPPED_DUPLICATE);
        }
        assertThat(db.total("shared")).isEqualTo(100L * 101 / 2);
    }

    @Test
    void kplSubRecordsArePositionedByOuterSequenceAndIndex() {
        List<StreamRecord<String>> aggregate = new ArrayList<>();
        for (int sub = 0; sub < 12; sub++) {
            aggregate.add(record(SHARD, seq(1), sub, "k", "s" + sub));
        }
        AtomicInteger failSub7 = new AtomicInteger(1);
        RecordProcessor<String> p = RecordProcessor.of((r, c) -> {
            if (r.subSequenceNumber() == 7 && failSub7.getAndDecrement() > 0) {
                throw new IllegalStateException("transient");
            }
            c.guarded().update(add("agg", r.subSequenceNumber() + 1));
        });
        try (BatchProcessor<String, String> handler = db.handler(p)) {
            BatchResult first = handler.process(aggregate, null);
            assertThat(first.count(Outcome.PROCESSED)).isEqualTo(7);
            assertThat(first.outcomes().get(7).outcome()).isEqualTo(Outcome.FAILED);
            // Lambda redelivers the whole aggregate (the response can only name the outer record).
            List<Outcome> second = outcomes(handler.process(aggregate, null));
            assertThat(second.subList(0, 7)).containsOnly(Outcome.SKIPPED_DUPLICATE);
            assertThat(second.subList(7, 12)).containsOnly(Outcome.PROCESSED);
            // Sub-record 10 of the aggregate compares above sub-record 9 (fixed-width index, not "10" < "9").
        }
        assertThat(db.total("agg")).isEqualTo(12 * 13 / 2);
    }

    @Test
    void aChildShardStartsAfreshAndTheParentsGuardStays() {
        Adder adder = new Adder(StreamRecord::partitionKey);
        String child = "shardId-000000000002";
        try (BatchProcessor<String, String> handler = db.handler(adder)) {
            handler.process(List.of(record(50, "k")), null);
            // The child's sequence numbers may be lower than the parent's: they are not compared across shards.
            StreamRecord<String> childRecord = record(child, seq(3), StreamRecord.NO_SUB_SEQUENCE, "k", "r3");
            assertThat(outcomes(handler.process(List.of(childRecord), null))).containsExactly(Outcome.PROCESSED);
            assertThat(outcomes(handler.process(List.of(record(50, "k")), null)))
                    .containsExactly(Outcome.SKIPPED_DUPLICATE);
            assertThat(outcomes(handler.process(List.of(childRecord), null)))
                    .containsExactly(Outcome.SKIPPED_DUPLICATE);
        }
        assertThat(db.total("k")).isEqualTo(51 + 4);
        assertThat(db.item("k").keySet().stream().filter(a -> a.startsWith("_shardwise:"))).hasSize(2);
    }

    @Test
    void aPoisonRecordIsParkedAfterMaxAttemptsWithAFailureCountWrittenOnlyOnFailure() {
        RecordProcessor<String> p = RecordProcessor.of((r, c) -> {
            if (r.payload().equals("r3")) {
                throw new IllegalStateException("poison, attempt " + c.attempt());
            }
            c.guarded().update(add(r.partitionKey(), amount(r)));
        });
        List<StreamRecord<String>> batch = shard(6, 1);
        List<List<Outcome>> deliveries = new ArrayList<>();
        try (BatchProcessor<String, String> handler = db.handler(p)) {
            int from = 0;
            for (int n = 0; n < 5 && from < batch.size(); n++) {
                BatchResult result = handler.process(batch.subList(from, batch.size()), null);
                deliveries.add(outcomes(result));
                int failed = outcomes(result).indexOf(Outcome.FAILED);
                from = failed < 0 ? batch.size() : from + failed;
            }
        }
        assertThat(deliveries).containsExactly(
                List.of(Outcome.PROCESSED, Outcome.PROCESSED, Outcome.PROCESSED, Outcome.FAILED,
                        Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED),
                List.of(Outcome.FAILED, Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED),
                List.of(Outcome.PARKED, Outcome.PROCESSED, Outcome.PROCESSED));
        assertThat(db.parked).singleElement().satisfies(r -> {
            assertThat(r.sequenceNumber()).isEqualTo(seq(3));
            assertThat(r.attempts()).isEqualTo(3);
            assertThat(r.errorMessage()).contains("attempt 3");
        });
        assertThat(db.total("k0")).isEqualTo(1 + 2 + 3 + 5 + 6);
        assertThat(db.dedupItems()).as("only the poison record's marker").isEqualTo(1);
    }

    @Test
    void aParkedRecordRedeliveredIsSkippedWithoutRunningAgain() {
        AtomicInteger firstFails = new AtomicInteger(1);
        Adder counting = new Adder(StreamRecord::partitionKey) {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) {
                if (record.payload().equals("r0") && firstFails.getAndDecrement() > 0) {
                    throw new IllegalStateException("transient");
                }
                if (record.payload().equals("r1")) {
                    runs.computeIfAbsent("r1", k -> new AtomicInteger()).incrementAndGet();
                    throw new NonRetryableException("bad data");
                }
                super.process(record, context);
            }
        };
        List<StreamRecord<String>> batch = List.of(record(0, "a"), record(1, "b"), record(2, "c"));
        try (BatchProcessor<String, String> handler = db.handler(counting,
                b -> b.failureMode(FailureMode.ISOLATE_PARTITION_KEY))) {
            assertThat(outcomes(handler.process(batch, null)))
                    .containsExactly(Outcome.FAILED, Outcome.PARKED, Outcome.PROCESSED);
            // Lambda redelivers from r0: r1 (parked) and r2 (applied) come again.
            assertThat(outcomes(handler.process(batch, null)))
                    .containsExactly(Outcome.PROCESSED, Outcome.SKIPPED_DUPLICATE, Outcome.SKIPPED_DUPLICATE);
        }
        assertThat(counting.runs.get("r1")).hasValue(1);
        assertThat(db.parked).hasSize(1);
    }

    @Test
    void theUsersOwnFailedConditionFailsTheRecordRetryably() {
        RecordProcessor<String> p = RecordProcessor.of((r, c) -> c.guarded().update(add("k", 1).toBuilder()
                .conditionExpression("attribute_exists(pk)").build()));
        try (BatchProcessor<String, String> handler = db.handler(p)) {
            BatchResult result = handler.process(List.of(record(0, "k")), null);
            assertThat(outcomes(result)).containsExactly(Outcome.FAILED);
            assertThat(result.outcomes().get(0).error()).hasMessageContaining("condition of the guarded write")
                    .hasCauseInstanceOf(software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException.class);
        }
        assertThat(db.item("k")).isNull();
    }

    @Test
    void aSecondWriteIsRefusedAndTheRecordParkedWithNothingWrittenEvenWhenCaught() {
        RecordProcessor<String> p = RecordProcessor.of((r, c) -> {
            c.guarded().update(add("one", 1));
            try {
                c.guarded().update(add("two", 1));
            } catch (NonRetryableException swallowed) {
                // the refusal stands
            }
        });
        try (BatchProcessor<String, String> handler = db.handler(p)) {
            BatchResult result = handler.process(List.of(record(0, "k")), null);
            assertThat(outcomes(result)).containsExactly(Outcome.PARKED);
            assertThat(result.outcomes().get(0).error()).hasMessageContaining(SHARD)
                    .hasMessageContaining("DedupMode.TRANSACTIONAL");
        }
        assertThat(db.item("one")).isNull();
        assertThat(db.item("two")).isNull();
    }

    @Test
    void aRecordThatStagesNothingIsProcessedWithNoWrite() {
        try (BatchProcessor<String, String> handler = db.handler(RecordProcessor.of((r, c) -> { }))) {
            assertThat(outcomes(handler.process(shard(3, 1), null))).containsOnly(Outcome.PROCESSED);
        }
        assertThat(db.meter.byOperation()).doesNotContainKeys("UpdateItem items", "PutItem items");
    }

    @Test
    void aWriteUsingTheGuardsNamesIsRefused() {
        RecordProcessor<String> p = RecordProcessor.of((r, c) -> c.guarded().put(Put.builder().tableName(ITEMS)
                .item(Map.of("pk", AttributeValue.fromS("x"), "_shardwise:mine", AttributeValue.fromS("y"))).build()));
        try (BatchProcessor<String, String> handler = db.handler(p)) {
            BatchResult result = handler.process(List.of(record(0, "k")), null);
            assertThat(outcomes(result)).containsExactly(Outcome.PARKED);
            assertThat(result.outcomes().get(0).error()).hasMessageContaining("_shardwise");
        }
        assertThat(db.item("x")).isNull();
    }

    @Test
    void aPutOnAnItemSharedByTwoKeysPutsTheOtherKeysGuardBack() {
        RecordProcessor<String> putter = RecordProcessor.of((r, c) -> c.guarded().put(Put.builder().tableName(ITEMS)
                .item(Map.of("pk", AttributeValue.fromS("shared"), "last", AttributeValue.fromS(r.payload())))
                .build()));
        try (BatchProcessor<String, String> handler = db.handler(putter)) {
            handler.process(List.of(record(1, "a")), null);
            handler.process(List.of(record(2, "b")), null);
            // Key a's record comes again (its batch failed as a whole later): its guard was put back.
            assertThat(outcomes(handler.process(List.of(record(1, "a")), null)))
                    .containsExactly(Outcome.SKIPPED_DUPLICATE);
        }
        assertThat(db.item("shared").get("last").s()).isEqualTo("r2");
    }

    @Test
    void payloadDerivedDedupKeysAreRefusedWhenTheHandlerIsBuilt() {
        RecordProcessor<String> payloadKeyed = new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) {
            }

            @Override
            public String dedupKey(StreamRecord<String> record) {
                return record.payload();
            }
        };
        assertThatThrownBy(() -> db.handler(payloadKeyed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overrides dedupKey").hasMessageContaining("DedupMode.TRANSACTIONAL");
    }

    @Test
    void theModeNeedsAGuardedClient() {
        assertThatThrownBy(() -> db.config("c").guardedClient(null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guardedClient(");
    }

    @Test
    void guardedIsRefusedOutsideGuardedMode() {
        assertThatThrownBy(() -> db.config("c").dedupMode(io.shardwise.core.dedup.DedupMode.TRANSACTIONAL).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GUARDED) only");
        // And the context says how to get the handle.
        RecordContext plain = new RecordContext(1, "k", null, null);
        assertThatThrownBy(plain::guarded).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dedupMode(DedupMode.GUARDED)");
    }

    /** The target: about one write unit per record for items under 1 KB. Units are the engine's, by AWS's rules. */
    @Test
    void writeUnitsPerRecordForOneKilobyteItems() {
        int n = 1_000;
        String filler = "x".repeat(850);
        RecordProcessor<String> putter = RecordProcessor.of((r, c) -> c.guarded().put(Put.builder().tableName(ITEMS)
                .item(Map.of("pk", AttributeValue.fromS("item-" + r.payload()), "body", AttributeValue.fromS(filler)))
                .build()));
        List<StreamRecord<String>> batch = shard(n, 50);
        try (BatchProcessor<String, String> handler = db.handler(putter)) {
            db.meter.reset();
            assertThat(outcomes(handler.process(batch, null))).containsOnly(Outcome.PROCESSED);
        }
        double wcu = db.meter.writeUnits() / n;
        double rcu = db.meter.readUnits() / n;
        System.out.printf("GUARDED, %d records, one ~1 KB Put each: %.3f WCU/record, %.3f RCU/record %s%n", n, wcu,
                rcu, db.meter.byOperation());
        Map<String, AttributeValue> item = db.item("item-r7");
        assertThat(itemSize(item)).as("the user's item with its guard").isLessThanOrEqualTo(1024);
        assertThat(wcu).isLessThanOrEqualTo(1.1);
        assertThat(wcu).isEqualTo(1.0);
        assertThat(rcu).as("the prefetch of failure counts: one strongly consistent read per record").isEqualTo(1.0);
    }

    /** DynamoDB's item size: attribute names and string values at their UTF-8 length (here ASCII). */
    private static int itemSize(Map<String, AttributeValue> item) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += e.getKey().length() + (e.getValue().s() != null ? e.getValue().s().length() : 21);
        }
        return size;
    }

    @Test
    void theGuardAddsItsPositionToTheItem() {
        try (BatchProcessor<String, String> handler = db.handler(new Adder(StreamRecord::partitionKey))) {
            handler.process(List.of(record(0, "k")), null);
        }
        Map<String, AttributeValue> item = new HashMap<>(db.item("k"));
        item.keySet().removeIf(a -> !a.startsWith("_shardwise:"));
        assertThat(item.entrySet()).singleElement().satisfies(e -> {
            assertThat(e.getKey()).matches("_shardwise:" + SHARD + ":[0-9a-f]{12}");
            assertThat(e.getValue().s()).matches("056" + seq(0) + "#[A-Za-z0-9_-]{8}");
        });
    }
}
