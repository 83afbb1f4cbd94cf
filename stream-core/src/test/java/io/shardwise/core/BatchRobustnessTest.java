package io.shardwise.core;

import ch.qos.logback.classic.Level;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.shardwise.core.Records.ARN;
import static io.shardwise.core.Records.SHARD;
import static io.shardwise.core.Records.record;
import static io.shardwise.core.Records.seq;
import static io.shardwise.core.Records.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Batches and processors that the happy path never meets: a processor that overflows its stack, a function timeout
 * no longer than the deadline margin, and malformed batches (validated before any effect).
 */
class BatchRobustnessTest {

    private static ProcessingConfig.Builder config() {
        return ProcessingConfig.builder("robust").metrics(false);
    }

    private static List<Outcome> outcomes(BatchResult r) {
        return r.outcomes().stream().map(RecordOutcome::outcome).toList();
    }

    private static StreamRecord<String> at(String sequenceNumber, String key, String payload, Instant arrival) {
        return new StreamRecord<>(payload, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)), key, SHARD, ARN,
                sequenceNumber, StreamRecord.NO_SUB_SEQUENCE, arrival, SHARD + ":" + sequenceNumber);
    }

    // ---- item 10: StackOverflowError ------------------------------------------------------------------------

    @Test
    void aStackOverflowInTheProcessorIsAFailedAttemptCountedAndParkedWhenTheBudgetIsUsedUp() {
        RecordingSink sink = new RecordingSink();
        RecordProcessor<String> p = RecordProcessor.of((rec, c) -> {
            if (rec.payload().equals("r1")) {
                throw new StackOverflowError("deep recursion (test)");
            }
        });
        try (BatchProcessor<String, String> bp = BatchProcessor.create(p, config().dedupStore(new InMemoryDedupStore())
                .maxAttempts(2).failureSink(sink).build())) {
            BatchResult first = bp.process(shard(3, 1), null);
            assertThat(outcomes(first)).containsExactly(Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED);
            assertThat(first.outcomes().get(1).error()).isInstanceOf(StackOverflowError.class);
            BatchResult second = bp.process(shard(3, 1).subList(1, 3), null);
            assertThat(outcomes(second)).containsExactly(Outcome.PARKED, Outcome.PROCESSED);
            assertThat(sink.parked).singleElement().satisfies(pr -> {
                assertThat(pr.errorClass()).isEqualTo(StackOverflowError.class.getName());
                assertThat(pr.attempts()).isEqualTo(2);
            });
        }
    }

    // ---- item 12: timeout no longer than the margin -----------------------------------------------------------

    @Test
    void aFunctionTimeoutNoLongerThanTheMarginStillStartsTheFirstRecordAndSaysWhatToChange() {
        ScriptedProcessor p = new ScriptedProcessor();
        try (CapturedLogs logs = CapturedLogs.of(Level.WARN, "io.shardwise.batch")) {
            BatchResult r = BatchProcessor.create(p, config().build())
                    .process(shard(3, 1), FakeContext.withTimeout(Duration.ofSeconds(1)));
            assertThat(p.delivered).containsExactly("r0");
            assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
            assertThat(r.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                    .containsExactly(seq(1));
            assertThat(String.join("\n", logs.messages())).contains("deadlineMargin").contains("timeout");
        }
    }

    // ---- item 14: the batch is validated before any effect ----------------------------------------------------

    @Test
    void aNonNumericSequenceNumberInWatermarkModeFailsTheBatchBeforeAnyEffect() {
        ScriptedProcessor p = new ScriptedProcessor();
        List<StreamRecord<String>> batch = List.of(record(0, "k", "r0"), at("not-a-number", "k", "r1", null));
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config().dedupStore(new InMemoryDedupStore())
                .dedupMode(DedupMode.WATERMARK).build());
        assertThatThrownBy(() -> bp.process(batch, null))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("not-a-number").hasMessageContaining("sequence number");
        assertThat(p.delivered).isEmpty();
    }

    @Test
    void anAbsurdArrivalTimeNeverFailsTheBatchAfterItsEffects() {
        ScriptedProcessor p = new ScriptedProcessor();
        List<StreamRecord<String>> batch = List.of(at(seq(0), "k", "r0", Instant.MIN),
                at(seq(1), "k", "r1", Instant.MAX));
        BatchResult r = BatchProcessor.create(p, ProcessingConfig.builder("robust").build()).process(batch, null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED);
        assertThat(p.effects).containsExactly("r0", "r1");
    }

    @ParameterizedTest
    @EnumSource(DedupMode.class)
    void aRepeatedSequenceNumberWithOtherDataIsParkedNotSkipped(DedupMode mode) {
        RecordingSink sink = new RecordingSink();
        ScriptedProcessor p = new ScriptedProcessor();
        List<StreamRecord<String>> batch = List.of(record(0, "k", "r0"), at(seq(0), "k", "other", null),
                record(1, "k", "r1"));
        BatchResult r = BatchProcessor.create(p, config().dedupStore(new InMemoryDedupStore()).dedupMode(mode)
                .failureSink(sink).build()).process(batch, null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PARKED, Outcome.PROCESSED);
        assertThat(p.delivered).containsExactly("r0", "r1");
        assertThat(sink.parked).singleElement().satisfies(pr -> {
            assertThat(new String(java.util.Base64.getDecoder().decode(pr.payloadBase64()), StandardCharsets.UTF_8))
                    .isEqualTo("other");
            assertThat(pr.errorMessage()).contains("sequence number " + seq(0)).contains("different data");
        });
    }

    @Test
    void aRepeatedEventIdWithOtherDataIsParkedWithoutADedupStoreToo() {
        RecordingSink sink = new RecordingSink();
        ScriptedProcessor p = new ScriptedProcessor();
        StreamRecord<String> first = record(0, "k", "r0");
        StreamRecord<String> sameEvent = new StreamRecord<>("r1", ByteBuffer.wrap("r1".getBytes(StandardCharsets.UTF_8)),
                "k", SHARD, ARN, seq(1), StreamRecord.NO_SUB_SEQUENCE, null, first.eventId());
        BatchResult r = BatchProcessor.create(p, config().failureSink(sink).build())
                .process(List.of(first, sameEvent), null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PARKED);
        assertThat(p.delivered).containsExactly("r0");
        assertThat(sink.parked).singleElement().satisfies(pr -> assertThat(pr.errorMessage()).contains("eventID"));
    }

    @Test
    void recordsOutOfSequenceOrderRunInSequenceOrderAndOutcomesStayInInputOrder() {
        ScriptedProcessor p = new ScriptedProcessor().failing("r1", 1);
        List<StreamRecord<String>> batch = new ArrayList<>(List.of(record(2, "k", "r2"), record(0, "k", "r0"),
                record(1, "k", "r1")));
        try (CapturedLogs logs = CapturedLogs.of(Level.WARN, "io.shardwise.batch")) {
            BatchResult r = BatchProcessor.create(p, config().build()).process(batch, null);
            assertThat(p.delivered).containsExactly("r0", "r1");
            assertThat(outcomes(r)).containsExactly(Outcome.NOT_ATTEMPTED, Outcome.PROCESSED, Outcome.FAILED);
            assertThat(r.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                    .containsExactly(seq(1));
            assertThat(String.join("\n", logs.messages())).contains("out of sequence order").contains(seq(0));
        }
    }
}
