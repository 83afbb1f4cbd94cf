package io.shardwise.ddb;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handler end to end through the engine: golden DynamoDB Streams events in, golden partial batch responses
 * out (under {@code responses/ddb/}), plus the outcomes and what the processor saw.
 */
class DynamoDbStreamHandlerGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<ParkedRecord> parked = new CopyOnWriteArrayList<>();

    private static ProcessingConfig.Builder config() {
        return ProcessingConfig.builder("order-changes").metrics(false);
    }

    private <T> DynamoDbStreamHandler<T> handler(software.amazon.awssdk.enhanced.dynamodb.TableSchema<T> schema,
                                                 RecordProcessor<ChangeRecord<T>> processor,
                                                 ProcessingConfig config) {
        return DynamoDbStreamHandler.builder(schema).processor(processor).config(config).build();
    }

    @Test
    void newAndOldImagesAreProcessedInOrderWithTheirChanges() throws Exception {
        try (DynamoDbStreamHandler<Order> handler = handler(Schemas.BEAN, RecordProcessor.of((r, c) -> {
            ChangeRecord<Order> change = r.payload();
            seen.add(change.eventName() + " " + change.changedAttributes() + " "
                    + change.newImage().map(Order::getStatus).orElse("-"));
        }), config().build())) {
            DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
            BatchResult result = handler.process(event, FakeContext.create());

            assertResponse(result.response(), "all-done.json");
            assertResponse(handler.handleRequest(Fixtures.event("view-new-and-old-images.json"), FakeContext.create()),
                    "all-done.json");
            assertThat(result.outcomes()).extracting(RecordOutcome::outcome)
                    .containsExactly(Outcome.PROCESSED, Outcome.PROCESSED, Outcome.PROCESSED);
            assertThat(seen.subList(0, 3)).containsExactly(
                    "INSERT [customerId, note, orderId, status, tags, total] PLACED",
                    "MODIFY [note, shippedAt, status] SHIPPED",
                    "REMOVE [customerId, orderId, shippedAt, status, tags, total] -");
        }
    }

    @Test
    void aKeysOnlyStreamWorksForAProcessorThatReadsOnlyKeys() throws Exception {
        try (DynamoDbStreamHandler<Order> handler = handler(Schemas.BEAN, RecordProcessor.of((r, c) ->
                seen.add(r.payload().eventName() + " " + r.payload().keys().get("customerId").s())), config().build())) {
            BatchResult result = handler.process(Fixtures.event("view-keys-only.json"), FakeContext.create());

            assertResponse(result.response(), "all-done.json");
            assertThat(seen).containsExactly("INSERT c-1", "MODIFY c-1", "REMOVE c-1");
        }
    }

    @Test
    void readingAnImageOnAKeysOnlyStreamFailsTheRecordNonRetryably() throws Exception {
        // Without a failure sink a non-retryable record cannot be parked: it stays FAILED and the response names it.
        try (DynamoDbStreamHandler<Order> handler = handler(Schemas.BEAN, imageReader(), config().build())) {
            BatchResult result = handler.process(Fixtures.event("view-keys-only.json"), FakeContext.create());

            assertResponse(result.response(), "first-record-failed.json");
            assertThat(result.outcomes()).extracting(RecordOutcome::outcome)
                    .containsExactly(Outcome.FAILED, Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
            // The engine reports "could not park" and keeps the original error in its message only.
            assertThat(result.outcomes().get(0).error())
                    .hasMessageContaining("Original error: " + MissingImageException.class.getName())
                    .hasMessageContaining("this stream's StreamViewType is KEYS_ONLY, which carries no NewImage");
        }
    }

    @Test
    void withAFailureSinkSuchRecordsAreParkedWithTheirFullStreamRecord() throws Exception {
        ProcessingConfig config = config().failureSink(parked::add).build();
        try (DynamoDbStreamHandler<Order> handler = handler(Schemas.BEAN, imageReader(), config)) {
            DynamodbEvent event = Fixtures.event("view-keys-only.json");
            BatchResult result = handler.process(event, FakeContext.create());

            assertResponse(result.response(), "all-done.json");
            assertThat(result.outcomes()).extracting(RecordOutcome::outcome)
                    .containsExactly(Outcome.PARKED, Outcome.PARKED, Outcome.PARKED);
            assertThat(parked).extracting(ParkedRecord::sequenceNumber)
                    .containsExactly("100000000000000000001", "100000000000000000002", "100000000000000000003");
            ParkedRecord first = parked.get(0);
            assertThat(first.errorClass()).isEqualTo(MissingImageException.class.getName());
            assertThat(first.errorMessage()).contains("StreamViewType is KEYS_ONLY");
            assertThat(first.eventId()).isEqualTo("7de3041dd709b024af6f29e4fa13d34c");
            assertThat(first.shardId()).isEqualTo("stream/2024-05-02T08:30:00.000");
            assertThat(first.partitionKey()).isEqualTo("{\"customerId\":{\"S\":\"c-1\"},\"orderId\":{\"N\":\"1\"}}");
            PojoSerializer<DynamodbEvent.DynamodbStreamRecord> runtime = LambdaEventSerializers.serializerFor(
                    DynamodbEvent.DynamodbStreamRecord.class, getClass().getClassLoader());
            assertThat(runtime.fromJson(new ByteArrayInputStream(first.payload())))
                    .isEqualTo(event.getRecords().get(0));
        }
    }

    @Test
    void ttlDeletesAreToldApart() throws Exception {
        try (DynamoDbStreamHandler<Order> handler = handler(Schemas.BEAN, RecordProcessor.of((r, c) ->
                seen.add(r.payload().ttlDelete() ? "expired " + r.payload().oldImage().orElseThrow().getStatus()
                        : "deleted")), config().build())) {
            assertResponse(handler.handleRequest(Fixtures.event("ttl-delete.json"), FakeContext.create()),
                    "all-done.json");
            assertThat(seen).containsExactly("expired ABANDONED");
        }
    }

    @Test
    void aRetryableFailureStopsTheBatchAtThatRecord() throws Exception {
        try (DynamoDbStreamHandler<Order> handler = handler(Schemas.BEAN, RecordProcessor.of((r, c) -> {
            if (r.payload().eventName() == ChangeRecord.EventName.MODIFY) {
                throw new StreamProcessingException("downstream unavailable");
            }
            seen.add(r.sequenceNumber());
        }), config().build())) {
            BatchResult result = handler.process(Fixtures.event("view-new-and-old-images.json"), FakeContext.create());

            assertResponse(result.response(), "second-record-failed.json");
            assertThat(result.outcomes()).extracting(RecordOutcome::outcome)
                    .containsExactly(Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED);
            assertThat(seen).containsExactly("100000000000000000001");
        }
    }

    @Test
    void redeliveriesAreSkippedByEventIdDedup() throws Exception {
        List<String> dedupKeys = new CopyOnWriteArrayList<>();
        ProcessingConfig config = config().dedupStore(new InMemoryDedupStore()).build();
        try (DynamoDbStreamHandler<Order> handler = handler(Schemas.BEAN, RecordProcessor.of((r, c) ->
                dedupKeys.add(c.dedupKey())), config)) {
            BatchResult first = handler.process(Fixtures.event("view-new-and-old-images.json"), FakeContext.create());
            BatchResult again = handler.process(Fixtures.event("view-new-and-old-images.json"), FakeContext.create());

            assertResponse(first.response(), "all-done.json");
            assertResponse(again.response(), "all-done.json");
            assertThat(first.outcomes()).extracting(RecordOutcome::outcome).containsOnly(Outcome.PROCESSED);
            assertThat(again.outcomes()).extracting(RecordOutcome::outcome).containsOnly(Outcome.SKIPPED_DUPLICATE);
            assertThat(dedupKeys).containsExactly("7de3041dd709b024af6f29e4fa13d34c",
                    "a8f5f167f44f4964e6c998dee827110c", "c4ca4238a0b923820dcc509a6f75849b");
        }
    }

    private static RecordProcessor<ChangeRecord<Order>> imageReader() {
        return RecordProcessor.of((r, c) -> r.payload().newImage());
    }

    private static void assertResponse(StreamsEventResponse response, String golden) throws IOException {
        JsonNode expected;
        try (InputStream in = DynamoDbStreamHandlerGoldenTest.class.getResourceAsStream("/responses/ddb/" + golden)) {
            expected = JSON.readTree(in);
        }
        JsonNode actual = JSON.valueToTree(response);
        assertThat(actual).as("response vs responses/ddb/" + golden).isEqualTo(expected);
    }
}
