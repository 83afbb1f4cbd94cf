package io.shardwise.ddb;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.StreamRecord;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.enhanced.dynamodb.document.EnhancedDocument;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Kinesis Data Streams for DynamoDB records (JSON in the Kinesis data) decoded into change records. */
class KinesisChangeRecordDecoderTest {

    private static final String SEQ = "49590338271490256608559692538361571095921575989136588898";
    private final KinesisChangeRecordDecoder<Order> orders = KinesisChangeRecordDecoder.of(Schemas.BEAN);

    @Test
    void decodesAModifyWithMillisecondCreationTime() throws Exception {
        ChangeRecord<Order> change = orders.decode(kinesisRecord("modify-millisecond.json"));

        assertThat(change.eventName()).isEqualTo(ChangeRecord.EventName.MODIFY);
        assertThat(change.eventId()).isEqualTo("4b4f6b1c-2a45-4f5d-9a3e-8c0e6a7c1d2e");
        assertThat(change.tableName()).isEqualTo("Orders");
        assertThat(change.awsRegion()).isEqualTo("us-east-1");
        assertThat(change.sequenceNumber()).isEqualTo(SEQ);
        assertThat(change.sizeBytes()).isEqualTo(250);
        assertThat(change.streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
        assertThat(change.approximateCreationTime()).isEqualTo(Instant.ofEpochMilli(1714564860123L));
        assertThat(change.ttlDelete()).isFalse();
        assertThat(change.keys()).isEqualTo(Map.of("customerId", AttributeValue.fromS("c-1"),
                "orderId", AttributeValue.fromN("1")));
        assertThat(change.newImage().orElseThrow().getStatus()).isEqualTo("SHIPPED");
        assertThat(change.oldImage().orElseThrow().getNote()).isEqualTo("leave at the door");
        assertThat(change.newImage().orElseThrow().getTotal().toPlainString())
                .isEqualTo("12345678901234567890123456789012345678");
        assertThat(change.changedAttributes()).containsExactly("note", "status", "version");
        assertThat(change.removedAttributes()).containsExactly("note");
    }

    @Test
    void decodesATtlRemoveWithMicrosecondCreationTime() throws Exception {
        ChangeRecord<Order> change = orders.decode(kinesisRecord("ttl-remove-microsecond.json"));

        assertThat(change.eventName()).isEqualTo(ChangeRecord.EventName.REMOVE);
        assertThat(change.ttlDelete()).isTrue();
        assertThat(change.isUserDelete()).isFalse();
        assertThat(change.approximateCreationTime()).isEqualTo(Instant.ofEpochSecond(1714651200L, 123_456_000L));
        assertThat(change.newImage()).isEmpty();
        assertThat(change.oldImage().orElseThrow().getStatus()).isEqualTo("ABANDONED");
    }

    @Test
    void withoutPrecisionFieldMillisecondsAreAssumedAndEveryTypeConverts() throws Exception {
        ChangeRecord<EnhancedDocument> change = KinesisChangeRecordDecoder.of(Schemas.document("id"))
                .decode(kinesisRecord("insert-no-precision.json"));

        assertThat(change.approximateCreationTime()).isEqualTo(Instant.ofEpochMilli(1714564800456L));
        Map<String, AttributeValue> image = change.newImageAttributes().orElseThrow();
        assertThat(image.get("n38").n()).isEqualTo("12345678901234567890123456789012345678");
        assertThat(image.get("b").b()).isEqualTo(SdkBytes.fromByteArray(new byte[]{0, 1, 2, (byte) 0xFF, (byte) 0xFE}));
        assertThat(image.get("yes")).isEqualTo(AttributeValue.fromBool(true));
        assertThat(image.get("nothing")).isEqualTo(AttributeValue.fromNul(true));
        assertThat(image.get("ss").ss()).containsExactly("a", "b");
        assertThat(image.get("ns").ns()).containsExactly("1", "2.5");
        assertThat(image.get("bs").bs()).containsExactly(SdkBytes.fromByteArray(new byte[]{0, 1}),
                SdkBytes.fromByteArray(new byte[]{(byte) 0xFF, (byte) 0xFF}));
        assertThat(image.get("l").l()).containsExactly(AttributeValue.fromS("x"), AttributeValue.fromL(List.of()),
                AttributeValue.fromM(Map.of("deep", AttributeValue.fromL(List.of(AttributeValue.fromN("-1E-130"))))));
        assertThat(image.get("m")).isEqualTo(AttributeValue.fromM(Map.of("a", AttributeValue.fromM(Map.of(
                "b", AttributeValue.fromM(Map.of("c", AttributeValue.fromBool(false))))))));
        assertThat(change.newImage().orElseThrow().getNumber("n38").bigDecimalValue())
                .isEqualTo(new BigDecimal("12345678901234567890123456789012345678"));
    }

    @Test
    void withoutPrecisionFieldAMicrosecondSizedValueIsReadAsMicroseconds() {
        String json = fixture("insert-no-precision.json").replace("1714564800456", "1714564800456789");
        ChangeRecord<EnhancedDocument> change = KinesisChangeRecordDecoder.of(Schemas.document("id"))
                .decode(json.getBytes(StandardCharsets.UTF_8), SEQ);
        assertThat(change.approximateCreationTime()).isEqualTo(Instant.ofEpochSecond(1714564800L, 456_789_000L));
    }

    @Test
    void decodesFromTheStreamRecordsDataWhenThePayloadIsNull() {
        byte[] bytes = fixture("modify-millisecond.json").getBytes(StandardCharsets.UTF_8);
        StreamRecord<ByteBuffer> raw = new StreamRecord<>(null, ByteBuffer.wrap(bytes), "pk", "shardId-000000000000",
                "arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc", SEQ, StreamRecord.NO_SUB_SEQUENCE,
                Instant.EPOCH, "shardId-000000000000:" + SEQ);
        assertThat(orders.decode(raw).eventId()).isEqualTo("4b4f6b1c-2a45-4f5d-9a3e-8c0e6a7c1d2e");
    }

    @Test
    void malformedRecordsAreNonRetryableAndSayWhy() {
        assertThatThrownBy(() -> orders.decode("{not json".getBytes(StandardCharsets.UTF_8), SEQ))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageStartingWith("Kinesis record " + SEQ + " is not JSON, so not a Kinesis Data Streams for "
                        + "DynamoDB record");
        assertThatThrownBy(() -> orders.decode("[1]".getBytes(StandardCharsets.UTF_8), SEQ))
                .isInstanceOf(NonRetryableException.class).hasMessageContaining("is not a JSON object");
        assertThatThrownBy(() -> decodeReplacing("\"aws:dynamodb\"", "\"aws:kinesis\""))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("has eventSource 'aws:kinesis', not 'aws:dynamodb'");
        assertThatThrownBy(() -> decodeReplacing("\"application/json\"", "\"application/x-protobuf\""))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("has recordFormat 'application/x-protobuf'; only application/json is supported");
        assertThatThrownBy(() -> decodeReplacing("\"N\": \"3\"", "\"N\": 3"))
                .isInstanceOf(NonRetryableException.class)
                .hasMessage("Kinesis record " + SEQ + " (eventID 4b4f6b1c-2a45-4f5d-9a3e-8c0e6a7c1d2e): "
                        + "NewImage.version N must be a JSON string, is NUMBER");
        assertThatThrownBy(() -> decodeReplacing("\"MODIFY\"", "\"UPSERT\""))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("has eventName 'UPSERT'; expected INSERT, MODIFY or REMOVE");
        assertThatThrownBy(() -> decodeReplacing("\"MILLISECOND\"", "\"NANOSECOND\""))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("ApproximateCreationDateTimePrecision is 'NANOSECOND'");
        assertThatThrownBy(() -> decodeReplacing("{\"S\": \"SHIPPED\"}", "{\"S\": \"SHIPPED\", \"N\": \"1\"}"))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("NewImage.status must be a DynamoDB JSON value: an object with exactly one type key");
    }

    @Test
    void anImageThatDoesNotFitTheItemTypeIsNonRetryable() {
        // version is a Long in the bean; a list there cannot be mapped.
        assertThatThrownBy(() -> decodeReplacing("\"version\": {\"N\": \"3\"}",
                "\"version\": {\"L\": [{\"S\": \"b\"}]}"))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageStartingWith("DynamoDB change record " + SEQ + " (eventID 4b4f6b1c-2a45-4f5d-9a3e-8c0e6a7c1d2e)"
                        + ": its NewImage does not map to io.shardwise.ddb.Order through the TableSchema (attributes "
                        + "[customerId, orderId, status, total, version])");
    }

    private ChangeRecord<Order> decodeReplacing(String from, String to) {
        String json = fixture("modify-millisecond.json");
        assertThat(json).contains(from);
        return orders.decode(json.replace(from, to).getBytes(StandardCharsets.UTF_8), SEQ);
    }

    static StreamRecord<ByteBuffer> kinesisRecord(String fixture) {
        byte[] bytes = fixture(fixture).getBytes(StandardCharsets.UTF_8);
        return new StreamRecord<>(ByteBuffer.wrap(bytes), ByteBuffer.wrap(bytes), "ABCDEF0123456789",
                "shardId-000000000000", "arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc", SEQ,
                StreamRecord.NO_SUB_SEQUENCE, Instant.ofEpochMilli(1714564861000L), "shardId-000000000000:" + SEQ);
    }

    static String fixture(String name) {
        try (InputStream in = KinesisChangeRecordDecoderTest.class.getResourceAsStream("/events/ddb/kinesis/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
