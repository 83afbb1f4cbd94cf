package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static io.shardwise.testkit.esm.Batches.failures;
import static io.shardwise.testkit.esm.Batches.ok;
import static io.shardwise.testkit.esm.Batches.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The on-failure message body against AWS-recorded ones. The oracle is LocalStack's AWS-validated snapshots
 * (localstack/localstack, {@code tests/aws/services/lambda_/event_source_mapping/
 * test_lambda_integration_kinesis.snapshot.json} and {@code test_lambda_integration_dynamodbstreams.snapshot.json}):
 * AWS's documentation shows only the thrown-error case.
 */
class OnFailureFidelityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESPONSE_OF_A_NORMAL_RETURN =
            "{\"statusCode\":200,\"executedVersion\":\"$LATEST\",\"functionError\":null}";

    /** Snapshot {@code TestKinesisSource::test_kinesis_report_batch_item_failures}: functionError null. */
    @Test
    void aKinesisPartialBatchResponseGivesANullFunctionError() throws Exception {
        InMemoryStream stream = InMemoryStream.kinesis("fidelity", 1);
        stream.put("a", "1");
        JsonNode body = onlyMessage(runKinesis(stream, failures("1")));

        assertThat(body.get("responseContext").toString()).isEqualTo(RESPONSE_OF_A_NORMAL_RETURN);
        assertThat(body.at("/requestContext/condition").asText()).isEqualTo(OnFailureRecord.RETRY_ATTEMPTS_EXHAUSTED);
    }

    /** Snapshot {@code TestDynamoDBEventSourceMapping::test_dynamodb_report_batch_item_failures}: the same. */
    @Test
    void aDynamoDbPartialBatchResponseGivesANullFunctionError() throws Exception {
        InMemoryStream stream = InMemoryStream.dynamoDb("Orders", "NEW_AND_OLD_IMAGES",
                java.time.Clock.systemUTC());
        stream.insert(Map.of("pk", AttributeValue.fromS("o-1")), Map.of("pk", AttributeValue.fromS("o-1")));
        List<OnFailureRecord> sent = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping = EventSourceMapping.builder().reportBatchItemFailures(true).maximumRetryAttempts(1)
                .retryBackoff(Duration.ofMillis(1)).onFailure(sent::add).build();
        try (var runner = EventSourceMappingRunner.forDynamoDb(stream, mapping,
                (event, context) -> failures(seqs(event).get(0))).start()) {
            runner.awaitDrained(WAIT);
        }
        JsonNode body = onlyMessage(sent);

        assertThat(body.get("responseContext").toString()).isEqualTo(RESPONSE_OF_A_NORMAL_RETURN);
        assertThat(body.has("DDBStreamBatchInfo")).isTrue();
        assertThat(sent.get(0).functionError()).isNull();
    }

    /**
     * Snapshots {@code test_kinesis_report_batch_item_failure_scenarios[empty_string_item_identifier_failure]} and
     * {@code [null_item_identifier_failure]}: Lambda fails the whole batch, but the function returned normally, so
     * functionError is null, not Unhandled.
     */
    @Test
    void anEmptyOrNullItemIdentifierFailsTheBatchWithANullFunctionError() throws Exception {
        for (String identifier : new String[] {"", null}) {
            InMemoryStream stream = InMemoryStream.kinesis("fidelity", 1);
            stream.put("a", "1");
            JsonNode body = onlyMessage(runKinesis(stream, failures(identifier)));

            assertThat(body.get("responseContext").toString()).as("itemIdentifier %s", identifier)
                    .isEqualTo(RESPONSE_OF_A_NORMAL_RETURN);
        }
    }

    /**
     * Snapshot {@code test_kinesis_maximum_record_age_exceeded[expire-while-retrying]}: a RecordAgeExceeded message
     * has no responseContext at all, even after failed invocations.
     */
    @Test
    void recordAgeExceededAfterFailedInvocationsHasNoResponseContext() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2024-05-01T10:00:00Z"));
        InMemoryStream stream = InMemoryStream.kinesis("age", 1, clock);
        stream.put("a", "1");
        List<OnFailureRecord> sent = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping = EventSourceMapping.builder().maximumRecordAgeInSeconds(60).clock(clock)
                .retryBackoff(Duration.ofMillis(1)).onFailure(sent::add).build();
        try (var runner = EventSourceMappingRunner.forKinesis(stream, mapping, (event, context) -> {
            clock.advance(Duration.ofSeconds(40));
            throw new IllegalStateException("fails while young");
        }).start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations()).hasSize(2);
        }
        JsonNode body = onlyMessage(sent);

        assertThat(fieldNames(body)).containsExactly("requestContext", "version", "timestamp", "KinesisBatchInfo");
        assertThat(body.at("/requestContext/condition").asText()).isEqualTo(OnFailureRecord.RECORD_AGE_EXCEEDED);
        assertThat(body.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(2);
        assertThat(sent.get(0).functionError()).isNull();
    }

    /**
     * Snapshots {@code test_kinesis_maximum_record_age_exceeded[expire-before-ingestion]} and
     * {@code test_kinesis_maximum_record_age_exceeded_discard_records}: a record that expired before any invocation
     * is reported with approximateInvokeCount 1, and no responseContext.
     */
    @Test
    void aRecordThatExpiredBeforeAnyInvocationCountsOneInvoke() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2024-05-01T10:00:00Z"));
        InMemoryStream stream = InMemoryStream.kinesis("age", 1, clock);
        stream.put("a", "1");
        clock.advance(Duration.ofSeconds(61));
        List<OnFailureRecord> sent = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping = EventSourceMapping.builder().maximumRecordAgeInSeconds(60).clock(clock)
                .onFailure(sent::add).build();
        try (var runner = EventSourceMappingRunner.forKinesis(stream, mapping, (event, context) -> ok()).start()) {
            runner.awaitDrained(WAIT);

            assertThat(runner.invocations()).isEmpty();
        }
        JsonNode body = onlyMessage(sent);

        assertThat(body.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(1);
        assertThat(sent.get(0).approximateInvokeCount()).isEqualTo(1);
        assertThat(fieldNames(body)).containsExactly("requestContext", "version", "timestamp", "KinesisBatchInfo");
    }

    /** Runs a Kinesis mapping (2 retries) whose function always answers {@code response}; returns what was sent. */
    private static List<OnFailureRecord> runKinesis(
            InMemoryStream stream, com.amazonaws.services.lambda.runtime.events.StreamsEventResponse response) {
        List<OnFailureRecord> sent = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping = EventSourceMapping.builder().reportBatchItemFailures(true).maximumRetryAttempts(2)
                .retryBackoff(Duration.ofMillis(1)).onFailure(sent::add).build();
        try (var runner = EventSourceMappingRunner.forKinesis(stream, mapping, (event, context) -> response).start()) {
            runner.awaitDrained(WAIT);
        }
        return sent;
    }

    private static JsonNode onlyMessage(List<OnFailureRecord> sent) throws Exception {
        assertThat(sent).hasSize(1);
        return JSON.readTree(sent.get(0).json());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
