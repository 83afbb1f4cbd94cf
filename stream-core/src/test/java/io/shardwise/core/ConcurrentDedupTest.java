package io.shardwise.core;

import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.internal.PayloadMismatchException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.shardwise.core.Records.record;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One dedup key run in two places at once: two lanes of one batch ({@code maxConcurrency > 1}) holding producer
 * duplicates under different partition keys. The same race as two overlapping invocations, inside one JVM.
 */
class ConcurrentDedupTest {

    /** Dedup key: the payload up to ':' (an event id), so "evt-1:a" and "evt-1:b" share a key. */
    private static String eventKey(StreamRecord<String> record) {
        String p = record.payload();
        return p.contains(":") ? p.substring(0, p.indexOf(':')) : p;
    }

    @Test
    void transactionalLanesCommittingOneKeyWithDifferentPayloadsParkTheLoserAsAMismatch() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        store.declareKeySchema("totals", "pk");
        RecordingSink sink = new RecordingSink();
        RecordProcessor<String> p = new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) {
                context.transaction().update(Update.builder().tableName("totals")
                        .key(Map.of("pk", AttributeValue.fromS(eventKey(record))))
                        .updateExpression("ADD n :one")
                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))).build());
            }

            @Override
            public String dedupKey(StreamRecord<String> record) {
                return eventKey(record);
            }
        };
        ProcessingConfig cfg = ProcessingConfig.builder("race").metrics(false).dedupStore(store)
                .dedupMode(DedupMode.TRANSACTIONAL).payloadValidation(true).maxConcurrency(2).failureSink(sink).build();
        try (BatchProcessor<String, String> bp = BatchProcessor.create(p, cfg)) {
            BatchResult r = bp.process(List.of(record(0, "k1", "evt-1:a"), record(1, "k2", "evt-1:b")), null);

            List<Outcome> outcomes = r.outcomes().stream().map(RecordOutcome::outcome).toList();
            assertThat(outcomes).containsExactlyInAnyOrder(Outcome.PROCESSED, Outcome.PARKED);
            RecordOutcome loser = r.outcomes().stream().filter(o -> o.outcome() == Outcome.PARKED).findFirst()
                    .orElseThrow();
            assertThat(loser.error()).isInstanceOf(PayloadMismatchException.class);
            assertThat(sink.parked).hasSize(1);
            assertThat(r.allDone()).isTrue();
        }
    }

    @Test
    void watermarkLanesNeverRunOnePayloadKeyAtOnce() throws Exception {
        InMemoryDedupStore store = new InMemoryDedupStore();
        ScriptedProcessor effects = new ScriptedProcessor();
        CountDownLatch bothRunning = new CountDownLatch(2);
        RecordProcessor<String> p = new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) throws Exception {
                bothRunning.countDown();
                bothRunning.await(1, TimeUnit.SECONDS); // lets the other lane overlap, if it may run at all
                effects.process(record, context);
            }

            @Override
            public String dedupKey(StreamRecord<String> record) {
                return eventKey(record);
            }
        };
        ProcessingConfig cfg = ProcessingConfig.builder("race").metrics(false).dedupStore(store)
                .dedupMode(DedupMode.WATERMARK).maxConcurrency(2).build();
        List<StreamRecord<String>> batch = List.of(record(0, "k1", "evt-1:a"), record(1, "k2", "evt-1:a"));
        try (BatchProcessor<String, String> bp = BatchProcessor.create(p, cfg)) {
            BatchResult first = bp.process(batch, null);
            if (!first.allDone()) {
                BatchResult again = bp.process(batch, null); // Lambda redelivers from the reported record
                assertThat(again.allDone()).isTrue();
            }
            assertThat(effects.effects).as("a producer duplicate in another lane runs once").hasSize(1);
        }
    }
}
