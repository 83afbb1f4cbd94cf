package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static io.shardwise.testkit.esm.Batches.list;
import static io.shardwise.testkit.esm.Batches.ok;
import static io.shardwise.testkit.esm.Batches.range;
import static io.shardwise.testkit.esm.Batches.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.testkit.esm.Invocation.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Function errors and timeouts: retry, bisect, retry budget, record age, on-failure metadata; in-memory stream. */
class FunctionErrorTest {

    private static InMemoryStream stream(int records) {
        InMemoryStream stream = InMemoryStream.kinesis("errors", 1);
        for (int i = 1; i <= records; i++) {
            stream.put("pk-" + i, "payload-" + i);
        }
        return stream;
    }

    @Test
    void anExceptionFailsTheWholeBatchWhichIsRetriedAsIs() {
        InMemoryStream stream = stream(6);
        AtomicInteger calls = new AtomicInteger();
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(3).reportBatchItemFailures(true).build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> {
                                    if (calls.getAndIncrement() < 2) {
                                        throw new IllegalStateException("boom");
                                    }
                                    return ok();
                                })
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome, Invocation::retryAttempt)
                    .containsExactly(
                            tuple(list("1", "2", "3"), Outcome.ERROR, 0),
                            tuple(list("1", "2", "3"), Outcome.ERROR, 1),
                            tuple(list("1", "2", "3"), Outcome.SUCCESS, 2),
                            tuple(list("4", "5", "6"), Outcome.SUCCESS, 0));
            assertThat(runner.invocations().get(0).error()).contains("IllegalStateException: boom");
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("3", "6");
            assertThat(runner.onFailureRecords()).isEmpty();
        }
    }

    @Test
    void bisectSplitsAFailingBatchInHalvesUntilThePoisonRecordIsAloneAndThenSpendsRetries() {
        InMemoryStream stream = stream(8);
        List<OnFailureRecord> sent = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping =
                EventSourceMapping.builder()
                        .batchSize(8)
                        .bisectBatchOnFunctionError(true)
                        .maximumRetryAttempts(1)
                        .onFailure(sent::add)
                        .build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> {
                                    if (seqs(event).contains("6")) {
                                        throw new IllegalArgumentException("poison 6");
                                    }
                                    return null;
                                })
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome, Invocation::retryAttempt)
                    .containsExactly(
                            tuple(range(1, 8), Outcome.ERROR, 0),
                            tuple(range(1, 4), Outcome.SUCCESS, 0),
                            tuple(range(5, 8), Outcome.ERROR, 0),
                            tuple(list("5", "6"), Outcome.ERROR, 0),
                            tuple(list("5"), Outcome.SUCCESS, 0),
                            tuple(list("6"), Outcome.ERROR, 0),
                            tuple(list("6"), Outcome.ERROR, 1),
                            tuple(list("7", "8"), Outcome.SUCCESS, 0));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("4", "5", "6", "8");
            assertThat(sent)
                    .extracting(OnFailureRecord::startSequenceNumber, OnFailureRecord::endSequenceNumber,
                            OnFailureRecord::batchSize, OnFailureRecord::approximateInvokeCount)
                    .containsExactly(tuple("6", "6", 1, 2));
        }
    }

    @Test
    void partialResponseWithBisectRetriesOnlyFromTheReportedRecordToTheEndOfTheBatch() {
        InMemoryStream stream = stream(6);
        AtomicInteger calls = new AtomicInteger();
        EventSourceMapping mapping =
                EventSourceMapping.builder().batchSize(4).bisectBatchOnFunctionError(true).reportBatchItemFailures(true).build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> calls.getAndIncrement() == 0 ? Batches.failures("3") : ok())
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome)
                    .containsExactly(
                            tuple(range(1, 4), Outcome.PARTIAL_FAILURE),
                            tuple(list("3", "4"), Outcome.SUCCESS),
                            tuple(list("5", "6"), Outcome.SUCCESS));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("2", "4", "6");
        }
    }

    @Test
    void whenRetriesRunOutTheMetadataGoesToTheOnFailureDestinationAndTheBatchIsSkipped() throws Exception {
        InMemoryStream stream = stream(4);
        List<OnFailureRecord> sent = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping =
                EventSourceMapping.builder()
                        .batchSize(2)
                        .maximumRetryAttempts(2)
                        .functionName("orders")
                        .onFailure(sent::add)
                        .build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> {
                                    if (seqs(event).contains("1")) {
                                        throw new IllegalStateException("always");
                                    }
                                    return ok();
                                })
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome, Invocation::retryAttempt)
                    .containsExactly(
                            tuple(list("1", "2"), Outcome.ERROR, 0),
                            tuple(list("1", "2"), Outcome.ERROR, 1),
                            tuple(list("1", "2"), Outcome.ERROR, 2),
                            tuple(list("3", "4"), Outcome.SUCCESS, 0));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("2", "4");
            assertThat(runner.onFailureRecords()).isEqualTo(sent);
            assertThat(sent).hasSize(1);

            OnFailureRecord record = sent.get(0);
            JsonNode json = new ObjectMapper().readTree(record.json());
            assertThat(fieldNames(json))
                    .containsExactly("requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo");
            assertThat(fieldNames(json.get("requestContext")))
                    .containsExactly("requestId", "functionArn", "condition", "approximateInvokeCount");
            assertThat(json.at("/requestContext/requestId").asText())
                    .isEqualTo(runner.invocations().get(2).requestId());
            assertThat(json.at("/requestContext/functionArn").asText())
                    .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:orders");
            assertThat(json.at("/requestContext/condition").asText()).isEqualTo("RetryAttemptsExhausted");
            assertThat(json.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(3);
            assertThat(json.get("responseContext").toString())
                    .isEqualTo("{\"statusCode\":200,\"executedVersion\":\"$LATEST\",\"functionError\":\"Unhandled\"}");
            assertThat(json.get("version").asText()).isEqualTo("1.0");
            assertThat(json.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            JsonNode info = json.get("KinesisBatchInfo");
            assertThat(fieldNames(info))
                    .containsExactly("shardId", "startSequenceNumber", "endSequenceNumber", "approximateArrivalOfFirstRecord",
                            "approximateArrivalOfLastRecord", "batchSize", "streamArn");
            assertThat(info.get("shardId").asText()).isEqualTo("shardId-000000000000");
            assertThat(info.get("startSequenceNumber").asText()).isEqualTo("1");
            assertThat(info.get("endSequenceNumber").asText()).isEqualTo("2");
            assertThat(info.get("batchSize").asInt()).isEqualTo(2);
            assertThat(info.get("streamArn").asText()).isEqualTo(stream.streamArn());
            assertThat(Instant.parse(info.get("approximateArrivalOfFirstRecord").asText()))
                    .isEqualTo(stream.records("shardId-000000000000").get(0).approximateArrivalTimestamp()
                            .truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        }
    }

    @Test
    void recordsOlderThanTheMaximumAgeAreDiscardedBeforeTheNextAttempt() {
        ManualClock clock = new ManualClock(Instant.parse("2024-05-01T10:00:00Z"));
        InMemoryStream stream = InMemoryStream.kinesis("age", 1, clock);
        stream.put("a", "1");
        stream.put("b", "2");
        clock.advance(Duration.ofSeconds(50));
        stream.put("c", "3");
        stream.put("d", "4");
        List<OnFailureRecord> sent = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping =
                EventSourceMapping.builder()
                        .batchSize(2)
                        .maximumRecordAgeInSeconds(60)
                        .clock(clock)
                        .onFailure(sent::add)
                        .build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> {
                                    if (seqs(event).contains("1")) {
                                        clock.advance(Duration.ofSeconds(25)); // the retry comes when 1 and 2 are 75 s old
                                        throw new IllegalStateException("fails while young");
                                    }
                                    return ok();
                                })
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome)
                    .containsExactly(tuple(list("1", "2"), Outcome.ERROR), tuple(list("3", "4"), Outcome.SUCCESS));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("2", "4");
            assertThat(sent)
                    .extracting(OnFailureRecord::condition, OnFailureRecord::startSequenceNumber,
                            OnFailureRecord::endSequenceNumber, OnFailureRecord::approximateInvokeCount,
                            OnFailureRecord::functionError)
                    // No functionError: AWS sends no responseContext for RecordAgeExceeded (OnFailureFidelityTest).
                    .containsExactly(tuple("RecordAgeExceeded", "1", "2", 1, null));
        }
    }

    @Test
    void theTimeoutIsEnforcedTheInvocationInterruptedAndCountedAsFailed() throws Exception {
        InMemoryStream stream = stream(2);
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch abandoned = new CountDownLatch(1);
        List<Integer> remaining = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping = EventSourceMapping.builder().functionTimeout(Duration.ofMillis(300)).build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> {
                                    remaining.add(context.getRemainingTimeInMillis());
                                    if (calls.getAndIncrement() == 0) {
                                        try {
                                            Thread.sleep(10_000);
                                        } catch (InterruptedException e) {
                                            interrupted.set(true);
                                        } finally {
                                            abandoned.countDown();
                                        }
                                    }
                                    return ok();
                                })
                        .start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome, Invocation::retryAttempt)
                    .containsExactly(tuple(list("1", "2"), Outcome.TIMEOUT, 0), tuple(list("1", "2"), Outcome.SUCCESS, 1));
            assertThat(runner.invocations().get(0).duration()).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
            assertThat(runner.invocations().get(0).error()).contains("timed out");
            assertThat(abandoned.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(interrupted).isTrue();
            assertThat(remaining).allSatisfy(ms -> assertThat(ms).isBetween(1, 300));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("2");
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
