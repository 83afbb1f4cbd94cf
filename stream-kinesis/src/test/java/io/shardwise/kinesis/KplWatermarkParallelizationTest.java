package io.shardwise.kinesis;

import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.esm.InMemoryStream;
import io.shardwise.testkit.esm.Invocation;
import io.shardwise.testkit.esm.internal.Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.shardwise.kinesis.KinesisBatchHandlerTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * WATERMARK mode with KPL aggregates under ParallelizationFactor > 1 (issue 20, item 1). Lambda keeps order only per
 * <b>outer</b> Kinesis partition key, so two aggregates with different outer keys run in concurrent batches in any
 * order, even when their user records share an inner key. A watermark scoped by the inner key lets the later
 * aggregate's commit skip the earlier one's record, which then never runs.
 *
 * <p>The interleaving is real: the local event source mapping runner puts the two outer keys in different slots, and
 * the function holds the earlier aggregate's batch until the later one's batch has returned.
 */
class KplWatermarkParallelizationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String EARLY_OUTER = "outer-b";
    private static final String LATE_OUTER = "outer-a";

    @ParameterizedTest(name = "maxConcurrency {0}")
    @ValueSource(ints = {1, 4})
    void aLaterAggregateOfAnotherOuterKeyDoesNotSkipAnEarlierOneSharingAnInnerKey(int maxConcurrency)
            throws Exception {
        assertThat(Engine.slotOf(EARLY_OUTER, 2)).as("the two outer keys run in different slots")
                .isNotEqualTo(Engine.slotOf(LATE_OUTER, 2));
        InMemoryStream stream = InMemoryStream.kinesis("kpl-pf", 1);
        // X (outer key B) is earlier in the shard than Y (outer key A); both carry a user record of inner key "k".
        stream.put(EARLY_OUTER, KplEncoder.aggregate(List.of(
                KplEncoder.UserRecord.of("k", json("x-1", "k", "ok")),
                KplEncoder.UserRecord.of("other", json("x-2", "other", "ok")))));
        stream.put(LATE_OUTER, KplEncoder.aggregate(List.of(
                KplEncoder.UserRecord.of("k", json("y-1", "k", "ok")),
                KplEncoder.UserRecord.of("other", json("y-2", "other", "ok")))));
        RecordingProcessor processor = new RecordingProcessor();
        KinesisBatchHandler<Order> handler = KinesisBatchHandler.builder(processor)
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("kpl-pf").metrics(false).maxConcurrency(maxConcurrency)
                        .dedupStore(new InMemoryDedupStore()).dedupMode(DedupMode.WATERMARK).build())
                .build();
        CountDownLatch lateDone = new CountDownLatch(1);
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(1).parallelizationFactor(2).build();

        try (EventSourceMappingRunner runner = EventSourceMappingRunner.forKinesis(stream, mapping, (event, ctx) -> {
            String outer = event.getRecords().get(0).getKinesis().getPartitionKey();
            if (outer.equals(EARLY_OUTER)) {
                await(lateDone); // X's batch starts only once Y's batch has committed its watermark
                return handler.handleRequest(event, ctx);
            }
            try {
                return handler.handleRequest(event, ctx);
            } finally {
                lateDone.countDown();
            }
        }).start()) {
            runner.awaitDrained(WAIT);

            assertThat(processor.calls).containsExactlyInAnyOrder("x-1", "x-2", "y-1", "y-2");
            assertThat(processor.calls.indexOf("y-1")).isLessThan(processor.calls.indexOf("x-1"));
            assertThat(runner.invocations()).extracting(Invocation::outcome)
                    .containsOnly(Invocation.Outcome.SUCCESS);
        }
    }

    /**
     * Why the scope of a sub-record is the (outer key, user key) pair and not the outer key alone: lanes run per
     * user key, so with an outer-key scope the lane of "ok" would move the watermark past the failed "bad" record of
     * the same aggregate, and the redelivery would skip it.
     */
    @org.junit.jupiter.api.Test
    void aLaneOfOneUserKeyDoesNotSkipAFailedSubRecordOfAnotherInTheSameAggregate() {
        RecordingProcessor processor = new RecordingProcessor();
        KinesisBatchHandler<Order> handler = KinesisBatchHandler.builder(processor)
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("kpl-lanes").metrics(false).maxConcurrency(2)
                        .dedupStore(new InMemoryDedupStore()).dedupMode(DedupMode.WATERMARK).build())
                .build();
        processor.failing.add("bad-1");
        List<com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord> batch = List.of(
                Events.record(0, "outer", KplEncoder.aggregate(List.of(
                        KplEncoder.UserRecord.of("bad", json("bad-1", "bad", "ok")),
                        KplEncoder.UserRecord.of("ok", json("ok-1", "ok", "ok"))))));

        assertThat(handler.process(Events.event(batch), io.shardwise.testkit.FakeContext.create()).allDone())
                .isFalse();
        processor.failing.clear();
        assertThat(handler.process(Events.event(batch), io.shardwise.testkit.FakeContext.create()).allDone())
                .isTrue();

        assertThat(processor.calls).containsExactlyInAnyOrder("bad-1!", "ok-1", "bad-1");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the later aggregate's batch never returned");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
