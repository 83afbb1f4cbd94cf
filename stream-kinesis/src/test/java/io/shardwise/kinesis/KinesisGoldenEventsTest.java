package io.shardwise.kinesis;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.shardwise.kinesis.Events.seq;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files: real-shaped Lambda Kinesis events, loaded as the Java runtime deserializes them, and the exact
 * response JSON the runtime would send back (see {@code events/kinesis/README.md}).
 */
class KinesisGoldenEventsTest {

    private final RecordingProcessor processor = new RecordingProcessor();
    private final RecordingSink sink = new RecordingSink();
    private final KinesisBatchHandler<Order> handler = KinesisBatchHandler.builder(processor)
            .decoder(KinesisDecoders.json(Order.class))
            .config(ProcessingConfig.builder("golden-test").failureSink(sink).metrics(false).build())
            .build();

    @ParameterizedTest
    @ValueSource(strings = {"orders-all-ok", "orders-retryable-failure", "orders-poison-json",
            "orders-kpl-aggregate", "orders-corrupt-kpl"})
    void responseIsExactlyTheGoldenOne(String name) throws Exception {
        KinesisEvent event = EventLoader.loadKinesisEvent("events/kinesis/" + name + ".json");

        StreamsEventResponse response = handler.handleRequest(event, FakeContext.create());

        String expected = new ObjectMapper().readTree(Events.resource("responses/kinesis/" + name + ".json"))
                .toString();
        assertThat(Events.toJson(response, StreamsEventResponse.class)).isEqualTo(expected);
    }

    @Test
    void allOk() {
        BatchResult result = process("orders-all-ok");

        assertThat(processor.calls).containsExactly("o-1", "o-2", "o-3", "o-4", "o-5");
        assertThat(result.outcomes()).extracting(RecordOutcome::outcome).containsOnly(Outcome.PROCESSED);
        assertThat(sink.parked).isEmpty();
    }

    @Test
    void retryableFailureStopsTheBatchAtThatRecord() {
        BatchResult result = process("orders-retryable-failure");

        assertThat(processor.calls).containsExactly("o-1", "o-2", "o-3!");
        assertThat(result.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PROCESSED,
                Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
        assertThat(sink.parked).isEmpty();
    }

    @Test
    void poisonJsonIsParkedWithItsExactBytesAndTheBatchGoesOn() {
        BatchResult result = process("orders-poison-json");

        assertThat(processor.calls).containsExactly("o-1", "o-3", "o-4", "o-5");
        assertThat(result.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PROCESSED,
                Outcome.PARKED, Outcome.PROCESSED, Outcome.PROCESSED, Outcome.PROCESSED);
        assertThat(sink.parked).singleElement().satisfies(p -> {
            assertThat(new String(p.payload(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"orderId\":\"o-2\",\"customer\":\"bob\",\"amount\":");
            assertThat(p.sequenceNumber()).isEqualTo(seq(1));
            assertThat(p.subSequenceNumber()).isEqualTo(-1);
            assertThat(p.partitionKey()).isEqualTo("bob");
            assertThat(p.shardId()).isEqualTo("shardId-000000000000");
            assertThat(p.eventId()).isEqualTo("shardId-000000000000:" + seq(1));
            assertThat(p.errorMessage()).contains("Malformed JSON (expected io.shardwise.kinesis.Order)");
        });
    }

    @Test
    void kplSubRecordFailureNamesTheOuterRecord() {
        BatchResult result = process("orders-kpl-aggregate");

        assertThat(processor.calls).containsExactly("o-1", "o-2", "o-3!");
        assertThat(result.outcomes()).extracting(o -> o.sequenceNumber().equals(seq(1)) ? o.subSequenceNumber()
                : -1L).containsExactly(-1L, 0L, 1L, 2L, -1L);
        assertThat(result.outcomes()).extracting(RecordOutcome::partitionKey)
                .containsExactly("alice", "alice", "bob", "carol", "bob");
        assertThat(result.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PROCESSED,
                Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
    }

    @Test
    void corruptKplAggregateIsParkedWholeWithItsExactBytes() {
        KinesisEvent event = EventLoader.loadKinesisEvent("events/kinesis/orders-corrupt-kpl.json");
        byte[] aggregate = bytesOf(event, 1);

        BatchResult result = handler.process(event, FakeContext.create());

        assertThat(processor.calls).containsExactly("o-1", "o-5");
        assertThat(result.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.PROCESSED, Outcome.PARKED, Outcome.PROCESSED);
        ParkedRecord p = sink.parked.get(0);
        assertThat(sink.parked).hasSize(1);
        assertThat(p.payload()).isEqualTo(aggregate);
        assertThat(p.partitionKey()).isEqualTo("kpl-aggregate");
        assertThat(p.subSequenceNumber()).isEqualTo(-1);
        assertThat(p.errorMessage()).contains("Corrupt KPL aggregate (" + aggregate.length + " bytes): MD5 check "
                + "failed");
    }

    @Test
    void theFixturesAggregateIsWhatTheIndependentTestEncoderWrites() {
        KinesisEvent event = EventLoader.loadKinesisEvent("events/kinesis/orders-kpl-aggregate.json");

        byte[] expected = KplEncoder.aggregate(List.of(
                new KplEncoder.UserRecord("alice", null, order("o-2", "alice", 75, "ok")),
                new KplEncoder.UserRecord("bob", null, order("o-3", "bob", 30, "fail")),
                new KplEncoder.UserRecord("carol", null, order("o-4", "carol", 210, "ok"))));

        assertThat(bytesOf(event, 1)).isEqualTo(expected);
    }

    private BatchResult process(String name) {
        return handler.process(EventLoader.loadKinesisEvent("events/kinesis/" + name + ".json"),
                FakeContext.create());
    }

    private static byte[] bytesOf(KinesisEvent event, int index) {
        java.nio.ByteBuffer data = event.getRecords().get(index).getKinesis().getData().duplicate();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return bytes;
    }

    private static byte[] order(String id, String customer, long amount, String action) {
        return ("{\"orderId\":\"" + id + "\",\"customer\":\"" + customer + "\",\"amount\":" + amount
                + ",\"action\":\"" + action + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
