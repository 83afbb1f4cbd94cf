package io.shardwise.core;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.shardwise.core.Records.record;
import static io.shardwise.core.Records.seq;
import static io.shardwise.core.Records.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineTest {

    private static ProcessingConfig.Builder config() {
        return ProcessingConfig.builder("test-consumer").metrics(false);
    }

    private static List<String> failureIds(BatchResult r) {
        return r.response().getBatchItemFailures().stream()
                .map(StreamsEventResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    private static List<Outcome> outcomes(BatchResult r) {
        return r.outcomes().stream().map(RecordOutcome::outcome).toList();
    }

    @Test
    void allRecordsSucceedGivesAnEmptyResponse() {
        ScriptedProcessor p = new ScriptedProcessor();
        BatchResult r = BatchProcessor.create(p, config().build()).process(shard(5, 2), null);
        assertThat(p.delivered).containsExactly("r0", "r1", "r2", "r3", "r4");
        assertThat(outcomes(r)).containsOnly(Outcome.PROCESSED);
        assertThat(r.response().getBatchItemFailures()).isEmpty();
        assertThat(r.allDone()).isTrue();
    }

    @Test
    void emptyBatchGivesEmptyResponse() {
        BatchResult r = BatchProcessor.create(new ScriptedProcessor(), config().build()).process(List.of(), null);
        assertThat(r.outcomes()).isEmpty();
        assertThat(r.response().getBatchItemFailures()).isEmpty();
    }

    @Test
    void stopAtFirstFailureNamesTheFailedRecordAndRunsNothingAfterIt() {
        ScriptedProcessor p = new ScriptedProcessor().failing("r2", 1);
        BatchResult r = BatchProcessor.create(p, config().build()).process(shard(5, 5), null);
        assertThat(p.delivered).containsExactly("r0", "r1", "r2");
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED, Outcome.FAILED,
                Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
        assertThat(failureIds(r)).containsExactly(seq(2));
        assertThat(r.outcomes().get(2).error()).hasMessageContaining("transient failure of r2");
    }

    @Test
    void redeliveryAfterATransientFailureReplaysFromTheFailedRecord() {
        ScriptedProcessor p = new ScriptedProcessor().failing("r2", 2);
        List<StreamRecord<String>> shard = shard(6, 3);
        p.validator = new OrderValidator(shard);
        RedeliverySimulator<String> sim = new RedeliverySimulator<>(shard, 4);
        int checkpoint = sim.run(BatchProcessor.create(p, config().build()), 10);
        assertThat(checkpoint).isEqualTo(6);
        // Without a dedup store nothing is skipped: exactly Lambda's redelivery, in order.
        assertThat(p.delivered).containsExactly("r0", "r1", "r2", "r2", "r2", "r3", "r4", "r5");
        assertThat(p.effects).containsExactly("r0", "r1", "r2", "r3", "r4", "r5");
        assertThat(p.validator.violations()).isEmpty();
        assertThat(p.validator.complete()).isTrue();
    }

    @Test
    void isolatePartitionKeyRefusesToBuildWithoutADedupStore() {
        assertThatThrownBy(() -> config().failureMode(FailureMode.ISOLATE_PARTITION_KEY).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ISOLATE_PARTITION_KEY needs a dedupStore");
    }

    @Test
    void isolatePartitionKeyGoesOnWithOtherKeysAndSkipsTheirRecordsOnRedelivery() {
        ScriptedProcessor p = new ScriptedProcessor().failing("r1", 1);
        List<StreamRecord<String>> shard = shard(6, 2); // r0,r2,r4 key k0; r1,r3,r5 key k1
        p.validator = new OrderValidator(shard);
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config()
                .failureMode(FailureMode.ISOLATE_PARTITION_KEY)
                .dedupStore(new InMemoryDedupStore()).build());
        RedeliverySimulator<String> sim = new RedeliverySimulator<>(shard, 10);
        sim.run(bp, 5);
        assertThat(outcomes(sim.results.get(0))).containsExactly(Outcome.PROCESSED, Outcome.FAILED,
                Outcome.PROCESSED, Outcome.NOT_ATTEMPTED, Outcome.PROCESSED, Outcome.NOT_ATTEMPTED);
        assertThat(failureIds(sim.results.get(0))).containsExactly(seq(1));
        // Redelivery from r1: r2 and r4 are skipped as done, k1 resumes in order.
        assertThat(outcomes(sim.results.get(1))).containsExactly(Outcome.PROCESSED, Outcome.SKIPPED_DUPLICATE,
                Outcome.PROCESSED, Outcome.SKIPPED_DUPLICATE, Outcome.PROCESSED);
        assertThat(p.delivered).containsExactly("r0", "r1", "r2", "r4", "r1", "r3", "r5");
        assertThat(p.validator.violations()).isEmpty();
        assertThat(p.validator.complete()).isTrue();
    }

    @Test
    void nonRetryableFailureIsParkedAtOnceWithTheFullRecordAndTheBatchGoesOn() {
        ScriptedProcessor p = new ScriptedProcessor().badData("r1");
        RecordingSink sink = new RecordingSink();
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);
        BatchResult r = BatchProcessor.create(p, config().failureSink(sink).clock(clock).build())
                .process(shard(3, 1), null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PARKED, Outcome.PROCESSED);
        assertThat(r.response().getBatchItemFailures()).isEmpty();
        assertThat(sink.parked).hasSize(1);
        ParkedRecord parked = sink.parked.get(0);
        assertThat(new String(parked.payload(), StandardCharsets.UTF_8)).isEqualTo("r1");
        assertThat(parked.sequenceNumber()).isEqualTo(seq(1));
        assertThat(parked.shardId()).isEqualTo(Records.SHARD);
        assertThat(parked.sourceArn()).isEqualTo(Records.ARN);
        assertThat(parked.partitionKey()).isEqualTo("k0");
        assertThat(parked.subSequenceNumber()).isEqualTo(-1);
        assertThat(parked.approximateArrivalTime()).isEqualTo(Instant.parse("2026-11-22T10:00:01Z"));
        assertThat(parked.errorClass()).isEqualTo(NonRetryableException.class.getName());
        assertThat(parked.errorMessage()).isEqualTo("bad data in r1");
        assertThat(parked.attempts()).isEqualTo(1);
        assertThat(parked.consumerName()).isEqualTo("test-consumer");
        assertThat(parked.parkedAt()).isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
        assertThat(parked.eventId()).isEqualTo(Records.SHARD + ":" + seq(1));
    }

    @Test
    void aParkedKplSubRecordKeepsItsExplicitHashKeySoAReplayCanPutItBackOntoTheSameHashRange() {
        ScriptedProcessor p = new ScriptedProcessor().badData("r0");
        RecordingSink sink = new RecordingSink();
        StreamRecord<String> plain = Records.record(0, "k0", "r0");
        StreamRecord<String> sub = new StreamRecord<>(plain.payload(), plain.data(), "user-key", plain.shardId(),
                plain.sourceArn(), plain.sequenceNumber(), 2, plain.approximateArrivalTime(), plain.eventId(), "k0",
                "170141183460469231731687303715884105728");

        BatchProcessor.create(p, config().failureSink(sink).build()).process(List.of(sub), null);

        assertThat(sink.parked).singleElement().satisfies(parked -> {
            assertThat(parked.explicitHashKey()).isEqualTo("170141183460469231731687303715884105728");
            assertThat(parked.partitionKey()).isEqualTo("user-key");
            assertThat(parked.subSequenceNumber()).isEqualTo(2);
        });
    }

    @Test
    void whenTheSinkFailsTheRecordStaysFailedAndIsRedeliveredThenParked() {
        ScriptedProcessor p = new ScriptedProcessor().badData("r1");
        RecordingSink sink = new RecordingSink();
        sink.refuseNext.set(1);
        List<StreamRecord<String>> shard = shard(3, 1);
        RedeliverySimulator<String> sim = new RedeliverySimulator<>(shard, 10);
        sim.run(BatchProcessor.create(p, config().failureSink(sink).build()), 5);
        assertThat(outcomes(sim.results.get(0))).containsExactly(Outcome.PROCESSED, Outcome.FAILED,
                Outcome.NOT_ATTEMPTED);
        assertThat(sim.results.get(0).outcomes().get(1).error()).hasMessageContaining("Could not park")
                .hasMessageContaining("sink unavailable");
        assertThat(outcomes(sim.results.get(1))).containsExactly(Outcome.PARKED, Outcome.PROCESSED);
        assertThat(p.delivered).containsExactly("r0", "r1", "r1", "r2");
        assertThat(sink.parked).extracting(ParkedRecord::sequenceNumber).containsExactly(seq(1));
    }

    @Test
    void withoutASinkAPoisonRecordStaysFailedNeverDropped() {
        ScriptedProcessor p = new ScriptedProcessor().badData("r0");
        BatchResult r = BatchProcessor.create(p, config().build()).process(shard(2, 1), null);
        assertThat(outcomes(r)).containsExactly(Outcome.FAILED, Outcome.NOT_ATTEMPTED);
        assertThat(failureIds(r)).containsExactly(seq(0));
        assertThat(r.outcomes().get(0).error()).hasMessageContaining("no failureSink is configured");
        assertThat(r.outcomes().get(0).error().getSuppressed()).singleElement()
                .isInstanceOf(NonRetryableException.class);
    }

    @Test
    void retryableFailuresAreParkedWhenTheAttemptBudgetIsUsedUp() {
        ScriptedProcessor p = new ScriptedProcessor().failing("r1", Integer.MAX_VALUE);
        RecordingSink sink = new RecordingSink();
        List<StreamRecord<String>> shard = shard(3, 1);
        p.validator = new OrderValidator(shard);
        sink.validator = p.validator; // r2 may take effect only once r1 is parked
        RedeliverySimulator<String> sim = new RedeliverySimulator<>(shard, 10);
        int checkpoint = sim.run(BatchProcessor.create(p, config().maxAttempts(3).failureSink(sink)
                .dedupStore(new InMemoryDedupStore()).build()), 10);
        assertThat(p.validator.violations()).isEmpty();
        assertThat(p.validator.complete()).isTrue();
        assertThat(checkpoint).isEqualTo(3);
        assertThat(p.delivered).containsExactly("r0", "r1", "r1", "r1", "r2");
        assertThat(sim.results).extracting(EngineTest::outcomes).containsExactly(
                List.of(Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED),
                List.of(Outcome.FAILED, Outcome.NOT_ATTEMPTED),
                List.of(Outcome.PARKED, Outcome.PROCESSED));
        assertThat(sink.parked).singleElement().satisfies(pr -> {
            assertThat(pr.attempts()).isEqualTo(3);
            assertThat(pr.errorClass()).isEqualTo(IllegalStateException.class.getName());
        });
    }

    @Test
    void stopsStartingRecordsWhenTheDeadlineMarginIsReached() {
        AtomicLong millis = new AtomicLong(Instant.parse("2026-11-22T12:00:00Z").toEpochMilli());
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return Instant.ofEpochMilli(millis.get()); }
        };
        FakeContext ctx = FakeContext.of("f", clock, Duration.ofSeconds(10));
        RecordProcessor<String> slow = RecordProcessor.of((rec, c) -> millis.addAndGet(3_000));
        BatchResult r = BatchProcessor.create(slow, config().deadlineMargin(Duration.ofSeconds(2)).build())
                .process(shard(5, 1), ctx);
        // 10 s budget, 2 s margin, 3 s per record: r0, r1, r2 start with 10, 7, 4 s left; r3 would start with 1 s.
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED, Outcome.PROCESSED,
                Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
        assertThat(failureIds(r)).containsExactly(seq(3));
    }

    @Test
    void withoutAStoreEachRecordIsDecodedJustBeforeItRunsAndNotAfterAStop() {
        List<String> events = new ArrayList<>();
        RecordProcessor<String> p = new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> rec, RecordContext c) {
                events.add("process " + rec.payload());
                if (rec.payload().equals("R1")) {
                    throw new IllegalStateException("downstream down");
                }
            }
        };
        BatchProcessor<String, String> bp = BatchProcessor.create(p, raw -> {
            events.add("decode " + raw.payload());
            return raw.payload().toUpperCase();
        }, config().build());
        BatchResult r = bp.process(shard(4, 1), null);
        assertThat(events).containsExactly("decode r0", "process R0", "decode r1", "process R1");
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED,
                Outcome.NOT_ATTEMPTED);
    }

    @Test
    void withoutAStoreTheContextStillGivesThePositionKey() {
        List<String> keys = new ArrayList<>();
        BatchProcessor<String, String> bp = BatchProcessor.create(
                RecordProcessor.<String>of((rec, c) -> keys.add(c.dedupKey())), config().build());
        bp.process(shard(2, 1), null);
        assertThat(keys).containsExactly(Records.ARN + "/" + Records.SHARD + "/" + seq(0),
                Records.ARN + "/" + Records.SHARD + "/" + seq(1));
    }

    @Test
    void aDecodeFailureParksTheRawBytesAndTheBatchGoesOn() {
        RecordingSink sink = new RecordingSink();
        List<String> seen = new ArrayList<>();
        RecordProcessor<Integer> p = RecordProcessor.of((rec, c) -> seen.add("n=" + rec.payload()));
        BatchProcessor<String, Integer> bp = BatchProcessor.create(p,
                raw -> Integer.parseInt(raw.payload()), config().failureSink(sink).build());
        List<StreamRecord<String>> batch = List.of(record(0, "a", "1"), record(1, "a", "not-a-number"),
                record(2, "a", "3"));
        BatchResult r = bp.process(batch, null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PARKED, Outcome.PROCESSED);
        assertThat(seen).containsExactly("n=1", "n=3");
        assertThat(new String(sink.parked.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("not-a-number");
        assertThat(sink.parked.get(0).errorClass()).as("the decoder's own exception, not an internal wrapper")
                .isEqualTo(NumberFormatException.class.getName());
        assertThat(sink.parked.get(0).errorMessage()).contains("Cannot decode the payload of shard "
                + Records.SHARD + ", sequence number " + seq(1));
    }

    @Test
    void parkedPayloadIsByteExactForNonUtf8Data() {
        RecordingSink sink = new RecordingSink();
        byte[] bytes = {(byte) 0xF3, 0, (byte) 0xFF, 10, (byte) 0x80};
        ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length);
        buf.put(bytes).flip();
        StreamRecord<ByteBuffer> rec = new StreamRecord<>(buf, buf, "k", "s", "arn", "1", -1, null, null);
        BatchProcessor<ByteBuffer, ByteBuffer> bp = BatchProcessor.create(
                RecordProcessor.<ByteBuffer>of((r, c) -> { throw new NonRetryableException("no"); }),
                config().failureSink(sink).build());
        bp.process(List.of(rec), null);
        assertThat(Base64.getDecoder().decode(sink.parked.get(0).payloadBase64())).containsExactly(bytes);
    }

    @Test
    void aKplSubRecordFailureNamesTheOuterRecord() {
        List<StreamRecord<String>> batch = new ArrayList<>();
        batch.add(record(0, "a", "plain"));
        for (int sub = 0; sub < 3; sub++) {
            batch.add(new StreamRecord<>("agg" + sub, null, "a", Records.SHARD, Records.ARN, seq(1), sub, null, null));
        }
        ScriptedProcessor p = new ScriptedProcessor().failing("agg1", 1);
        BatchResult r = BatchProcessor.create(p, config().build()).process(batch, null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED, Outcome.FAILED,
                Outcome.NOT_ATTEMPTED);
        assertThat(failureIds(r)).containsExactly(seq(1));
    }

    @Test
    void aKplRedeliverySkipsTheSubRecordsAlreadyDone() {
        List<StreamRecord<String>> batch = new ArrayList<>();
        for (int sub = 0; sub < 3; sub++) {
            batch.add(new StreamRecord<>("agg" + sub, null, "a", Records.SHARD, Records.ARN, seq(0), sub, null, null));
        }
        ScriptedProcessor p = new ScriptedProcessor().failing("agg1", 1);
        BatchProcessor<String, String> bp = BatchProcessor.create(p,
                config().dedupStore(new InMemoryDedupStore()).build());
        RedeliverySimulator<String> sim = new RedeliverySimulator<>(batch, 10);
        sim.run(bp, 5);
        assertThat(p.delivered).containsExactly("agg0", "agg1", "agg1", "agg2");
        assertThat(outcomes(sim.results.get(1))).containsExactly(Outcome.SKIPPED_DUPLICATE, Outcome.PROCESSED,
                Outcome.PROCESSED);
    }

    @Test
    void aRedeliveredBatchIsSkippedAsDuplicates() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        ScriptedProcessor p = new ScriptedProcessor();
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config().dedupStore(store).build());
        List<StreamRecord<String>> batch = shard(4, 2);
        bp.process(batch, null);
        BatchResult again = bp.process(batch, null);
        assertThat(outcomes(again)).containsOnly(Outcome.SKIPPED_DUPLICATE);
        assertThat(p.effects).containsExactly("r0", "r1", "r2", "r3");
    }

    @Test
    void producerDuplicatesWithAPayloadKeyAreSkippedWithinAndAcrossBatches() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        ScriptedProcessor p = new ScriptedProcessor() {
            @Override
            public String dedupKey(StreamRecord<String> record) {
                return record.payload(); // the event id
            }
        };
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config().dedupStore(store).build());
        BatchResult r = bp.process(List.of(record(0, "a", "e1"), record(1, "a", "e2"), record(2, "a", "e1")), null);
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED, Outcome.SKIPPED_DUPLICATE);
        BatchResult r2 = bp.process(List.of(record(3, "a", "e2"), record(4, "a", "e3")), null);
        assertThat(outcomes(r2)).containsExactly(Outcome.SKIPPED_DUPLICATE, Outcome.PROCESSED);
        assertThat(p.effects).containsExactly("e1", "e2", "e3");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = io.shardwise.core.dedup.DedupMode.class, names = "GUARDED",
            mode = org.junit.jupiter.params.provider.EnumSource.Mode.EXCLUDE) // GUARDED: GuardedModeTest
    void aKeyReusedWithinOneBatchWithADifferentPayloadIsParkedNotSkipped(io.shardwise.core.dedup.DedupMode mode) {
        InMemoryDedupStore store = new InMemoryDedupStore();
        RecordingSink sink = new RecordingSink();
        ScriptedProcessor p = new ScriptedProcessor() {
            @Override
            public String dedupKey(StreamRecord<String> record) {
                return record.payload().substring(0, record.payload().indexOf(':'));
            }
        };
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config().dedupStore(store).dedupMode(mode)
                .payloadValidation(true).failureSink(sink).build());
        BatchResult r = bp.process(List.of(record(0, "a", "k1:first"), record(1, "a", "k1:second"),
                record(2, "a", "k1:first"), record(3, "a", "k2:other")), null);

        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PARKED, Outcome.SKIPPED_DUPLICATE,
                Outcome.PROCESSED);
        assertThat(r.outcomes().get(1).error()).hasMessageContaining("earlier in this batch, with a different payload");
        assertThat(sink.parked).singleElement().satisfies(parked ->
                assertThat(new String(parked.payload(), StandardCharsets.UTF_8)).isEqualTo("k1:second"));
        assertThat(p.effects).containsExactly("k1:first", "k2:other");
    }

    @Test
    void aKnownKeyWithADifferentPayloadIsReportedNotSkipped() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        RecordingSink sink = new RecordingSink();
        ScriptedProcessor p = new ScriptedProcessor() {
            @Override
            public String dedupKey(StreamRecord<String> record) {
                return "same-key";
            }
        };
        BatchProcessor<String, String> bp = BatchProcessor.create(p,
                config().dedupStore(store).payloadValidation(true).failureSink(sink).build());
        bp.process(List.of(record(0, "a", "first")), null);
        BatchResult r = bp.process(List.of(record(1, "a", "second")), null);
        assertThat(outcomes(r)).containsExactly(Outcome.PARKED);
        assertThat(r.outcomes().get(0).error()).hasMessageContaining("already processed with a different payload");
        BatchResult same = bp.process(List.of(record(2, "a", "first")), null);
        assertThat(outcomes(same)).containsExactly(Outcome.SKIPPED_DUPLICATE);
        assertThat(p.effects).containsExactly("first");
    }

    @Test
    void aRecordLeasedByAnotherInvocationIsFailedAndRetriedNotRunTwice() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        List<StreamRecord<String>> batch = shard(2, 1);
        ProcessingConfig cfg = config().dedupStore(store).build();
        // Invocation A claims r0 and is still running it when B (a retry racing it) starts.
        List<Outcome> seenByB = new ArrayList<>();
        RecordProcessor<String> a = new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) {
                if (record.payload().equals("r0") && seenByB.isEmpty()) {
                    BatchResult b = BatchProcessor.create(new ScriptedProcessor(), cfg).process(batch, null);
                    seenByB.addAll(outcomes(b));
                }
            }
        };
        BatchResult ra = BatchProcessor.create(a, cfg).process(batch, null);
        assertThat(seenByB).containsExactly(Outcome.FAILED, Outcome.NOT_ATTEMPTED);
        assertThat(outcomes(ra)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED);
    }

    @Test
    void theDedupStoreBeingUnreachableFailsTheWholeBatchWithAClearMessage() {
        InMemoryDedupStore broken = new InMemoryDedupStore() {
            @Override
            public java.util.Map<String, Entry> read(java.util.Collection<String> ids) {
                throw new IllegalStateException("connection refused");
            }
        };
        BatchProcessor<String, String> bp = BatchProcessor.create(new ScriptedProcessor(),
                config().dedupStore(broken).build());
        assertThatThrownBy(() -> bp.process(shard(2, 1), null))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("Dedup store failed to read markers for consumer test-consumer")
                .hasMessageContaining("connection refused");
    }

    @Test
    void configValidationSaysWhatToChange() {
        assertThatThrownBy(() -> ProcessingConfig.builder(" ").build()).hasMessageContaining("consumerName");
        assertThatThrownBy(() -> config().maxConcurrency(0).build()).hasMessageContaining("maxConcurrency");
        assertThatThrownBy(() -> config().maxAttempts(0).build()).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> config().dedupMode(io.shardwise.core.dedup.DedupMode.WATERMARK).build())
                .hasMessageContaining("needs a dedupStore");
        assertThatThrownBy(() -> config().deadlineMargin(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("deadlineMargin");
    }
}
