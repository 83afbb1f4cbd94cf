package io.shardwise.core;

import ch.qos.logback.classic.Level;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.dedup.MutableClock;
import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

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
    @EnumSource(value = DedupMode.class, names = "GUARDED", mode = EnumSource.Mode.EXCLUDE) // GUARDED: GuardedModeTest
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
    void kplUserRecordsSharingTheOuterRecordsEventIdAllRun() {
        ScriptedProcessor p = new ScriptedProcessor();
        List<StreamRecord<String>> aggregate = new ArrayList<>();
        for (int sub = 0; sub < 3; sub++) {
            String payload = "u" + sub;
            aggregate.add(new StreamRecord<>(payload, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)),
                    "k" + sub, SHARD, ARN, seq(0), sub, null, SHARD + ":" + seq(0)));
        }
        BatchResult r = BatchProcessor.create(p, config().dedupStore(new InMemoryDedupStore()).build())
                .process(aggregate, null);
        assertThat(outcomes(r)).containsOnly(Outcome.PROCESSED);
        assertThat(p.effects).containsExactly("u0", "u1", "u2");
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

    // ---- item 7: attempts that never finished count ------------------------------------------------------------

    @Test
    void aRecordThatHangsEveryAttemptIsParkedOnceItsAttemptsAreUsedUp() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
        RecordingSink sink = new RecordingSink();
        List<String> runs = new CopyOnWriteArrayList<>();
        RecordProcessor<String> hangs = RecordProcessor.of((rec, c) -> {
            runs.add(rec.payload() + "#" + c.attempt());
            if (rec.payload().equals("r0")) {
                throw new CrashRecoveryTest.Crash(); // as a Lambda timeout: the invocation ends mid-record
            }
        });
        BatchProcessor<String, String> bp = BatchProcessor.create(hangs, config().dedupStore(new InMemoryDedupStore(clock))
                .clock(clock).maxAttempts(2).failureSink(sink).build());
        List<StreamRecord<String>> batch = shard(2, 1);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> bp.process(batch, FakeContext.of("f", clock, Duration.ofSeconds(30))))
                    .isInstanceOf(CrashRecoveryTest.Crash.class);
            clock.advance(Duration.ofSeconds(31)); // the lease of the timed-out invocation ends
        }
        BatchResult third = bp.process(batch, FakeContext.of("f", clock, Duration.ofSeconds(30)));
        assertThat(outcomes(third)).containsExactly(Outcome.PARKED, Outcome.PROCESSED);
        assertThat(runs).containsExactly("r0#1", "r0#2", "r1#1");
        assertThat(sink.parked).singleElement().satisfies(pr -> {
            assertThat(pr.attempts()).isEqualTo(2);
            assertThat(pr.errorMessage()).contains("never finished");
        });
    }

    // ---- item 9: a batch-fatal store error releases this invocation's leases -----------------------------------

    @Test
    void aBatchFatalStoreErrorReleasesTheLeasesItHoldsSoTheRedeliveryRunsAtOnce() {
        InMemoryDedupStore delegate = new InMemoryDedupStore();
        AtomicBoolean failComplete = new AtomicBoolean(true);
        DedupStore store = (DedupStore) Proxy.newProxyInstance(DedupStore.class.getClassLoader(),
                new Class<?>[] {DedupStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("complete") && failComplete.getAndSet(false)) {
                        throw new IllegalStateException("ProvisionedThroughputExceeded (test)");
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        ScriptedProcessor p = new ScriptedProcessor();
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config().dedupStore(store).build());
        List<StreamRecord<String>> batch = shard(2, 1);
        assertThatThrownBy(() -> bp.process(batch, null)).isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("complete");

        BatchResult redelivered = bp.process(batch, null);
        assertThat(outcomes(redelivered)).containsExactly(Outcome.PROCESSED, Outcome.PROCESSED);
        assertThat(p.delivered).containsExactly("r0", "r0", "r1"); // at least once: r0's effect runs again
    }

    // ---- item 8: store calls are bounded by the time left ------------------------------------------------------

    @Test
    void storeCallsSlowedByThrottlingEndWithAPartialResponseBeforeTheDeadline() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
        InMemoryDedupStore delegate = new InMemoryDedupStore(clock);
        Duration perCall = Duration.ofSeconds(4); // each call spends 4 s in SDK retries under throttling
        java.util.function.BiFunction<java.util.function.Supplier<Duration>, Boolean, DedupStore> throttled =
                new java.util.function.BiFunction<>() {
                    @Override
                    public DedupStore apply(java.util.function.Supplier<Duration> timeLeft, Boolean bounded) {
                        return (DedupStore) Proxy.newProxyInstance(DedupStore.class.getClassLoader(),
                                new Class<?>[] {DedupStore.class}, (proxy, method, args) -> {
                                    if (method.getName().equals("withCallTimeout")) {
                                        @SuppressWarnings("unchecked")
                                        var left = (java.util.function.Supplier<Duration>) args[0];
                                        return apply(left, true);
                                    }
                                    if (bounded && timeLeft.get().compareTo(perCall) < 0) {
                                        // The SDK's apiCallTimeout fires first.
                                        clock.advance(timeLeft.get());
                                        throw new io.shardwise.core.dedup.CallDeadlineException("apiCallTimeout", null);
                                    }
                                    clock.advance(perCall);
                                    try {
                                        return method.invoke(delegate, args);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
                    }
                };
        ScriptedProcessor p = new ScriptedProcessor();
        BatchProcessor<String, String> bp = BatchProcessor.create(p, config()
                .dedupStore(throttled.apply(() -> Duration.ofDays(1), false)).clock(clock).build());
        FakeContext ctx = FakeContext.of("f", clock, Duration.ofSeconds(10));

        BatchResult r = bp.process(shard(3, 1), ctx);

        assertThat(ctx.getRemainingTimeInMillis()).as("returned before the Lambda timeout").isPositive();
        assertThat(r.allDone()).isFalse();
        assertThat(r.response().getBatchItemFailures()).hasSize(1);
        assertThat(outcomes(r).subList(1, 3)).containsOnly(Outcome.NOT_ATTEMPTED);
    }

    // ---- found by the simulation (long run, seed 47141): a park whose marker write the deadline cut short --------

    @Test
    void aRecordTheSinkAcceptedStaysParkedWhenTheDeadlineCutsItsMarkerWriteShort() {
        InMemoryDedupStore delegate = new InMemoryDedupStore();
        DedupStore store = (DedupStore) Proxy.newProxyInstance(DedupStore.class.getClassLoader(),
                new Class<?>[] {DedupStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("withCallTimeout")) {
                        return proxy;
                    }
                    if (method.getName().equals("markParked")) {
                        // The SDK's apiCallTimeout, bounded by the invocation's time left, fires.
                        throw new io.shardwise.core.dedup.CallDeadlineException("apiCallTimeout", null);
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        RecordingSink sink = new RecordingSink();
        List<String> calls = new CopyOnWriteArrayList<>();
        RecordProcessor<String> p = RecordProcessor.of((rec, c) -> {
            calls.add(rec.payload());
            if (rec.payload().equals("r1")) {
                throw new IllegalStateException("poison (test)");
            }
        });
        try (BatchProcessor<String, String> bp = BatchProcessor.create(p, config().dedupStore(store)
                .maxAttempts(1).failureSink(sink).build())) {
            BatchResult first = bp.process(shard(3, 1), null);
            // In the sink, so done: the response must not name it, or its redelivery parks it a second time.
            assertThat(outcomes(first)).containsExactly(Outcome.PROCESSED, Outcome.PARKED, Outcome.NOT_ATTEMPTED);
            assertThat(first.response().getBatchItemFailures()).singleElement().satisfies(f ->
                    assertThat(f.getItemIdentifier()).isEqualTo(first.outcomes().get(2).sequenceNumber()));
            assertThat(sink.parked).hasSize(1);
            // Lambda redelivers from the sequence number the response names.
            String from = first.response().getBatchItemFailures().get(0).getItemIdentifier();
            List<StreamRecord<String>> batch = shard(3, 1);
            BatchResult redelivery = bp.process(batch.subList(
                    batch.indexOf(batch.stream().filter(r -> r.sequenceNumber().equals(from)).findFirst()
                            .orElseThrow()), 3), null);
            assertThat(outcomes(redelivery)).containsExactly(Outcome.PROCESSED);
            assertThat(sink.parked).as("parked once").hasSize(1);
            assertThat(calls).containsExactly("r0", "r1", "r2");
        }
    }
}
