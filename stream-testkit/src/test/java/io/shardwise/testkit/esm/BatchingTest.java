package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static io.shardwise.testkit.esm.Batches.ok;
import static io.shardwise.testkit.esm.Batches.range;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** BatchSize and MaximumBatchingWindowInSeconds, against the in-memory stream. */
class BatchingTest {

    @Test
    void batchSizeCapsEveryBatch() {
        InMemoryStream stream = InMemoryStream.kinesis("size", 1);
        for (int i = 1; i <= 10; i++) {
            stream.put("pk-" + i, "v" + i);
        }
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream, EventSourceMapping.builder().batchSize(4).build(), (event, context) -> ok())
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers)
                    .containsExactly(range(1, 4), range(5, 8), range(9, 10));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("4", "8", "10");
        }
    }

    @Test
    void aPartialBatchWaitsForTheBatchingWindowButAFullOneGoesAtOnce() {
        ManualClock clock = new ManualClock(Instant.parse("2024-05-01T10:00:00Z"));
        InMemoryStream stream = InMemoryStream.kinesis("window", 1, clock);
        stream.put("a", "1");
        stream.put("b", "2");
        EventSourceMapping mapping =
                EventSourceMapping.builder().batchSize(5).maximumBatchingWindow(Duration.ofSeconds(5)).clock(clock).build();
        try (var runner = EventSourceMappingRunner.forKinesis(stream, mapping, (event, context) -> ok()).start()) {
            int polls = stream.getRecordsCalls();
            Batches.await("two more polls", () -> stream.getRecordsCalls() >= polls + 2);
            stream.put("c", "3");
            int polls2 = stream.getRecordsCalls();
            Batches.await("two more polls", () -> stream.getRecordsCalls() >= polls2 + 2);
            assertThat(runner.invocations()).as("the window has not passed on the mapping's clock").isEmpty();

            clock.advance(Duration.ofSeconds(5));
            runner.awaitInvocations(1, WAIT);
            for (int i = 4; i <= 8; i++) {
                stream.put("k" + i, "v" + i); // five records: a full batch, no waiting
            }
            runner.awaitInvocations(2, WAIT);
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations()).extracting(Invocation::sequenceNumbers).containsExactly(range(1, 3), range(4, 8));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("3", "8");
        }
    }
}
