package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static io.shardwise.testkit.esm.Batches.failures;
import static io.shardwise.testkit.esm.Batches.list;
import static io.shardwise.testkit.esm.Batches.ok;
import static io.shardwise.testkit.esm.Batches.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.shardwise.testkit.esm.Invocation.Outcome;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** ReportBatchItemFailures, against the in-memory stream: what is checkpointed and what is redelivered. */
class PartialBatchResponseTest {

    private static InMemoryStream sixRecords() {
        InMemoryStream stream = InMemoryStream.kinesis("partial", 1);
        for (int i = 1; i <= 6; i++) {
            stream.put("pk-" + i, "payload-" + i);
        }
        return stream;
    }

    @Test
    void checkpointsJustBeforeTheLowestReportedSequenceNumberAndRedeliversFromIt() {
        InMemoryStream stream = sixRecords();
        AtomicInteger calls = new AtomicInteger();
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(3).reportBatchItemFailures(true).build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> calls.getAndIncrement() == 0 ? failures("3", "2") : ok())
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome, Invocation::failedSequenceNumber,
                            Invocation::retryAttempt)
                    .containsExactly(
                            tuple(list("1", "2", "3"), Outcome.PARTIAL_FAILURE, "2", 0),
                            tuple(list("2", "3", "4"), Outcome.SUCCESS, null, 1),
                            tuple(list("5", "6"), Outcome.SUCCESS, null, 0));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("1", "4", "6");
        }
    }

    @ParameterizedTest(name = "itemIdentifier [{0}]")
    @NullSource
    @ValueSource(strings = {"", "999"})
    void anInvalidIdentifierFailsAndRetriesTheWholeBatch(String identifier) {
        InMemoryStream stream = sixRecords();
        AtomicInteger calls = new AtomicInteger();
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(3).reportBatchItemFailures(true).build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> calls.getAndIncrement() == 0 ? failures(identifier) : ok())
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome, Invocation::retryAttempt)
                    .containsExactly(
                            tuple(list("1", "2", "3"), Outcome.INVALID_RESPONSE, 0),
                            tuple(list("1", "2", "3"), Outcome.SUCCESS, 1),
                            tuple(list("4", "5", "6"), Outcome.SUCCESS, 0));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("3", "6");
        }
    }

    @Test
    void batchItemFailuresAreIgnoredWithoutReportBatchItemFailures() {
        InMemoryStream stream = sixRecords();
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(6).build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(stream, mapping, (event, context) -> failures(seqs(event).get(0)))
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome)
                    .containsExactly(tuple(list("1", "2", "3", "4", "5", "6"), Outcome.SUCCESS));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("6");
        }
    }
}
