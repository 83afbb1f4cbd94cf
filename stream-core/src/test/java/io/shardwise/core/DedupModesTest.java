package io.shardwise.core;

import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.InMemoryDedupStore;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static io.shardwise.core.Records.record;
import static io.shardwise.core.Records.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's use of the dedup store in WATERMARK and TRANSACTIONAL modes (in-memory store). */
class DedupModesTest {

    private static List<Outcome> outcomes(BatchResult r) {
        return r.outcomes().stream().map(RecordOutcome::outcome).toList();
    }

    private static ProcessingConfig.Builder config(InMemoryDedupStore store, DedupMode mode) {
        return ProcessingConfig.builder("modes").metrics(false).dedupStore(store).dedupMode(mode);
    }

    /** A processor that stages one counter update per record (its payload names the item). */
    private static ScriptedProcessor staging() {
        return staging(false);
    }

    /** As {@link #staging()}; with {@code payloadKeys} the payload is also the dedup key, as an event id would be. */
    private static ScriptedProcessor staging(boolean payloadKeys) {
        return new ScriptedProcessor() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) throws Exception {
                super.process(record, context);
                context.transaction().update(Update.builder().tableName("totals")
                        .key(Map.of("pk", AttributeValue.fromS(record.payload())))
                        .updateExpression("ADD n :one")
                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))).build());
            }

            @Override
            public String dedupKey(StreamRecord<String> record) {
                return payloadKeys ? record.payload() : super.dedupKey(record);
            }
        };
    }

    private static List<String> committedItemKeys(InMemoryDedupStore store) {
        return store.committedWrites().stream().filter(w -> w.update() != null && w.update().tableName().equals("totals"))
                .map(TransactWriteItem::update).map(u -> u.key().get("pk").s()).toList();
    }

    @Test
    void watermarkModeSkipsEverythingAtOrBelowTheWatermark() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        store.declareKeySchema("totals", "pk");
        ScriptedProcessor p = new ScriptedProcessor().failing("r3", 1);
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config(store, DedupMode.WATERMARK).build());
        List<StreamRecord<String>> shard = shard(6, 2);
        RedeliverySimulator<String> sim = new RedeliverySimulator<>(shard, 10);
        sim.run(bp, 5);
        assertThat(outcomes(sim.results.get(0))).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED,
                Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
        assertThat(p.delivered).containsExactly("r0", "r1", "r2", "r3", "r3", "r4", "r5");
        // A full replay of the shard (e.g. an ESM reset to TRIM_HORIZON) is skipped entirely.
        BatchResult replay = bp.process(shard, null);
        assertThat(outcomes(replay)).containsOnly(Outcome.SKIPPED_DUPLICATE);
        assertThat(p.effects).containsExactly("r0", "r1", "r2", "r3", "r4", "r5");
    }

    @Test
    void watermarkModeCostsAboutOneWritePerRecord() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        BatchProcessor<String, String> bp = BatchProcessor.create(new ScriptedProcessor(),
                config(store, DedupMode.WATERMARK).build());
        bp.process(shard(1000, 10), null);
        long total = store.requestCounter().total();
        assertThat(total).as(store.requestCounter().toString()).isLessThanOrEqualTo(1020);
    }

    /** Watermark advances (PutItem) for one 200-record batch of one shard, grouped by {@code groupSize}. */
    private static long watermarkWrites(int groupSize) {
        InMemoryDedupStore store = new InMemoryDedupStore();
        BatchProcessor.create(new ScriptedProcessor(), config(store, DedupMode.WATERMARK).shardWatermark(true)
                .watermarkGroupSize(groupSize).build()).process(shard(200, 10), null);
        return store.requestCounter().count("PutItem");
    }

    @Test
    void watermarkGroupsTradeWritesForBoundedReplay() {
        // Fewer writes: one advance per group instead of one per record.
        assertThat(watermarkWrites(1)).isEqualTo(200);
        assertThat(watermarkWrites(50)).isEqualTo(4);

        // Bounded replay: the invocation dies after r75's effect, mid-way through the second group (r50..r99).
        InMemoryDedupStore store = new InMemoryDedupStore();
        ScriptedProcessor effects = new ScriptedProcessor();
        AtomicBoolean crashed = new AtomicBoolean();
        RecordProcessor<String> crashingAfterR75 = RecordProcessor.of((record, context) -> {
            effects.process(record, context);
            if (record.payload().equals("r75") && crashed.compareAndSet(false, true)) {
                throw new CrashRecoveryTest.Crash();
            }
        });
        BatchProcessor<String, String> bp = BatchProcessor.create(crashingAfterR75,
                config(store, DedupMode.WATERMARK).shardWatermark(true).watermarkGroupSize(50).build());
        List<StreamRecord<String>> shard = shard(200, 10);
        assertThatThrownBy(() -> bp.process(shard, null)).isInstanceOf(CrashRecoveryTest.Crash.class);
        effects.delivered.clear();

        BatchResult redelivered = bp.process(shard, null); // Lambda retries the whole batch
        assertThat(redelivered.allDone()).isTrue();
        List<String> rerun = IntStream.rangeClosed(50, 75).mapToObj(i -> "r" + i).toList();
        assertThat(effects.delivered.subList(0, rerun.size())).as("at most one group runs again")
                .containsExactlyElementsOf(rerun);
        assertThat(effects.delivered).hasSize(150); // r50..r199: nothing before the watermark, nothing lost
        assertThat(effects.effects).containsAll(shard.stream().map(StreamRecord::payload).toList());
    }

    @Test
    void transactionalModeCommitsWritesWithMarkersOnceAcrossRedeliveries() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        store.declareKeySchema("totals", "pk");
        ScriptedProcessor p = staging().failing("r2", 1);
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config(store, DedupMode.TRANSACTIONAL).build());
        List<StreamRecord<String>> shard = shard(5, 5);
        RedeliverySimulator<String> sim = new RedeliverySimulator<>(shard, 10);
        sim.run(bp, 5);
        assertThat(outcomes(sim.results.get(0))).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED,
                Outcome.FAILED, Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
        assertThat(outcomes(sim.results.get(1))).containsOnly(Outcome.PROCESSED);
        bp.process(shard, null); // a whole replay
        assertThat(committedItemKeys(store)).containsExactly("r0", "r1", "r2", "r3", "r4");
    }

    @Test
    void transactionalProducerDuplicatesApplyOnce() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        store.declareKeySchema("totals", "pk");
        ScriptedProcessor p = staging(true);
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config(store, DedupMode.TRANSACTIONAL).build());
        BatchResult r = bp.process(List.of(record(0, "a", "e1"), record(1, "a", "e2"), record(2, "a", "e1"),
                record(3, "b", "e3")), null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED, Outcome.SKIPPED_DUPLICATE,
                Outcome.PROCESSED);
        BatchResult r2 = bp.process(List.of(record(4, "a", "e2"), record(5, "a", "e4")), null);
        assertThat(outcomes(r2)).containsExactly(Outcome.SKIPPED_DUPLICATE, Outcome.PROCESSED);
        assertThat(committedItemKeys(store)).containsExactly("e1", "e2", "e3", "e4");
    }

    @Test
    void transactionalUserConditionFailureFailsThatRecordAndKeepsOrder() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        store.declareKeySchema("totals", "pk");
        store.failConditionsWhen(w -> w.update() != null && "r2".equals(w.update().key().get("pk").s()));
        BatchProcessor<String, String> bp = BatchProcessor.create(staging(),
                config(store, DedupMode.TRANSACTIONAL).build());
        BatchResult r = bp.process(shard(5, 1), null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED, Outcome.FAILED,
                Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
        assertThat(r.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                .containsExactly(Records.seq(2));
        assertThat(committedItemKeys(store)).containsExactly("r0", "r1");
    }

    @Test
    void transactionalModeOutsideStagingIsAClearError() {
        RecordProcessor<String> p = RecordProcessor.of((rec, ctx) -> ctx.transaction());
        BatchResult r = BatchProcessor.create(p, ProcessingConfig.builder("x").metrics(false).build())
                .process(shard(1, 1), null);
        assertThat(r.outcomes().get(0).error()).hasMessageContaining("only in TRANSACTIONAL dedup mode");
    }

    @Test
    void watermarksArePerPartitionKeySoConcurrentBatchesOfOneShardLoseNothing() {
        // ParallelizationFactor 2: Lambda runs [a1, a2] and [b1] of one shard as two concurrent batches.
        InMemoryDedupStore store = new InMemoryDedupStore();
        ScriptedProcessor p = new ScriptedProcessor();
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config(store, DedupMode.WATERMARK).build());
        bp.process(List.of(record(1, "a", "a1"), record(3, "a", "a2")), null);
        BatchResult b = bp.process(List.of(record(2, "b", "b1")), null);
        assertThat(outcomes(b)).containsExactly(Outcome.PROCESSED);
        assertThat(p.effects).containsExactly("a1", "a2", "b1");
    }

    @Test
    void aShardWatermarkIsRefusedWhereItWouldBeWrong() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config(new InMemoryDedupStore(), DedupMode.WATERMARK)
                .shardWatermark(true).maxConcurrency(4).build()).hasMessageContaining("shardWatermark(true) needs");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config(new InMemoryDedupStore(), DedupMode.PER_RECORD)
                .shardWatermark(true).build()).hasMessageContaining("applies to dedupMode(DedupMode.WATERMARK) only");
    }

    @Test
    void watermarkModeWithPayloadKeysSkipsProducerDuplicates() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        ScriptedProcessor p = new ScriptedProcessor() {
            @Override
            public String dedupKey(StreamRecord<String> record) {
                return record.payload();
            }
        };
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config(store, DedupMode.WATERMARK).build());
        BatchResult r = bp.process(List.of(record(0, "a", "e1"), record(1, "a", "e2"), record(2, "a", "e1")), null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED, Outcome.SKIPPED_DUPLICATE);
        BatchResult r2 = bp.process(List.of(record(3, "a", "e2"), record(4, "a", "e3")), null);
        assertThat(outcomes(r2)).containsExactly(Outcome.SKIPPED_DUPLICATE, Outcome.PROCESSED);
        assertThat(p.effects).containsExactly("e1", "e2", "e3");
    }

    @Test
    void isolateModeBlocksTheKeyOfAProducerDuplicateWhoseOriginalDidNotCommit() {
        // e1 is staged by r0 (key a); r1 (key b) is its producer duplicate and follows it. r2 (key c) fails, which
        // commits r0 first: r0's own write fails its condition, so r1 is not done either. r3 (key b) must then not
        // take effect ahead of r1.
        InMemoryDedupStore store = new InMemoryDedupStore();
        store.declareKeySchema("totals", "pk");
        store.failConditionsWhen(w -> w.update() != null && "e1".equals(w.update().key().get("pk").s()));
        ScriptedProcessor p = staging(true).failing("e2", 1);
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config(store, DedupMode.TRANSACTIONAL)
                .failureMode(FailureMode.ISOLATE_PARTITION_KEY).build());

        BatchResult r = bp.process(List.of(record(0, "a", "e1"), record(1, "b", "e1"), record(2, "c", "e2"),
                record(3, "b", "e3")), null);

        assertThat(outcomes(r)).containsExactly(Outcome.FAILED, Outcome.NOT_ATTEMPTED, Outcome.FAILED,
                Outcome.NOT_ATTEMPTED);
        assertThat(r.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                .containsExactly(Records.seq(0));
        assertThat(p.delivered).containsExactly("e1", "e2");
        assertThat(committedItemKeys(store)).isEmpty();
    }

    @Test
    void transactionalModeNeverParksARecordAheadOfAnEarlierUncommittedOne() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        store.declareKeySchema("totals", "pk");
        store.failConditionsWhen(w -> w.update() != null && "r0".equals(w.update().key().get("pk").s()));
        RecordingSink sink = new RecordingSink();
        ScriptedProcessor p = staging().badData("r1");
        BatchProcessor<String, String> bp = BatchProcessor.create(p,
                config(store, DedupMode.TRANSACTIONAL).failureSink(sink).build());
        BatchResult r = bp.process(shard(2, 1), null);
        assertThat(outcomes(r)).containsExactly(Outcome.FAILED, Outcome.NOT_ATTEMPTED);
        assertThat(sink.parked).isEmpty();
    }

    /**
     * Issue 20 item 11: staging more writes than one transaction holds can never succeed, so it is non-retryable and
     * parked at once, on its first attempt; none of its writes commit, the records after it go on.
     */
    @Test
    void aRecordStagingMoreWritesThanATransactionHoldsIsParkedAtOnce() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        store.declareKeySchema("totals", "pk");
        RecordingSink sink = new RecordingSink();
        BatchProcessor<String, String> bp = BatchProcessor.create(stagingPerRecord(100, false),
                config(store, DedupMode.TRANSACTIONAL).failureSink(sink).build());

        BatchResult r = bp.process(List.of(record(0, "k", "big"), record(1, "k", "small")), null);

        assertThat(outcomes(r)).containsExactly(Outcome.PARKED, Outcome.PROCESSED);
        assertThat(r.outcomes().get(0).error()).isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("at most 99");
        assertThat(sink.parked).singleElement().satisfies(p -> assertThat(p.attempts()).isEqualTo(1));
        assertThat(committedItemKeys(store)).containsExactly("small-0");
    }

    /** Swallowing the refusal does not commit the first 99 writes of a record that meant to stage 100. */
    @Test
    void aRecordThatSwallowsTheRefusalIsStillParkedWithNoneOfItsWrites() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        store.declareKeySchema("totals", "pk");
        RecordingSink sink = new RecordingSink();
        BatchProcessor<String, String> bp = BatchProcessor.create(stagingPerRecord(100, true),
                config(store, DedupMode.TRANSACTIONAL).failureSink(sink).build());

        BatchResult r = bp.process(List.of(record(0, "k", "big")), null);

        assertThat(outcomes(r)).containsExactly(Outcome.PARKED);
        assertThat(sink.parked).hasSize(1);
        assertThat(committedItemKeys(store)).isEmpty();
    }

    /** Stages {@code n} counter updates for the record "big" and one for any other; may swallow the refusal. */
    private static RecordProcessor<String> stagingPerRecord(int n, boolean swallow) {
        return RecordProcessor.of((rec, ctx) -> {
            int count = rec.payload().equals("big") ? n : 1;
            for (int i = 0; i < count; i++) {
                try {
                    ctx.transaction().update(Update.builder().tableName("totals")
                            .key(Map.of("pk", AttributeValue.fromS(rec.payload() + "-" + i)))
                            .updateExpression("ADD n :one")
                            .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))).build());
                } catch (NonRetryableException e) {
                    if (!swallow) {
                        throw e;
                    }
                }
            }
        });
    }
}
