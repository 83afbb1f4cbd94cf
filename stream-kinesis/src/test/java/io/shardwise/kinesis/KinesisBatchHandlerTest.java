package io.shardwise.kinesis;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.BatchResult;
import io.shardwise.core.FailureMode;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.shardwise.kinesis.Events.event;
import static io.shardwise.kinesis.Events.record;
import static io.shardwise.kinesis.Events.seq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KinesisBatchHandlerTest {

    private final RecordingProcessor processor = new RecordingProcessor();
    private final RecordingSink sink = new RecordingSink();

    // ---- empty and malformed events -----------------------------------------------------------------------------

    @Test
    void nullOrEmptyEventsGetAnEmptyResponse() {
        KinesisBatchHandler<Order> handler = handler(config().build());

        KinesisEvent noRecords = new KinesisEvent();
        for (KinesisEvent e : new KinesisEvent[]{null, noRecords, event(List.of())}) {
            StreamsEventResponse response = handler.handleRequest(e, FakeContext.create());
            assertThat(Events.toJson(response, StreamsEventResponse.class)).isEqualTo("{\"batchItemFailures\":[]}");
        }
        assertThat(processor.calls).isEmpty();
    }

    @Test
    void aMalformedEventFailsTheWholeBatchWithThePreciseField() {
        KinesisEvent.KinesisEventRecord bad = order(1, "bob", "o-2", "ok");
        bad.getKinesis().setSequenceNumber(null);

        assertThatThrownBy(() -> handler(config().build())
                .handleRequest(event(List.of(order(0, "alice", "o-1", "ok"), bad)), FakeContext.create()))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageStartingWith("Malformed Kinesis event: Records[1].kinesis.sequenceNumber is null.");
        assertThat(processor.calls).isEmpty();
    }

    // ---- decode failures ----------------------------------------------------------------------------------------

    @Test
    void aDecodeFailureIsParkedWithTheExactBytesOfADirectReadOnlyBufferAtAnOffset() {
        byte[] poison = "{\"orderId\":[".getBytes(StandardCharsets.UTF_8);
        ByteBuffer direct = ByteBuffer.allocateDirect(poison.length + 3);
        direct.put(new byte[]{9, 9, 9}).put(poison).flip().position(3);
        KinesisEvent.KinesisEventRecord r = order(1, "bob", "o-2", "ok");
        r.getKinesis().setData(direct.asReadOnlyBuffer());

        BatchResult result = handler(config().failureSink(sink).build()).process(
                event(List.of(order(0, "alice", "o-1", "ok"), r, order(2, "bob", "o-3", "ok"))), FakeContext.create());

        assertThat(result.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.PROCESSED, Outcome.PARKED, Outcome.PROCESSED);
        assertThat(sink.parked).singleElement().satisfies(p -> assertThat(p.payload()).isEqualTo(poison));
        assertThat(processor.calls).containsExactly("o-1", "o-3");
        assertThat(result.allDone()).isTrue();
    }

    @Test
    void withoutASinkADecodeFailureStopsTheBatchAndIsNamed() {
        BatchResult result = handler(config().build()).process(event(List.of(order(0, "alice", "o-1", "ok"),
                record(1, "bob", "not json"), order(2, "carol", "o-3", "ok"))), FakeContext.create());

        assertThat(result.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED);
        assertThat(result.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                .containsExactly(seq(1));
        assertThat(result.outcomes().get(1).error()).hasMessageContaining("Malformed JSON");
    }

    @Test
    void inIsolateModeADecodeFailureThatCannotBeParkedBlocksOnlyItsKey() {
        sink.refuse = true;
        ProcessingConfig config = config().failureMode(FailureMode.ISOLATE_PARTITION_KEY)
                .dedupStore(new InMemoryDedupStore()).failureSink(sink).build();

        BatchResult result = handler(config).process(event(List.of(record(0, "bob", "{bad"),
                order(1, "alice", "o-2", "ok"), order(2, "bob", "o-3", "ok"), order(3, "carol", "o-4", "ok"))),
                FakeContext.create());

        assertThat(result.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.FAILED,
                Outcome.PROCESSED, Outcome.NOT_ATTEMPTED, Outcome.PROCESSED);
        assertThat(processor.calls).containsExactly("o-2", "o-4");
        assertThat(result.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                .containsExactly(seq(0));
    }

    // ---- KPL with dedup: redelivery skips the done sub-records ------------------------------------------------

    @Test
    void aRedeliveredAggregateSkipsTheSubRecordsAlreadyDone() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        KinesisBatchHandler<Order> handler = handler(config().dedupStore(store).build());
        KinesisEvent.KinesisEventRecord aggregate = aggregateOf(1,
                new String[]{"alice", "o-2"}, new String[]{"bob", "o-3"}, new String[]{"carol", "o-4"},
                new String[]{"dave", "o-5"});
        processor.failing.add("o-4");

        BatchResult first = handler.process(event(List.of(order(0, "alice", "o-1", "ok"), aggregate,
                order(2, "bob", "o-6", "ok"))), FakeContext.create());

        assertThat(first.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                .containsExactly(seq(1));
        assertThat(first.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PROCESSED,
                Outcome.PROCESSED, Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);

        // Lambda checkpoints before the outer record and redelivers from it; the downstream has recovered.
        processor.failing.clear();
        BatchResult second = handler.process(event(List.of(aggregateOf(1,
                new String[]{"alice", "o-2"}, new String[]{"bob", "o-3"}, new String[]{"carol", "o-4"},
                new String[]{"dave", "o-5"}), order(2, "bob", "o-6", "ok"))), FakeContext.create());

        assertThat(second.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.SKIPPED_DUPLICATE,
                Outcome.SKIPPED_DUPLICATE, Outcome.PROCESSED, Outcome.PROCESSED, Outcome.PROCESSED);
        assertThat(second.outcomes()).extracting(RecordOutcome::subSequenceNumber)
                .containsExactly(0L, 1L, 2L, 3L, -1L);
        assertThat(second.allDone()).isTrue();
        assertThat(processor.calls).containsExactly("o-1", "o-2", "o-3", "o-4!", "o-4", "o-5", "o-6");
    }

    @Test
    void inIsolateModeOtherKeysOfTheAggregateGoOnAndAreSkippedOnRedelivery() {
        InMemoryDedupStore store = new InMemoryDedupStore();
        KinesisBatchHandler<Order> handler = handler(config().failureMode(FailureMode.ISOLATE_PARTITION_KEY)
                .dedupStore(store).build());
        processor.failing.add("o-4");
        List<KinesisEvent.KinesisEventRecord> batch = List.of(order(0, "alice", "o-1", "ok"), aggregateOf(1,
                new String[]{"alice", "o-2"}, new String[]{"bob", "o-3"}, new String[]{"carol", "o-4"},
                new String[]{"dave", "o-5"}), order(2, "carol", "o-6", "ok"), order(3, "bob", "o-7", "ok"));

        BatchResult first = handler.process(event(batch), FakeContext.create());

        assertThat(first.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PROCESSED,
                Outcome.PROCESSED, Outcome.PROCESSED, Outcome.FAILED, Outcome.PROCESSED, Outcome.NOT_ATTEMPTED,
                Outcome.PROCESSED);
        assertThat(first.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                .containsExactly(seq(1));

        processor.failing.clear();
        BatchResult second = handler.process(event(batch.subList(1, batch.size())), FakeContext.create());

        assertThat(second.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.SKIPPED_DUPLICATE,
                Outcome.SKIPPED_DUPLICATE, Outcome.PROCESSED, Outcome.SKIPPED_DUPLICATE, Outcome.PROCESSED,
                Outcome.SKIPPED_DUPLICATE);
        assertThat(processor.calls).containsExactly("o-1", "o-2", "o-3", "o-4!", "o-5", "o-7", "o-4", "o-6");
    }

    @Test
    void partitionKeyOfASubRecordIsItsOrderingKey() {
        List<String> seen = new ArrayList<>();
        KinesisBatchHandler<String> handler = KinesisBatchHandler.builder(RecordProcessor.<String>of(
                        (r, c) -> seen.add(r.partitionKey() + "=" + r.payload())))
                .decoder(KinesisDecoders.utf8()).config(config().build()).build();
        byte[] agg = KplEncoder.aggregate(List.of(KplEncoder.UserRecord.of("a", "1"),
                KplEncoder.UserRecord.of("b", "2")));

        handler.handleRequest(event(List.of(record(0, "outer", agg))), FakeContext.create());

        assertThat(seen).containsExactly("a=1", "b=2");
    }

    @Test
    void deaggregationCanBeTurnedOff() {
        List<Integer> sizes = new ArrayList<>();
        byte[] agg = KplEncoder.aggregate(KplEncoder.numbered(5, 2));
        KinesisBatchHandler<byte[]> handler = KinesisBatchHandler.builder(RecordProcessor.<byte[]>of(
                        (r, c) -> sizes.add(r.payload().length)))
                .decoder(KinesisDecoders.bytes()).config(config().build()).deaggregate(false).build();

        handler.handleRequest(event(List.of(record(0, "outer", agg))), FakeContext.create());

        assertThat(sizes).containsExactly(agg.length);
    }

    // ---- builder ------------------------------------------------------------------------------------------------

    @Test
    void builderSaysWhatIsMissing() {
        assertThatThrownBy(() -> KinesisBatchHandler.builder(processor).config(config().build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("decoder is required: set decoder(KinesisDecoders.json(");
        assertThatThrownBy(() -> KinesisBatchHandler.builder(processor).decoder(KinesisDecoders.json(Order.class))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("config is required");
        assertThatThrownBy(() -> KinesisBatchHandler.builder(null)).isInstanceOf(NullPointerException.class);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private KinesisBatchHandler<Order> handler(ProcessingConfig config) {
        return KinesisBatchHandler.builder(processor).decoder(KinesisDecoders.json(Order.class)).config(config)
                .build();
    }

    private static ProcessingConfig.Builder config() {
        return ProcessingConfig.builder("kinesis-test").metrics(false);
    }

    static KinesisEvent.KinesisEventRecord order(int i, String customer, String id, String action) {
        return record(i, customer, json(id, customer, action));
    }

    static String json(String id, String customer, String action) {
        return "{\"orderId\":\"" + id + "\",\"customer\":\"" + customer + "\",\"amount\":10,\"action\":\""
                + action + "\"}";
    }

    /** An aggregate record at index {@code i}; each pair is (partition key = customer, order id). */
    static KinesisEvent.KinesisEventRecord aggregateOf(int i, String[]... orders) {
        List<KplEncoder.UserRecord> users = new ArrayList<>();
        for (String[] o : orders) {
            users.add(KplEncoder.UserRecord.of(o[0], json(o[1], o[0], "ok")));
        }
        return record(i, "aggregate-" + i, KplEncoder.aggregate(users));
    }
}
