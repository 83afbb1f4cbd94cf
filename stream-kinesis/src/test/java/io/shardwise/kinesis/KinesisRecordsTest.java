package io.shardwise.kinesis;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.kinesis.internal.KinesisRecords;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static io.shardwise.kinesis.Events.ARN;
import static io.shardwise.kinesis.Events.SHARD;
import static io.shardwise.kinesis.Events.record;
import static io.shardwise.kinesis.Events.seq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Event → {@link StreamRecord} mapping and event validation. */
class KinesisRecordsTest {

    @Test
    void mapsTheDocumentedEventShapeFieldByField() {
        KinesisEvent event = EventLoader.loadKinesisEvent("events/kinesis/orders-all-ok.json");

        List<StreamRecord<ByteBuffer>> records = KinesisRecords.toStreamRecords(event.getRecords(), true, null);

        assertThat(records).hasSize(5);
        StreamRecord<ByteBuffer> first = records.get(0);
        assertThat(first.partitionKey()).isEqualTo("alice");
        assertThat(first.shardId()).isEqualTo("shardId-000000000000");
        assertThat(first.sourceArn()).isEqualTo("arn:aws:kinesis:us-east-1:123456789012:stream/orders");
        assertThat(first.sequenceNumber()).isEqualTo("49590338271490256608559692538361571095921575989136588800");
        assertThat(first.subSequenceNumber()).isEqualTo(StreamRecord.NO_SUB_SEQUENCE);
        assertThat(first.eventId())
                .isEqualTo("shardId-000000000000:49590338271490256608559692538361571095921575989136588800");
        assertThat(first.approximateArrivalTime()).isEqualTo(Instant.parse("2018-12-17T22:10:50.987Z"));
        assertThat(new String(first.dataBytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"orderId\":\"o-1\",\"customer\":\"alice\",\"amount\":120,\"action\":\"ok\"}");
        assertThat(first.payload()).isEqualTo(first.data());
        assertThat(first.positionKey()).isEqualTo(
                "arn:aws:kinesis:us-east-1:123456789012:stream/orders/shardId-000000000000/"
                        + "49590338271490256608559692538361571095921575989136588800");
        assertThat(records).extracting(StreamRecord::partitionKey)
                .containsExactly("alice", "bob", "alice", "carol", "bob");
        assertThat(records).extracting(StreamRecord::sequenceNumber)
                .containsExactly(seq(0), seq(1), seq(2), seq(3), seq(4));
    }

    @Test
    void dataStartsAtTheCallersPositionAndTheCallersBufferIsNotMoved() {
        ByteBuffer data = ByteBuffer.wrap("xxHELLO".getBytes(StandardCharsets.UTF_8));
        data.position(2);
        KinesisEvent.KinesisEventRecord r = record(0, "k", new byte[0]);
        r.getKinesis().setData(data);

        StreamRecord<ByteBuffer> mapped = KinesisRecords.toStreamRecords(List.of(r), true, null).get(0);

        assertThat(new String(mapped.dataBytes(), StandardCharsets.UTF_8)).isEqualTo("HELLO");
        assertThat(mapped.payload().remaining()).isEqualTo(5);
        assertThat(mapped.payload().isReadOnly()).isTrue();
        assertThat(data.position()).isEqualTo(2);
    }

    @Test
    void emptyOrMissingRecordsMapToNothing() {
        assertThat(KinesisRecords.toStreamRecords(null, true, null)).isEmpty();
        assertThat(KinesisRecords.toStreamRecords(List.of(), true, null)).isEmpty();
    }

    @Test
    void missingArrivalTimeIsAllowed() {
        KinesisEvent.KinesisEventRecord r = record(0, "k", "x");
        r.getKinesis().setApproximateArrivalTimestamp(null);

        assertThat(KinesisRecords.toStreamRecords(List.of(r), true, null).get(0).approximateArrivalTime()).isNull();
    }

    @Test
    void emptyDataIsAnEmptyRecord() {
        StreamRecord<ByteBuffer> mapped =
                KinesisRecords.toStreamRecords(List.of(record(0, "k", new byte[0])), true, null).get(0);

        assertThat(mapped.dataBytes()).isEmpty();
    }

    @Test
    void aNullRecordIsNamed() {
        List<KinesisEvent.KinesisEventRecord> records = new ArrayList<>(Arrays.asList(record(0, "k", "x"), null));

        assertThatThrownBy(() -> KinesisRecords.toStreamRecords(records, true, null))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageStartingWith("Malformed Kinesis event: Records[1] is null.");
    }

    @Test
    void eachMissingFieldIsNamedWithItsPath() {
        assertMalformed(r -> r.setKinesis(null), "Records[1].kinesis is null (eventID " + SHARD + ":" + seq(1) + ")");
        assertMalformed(r -> r.getKinesis().setSequenceNumber(null), "Records[1].kinesis.sequenceNumber is null");
        assertMalformed(r -> r.getKinesis().setSequenceNumber(""), "Records[1].kinesis.sequenceNumber is empty");
        assertMalformed(r -> r.getKinesis().setPartitionKey(null), "Records[1].kinesis.partitionKey is null");
        assertMalformed(r -> r.setEventID(null), "Records[1].eventID is null");
        assertMalformed(r -> r.setEventSourceARN(null), "Records[1].eventSourceARN is null");
        assertMalformed(r -> r.getKinesis().setData(null),
                "Records[1].kinesis.data is null (sequence number " + seq(1) + ")");
        assertMalformed(r -> r.setEventID("no-colon-here"),
                "Records[1].eventID is 'no-colon-here', expected 'shardId:sequenceNumber'");
        assertMalformed(r -> r.setEventID(":" + seq(1)), "Records[1].eventID is ':" + seq(1) + "'");
    }

    @Test
    void recordsOfSeveralShardsAreRefused() {
        KinesisEvent.KinesisEventRecord other = record(1, "k", "x");
        other.setEventID("shardId-000000000001:" + seq(1));

        assertThatThrownBy(() -> KinesisRecords.toStreamRecords(List.of(record(0, "k", "x"), other), true, null))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("Records[1] is from shard shardId-000000000001 but the batch is for shard "
                        + SHARD);
    }

    @Test
    void aShardOtherThanTheEventsIsRefused() {
        assertThatThrownBy(() -> KinesisRecords.toStreamRecords(List.of(record(0, "k", "x")), true,
                "shardId-000000000009"))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("Records[0] is from shard " + SHARD
                        + " but the batch is for shard shardId-000000000009");
    }

    @Test
    void sourceArnIsKeptPerRecord() {
        assertThat(KinesisRecords.toStreamRecords(List.of(record(0, "k", "x")), true, null).get(0).sourceArn())
                .isEqualTo(ARN);
    }

    private static void assertMalformed(Consumer<KinesisEvent.KinesisEventRecord> breakIt, String expected) {
        KinesisEvent.KinesisEventRecord bad = record(1, "k", "x");
        breakIt.accept(bad);
        assertThatThrownBy(() -> KinesisRecords.toStreamRecords(List.of(record(0, "k", "x"), bad), true, null))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining(expected)
                .hasMessageContaining("Lambda never sends such an event");
    }
}
