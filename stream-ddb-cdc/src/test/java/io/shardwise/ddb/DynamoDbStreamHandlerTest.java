package io.shardwise.ddb;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.ddb.internal.EventIdDedupProcessor;
import io.shardwise.ddb.internal.LambdaRecords;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the handler turns Lambda's DynamoDB event into engine records; no engine run needed. */
class DynamoDbStreamHandlerTest {

    private static final String ARN =
            "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-05-01T12:00:00.000";
    private static final String ITEM_KEY = "{\"customerId\":{\"S\":\"c-1\"},\"orderId\":{\"N\":\"1\"}}";

    @Test
    void recordsGetItemKeyOrderingStreamLabelShardAndLambdaPosition() {
        List<StreamRecord<DynamodbEvent.DynamodbStreamRecord>> records =
                Fixtures.streamRecords("view-new-and-old-images.json");

        assertThat(records).extracting(StreamRecord::sequenceNumber)
                .containsExactly("100000000000000000001", "100000000000000000002", "100000000000000000003");
        assertThat(records).allSatisfy(r -> {
            assertThat(r.partitionKey()).isEqualTo(ITEM_KEY);
            assertThat(r.shardId()).isEqualTo("stream/2024-05-01T12:00:00.000");
            assertThat(r.sourceArn()).isEqualTo(ARN);
            assertThat(r.isSubRecord()).isFalse();
        });
        assertThat(records).extracting(StreamRecord::eventId).containsExactly("7de3041dd709b024af6f29e4fa13d34c",
                "a8f5f167f44f4964e6c998dee827110c", "c4ca4238a0b923820dcc509a6f75849b");
        assertThat(records.get(0).approximateArrivalTime()).isEqualTo(Instant.ofEpochSecond(1714564800));
    }

    /** What gets parked is the record as Lambda delivered it: the runtime's own deserializer reads it back equal. */
    @Test
    void dataIsTheRecordAsLambdaJsonAndRoundTripsThroughTheRuntimeDeserializer() throws Exception {
        PojoSerializer<DynamodbEvent.DynamodbStreamRecord> runtime = LambdaEventSerializers.serializerFor(
                DynamodbEvent.DynamodbStreamRecord.class, getClass().getClassLoader());
        for (String fixture : List.of("view-new-and-old-images.json", "ttl-delete.json", "all-attribute-types.json",
                "view-keys-only.json")) {
            DynamodbEvent event = Fixtures.event(fixture);
            List<StreamRecord<DynamodbEvent.DynamodbStreamRecord>> records = LambdaRecords.toStreamRecords(event);
            for (int i = 0; i < records.size(); i++) {
                byte[] json = records.get(i).dataBytes();
                DynamodbEvent.DynamodbStreamRecord back = runtime.fromJson(new ByteArrayInputStream(json));
                assertThat(back).as(fixture + " #" + i).isEqualTo(event.getRecords().get(i));
            }
        }
        String insert = new String(Fixtures.streamRecords("view-new-and-old-images.json").get(0).dataBytes(),
                StandardCharsets.UTF_8);
        assertThat(insert).startsWith("{\"eventID\":\"7de3041dd709b024af6f29e4fa13d34c\",\"eventName\":\"INSERT\"")
                .contains("\"ApproximateCreationDateTime\":1714564800", "\"total\":{\"N\":\"19.99\"}",
                        "\"eventSourceARN\":\"" + ARN + "\"");
    }

    @Test
    void decoderReadsTheSameRecordFromItsParkedJson() throws Exception {
        // A parked record can be replayed: its JSON decodes to the same change.
        RecordDecoder<DynamodbEvent.DynamodbStreamRecord, ChangeRecord<Order>> decoder =
                DynamoDbStreamHandler.decoder(Schemas.BEAN);
        PojoSerializer<DynamodbEvent.DynamodbStreamRecord> runtime = LambdaEventSerializers.serializerFor(
                DynamodbEvent.DynamodbStreamRecord.class, getClass().getClassLoader());
        StreamRecord<DynamodbEvent.DynamodbStreamRecord> original =
                Fixtures.streamRecords("view-new-and-old-images.json").get(1);
        DynamodbEvent.DynamodbStreamRecord back = runtime.fromJson(new ByteArrayInputStream(original.dataBytes()));

        ChangeRecord<Order> a = decoder.decode(original);
        ChangeRecord<Order> b = decoder.decode(original.withPayload(back));
        assertThat(b.newImageAttributes()).isEqualTo(a.newImageAttributes());
        assertThat(b.oldImageAttributes()).isEqualTo(a.oldImageAttributes());
        assertThat(b.changedAttributes()).isEqualTo(a.changedAttributes());
    }

    @Test
    void aRecordWithUnreadableKeysGetsItsOwnOrderingKeyAndFailsToDecodeNonRetryably() {
        DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
        event.getRecords().get(0).getDynamodb().getKeys().put("orderId",
                new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue());

        List<StreamRecord<DynamodbEvent.DynamodbStreamRecord>> records = LambdaRecords.toStreamRecords(event);

        assertThat(records.get(0).partitionKey()).isEqualTo("unreadable-keys/100000000000000000001");
        assertThat(records.get(1).partitionKey()).isEqualTo(ITEM_KEY);
        assertThatThrownBy(() -> DynamoDbStreamHandler.decoder(Schemas.BEAN).decode(records.get(0)))
                .isInstanceOf(NonRetryableException.class)
                .hasMessageStartingWith("DynamoDB change record 100000000000000000001 (eventID "
                        + "7de3041dd709b024af6f29e4fa13d34c): Keys holds a value that is not a DynamoDB attribute value");
    }

    @Test
    void aRecordWithoutSequenceNumberFailsTheBatchWithAClearMessage() {
        DynamodbEvent event = Fixtures.event("view-new-and-old-images.json");
        event.getRecords().get(1).getDynamodb().setSequenceNumber(null);

        assertThatThrownBy(() -> LambdaRecords.toStreamRecords(event))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageStartingWith("Record #1 of the DynamoDB event has no dynamodb.SequenceNumber (eventID "
                        + "a8f5f167f44f4964e6c998dee827110c), so it cannot be reported in a partial batch response.");
    }

    @Test
    void emptyOrNullEventsHaveNoRecords() {
        assertThat(LambdaRecords.toStreamRecords(null)).isEmpty();
        assertThat(LambdaRecords.toStreamRecords(new DynamodbEvent())).isEmpty();
    }

    @Test
    void shardIdAndTableNameComeFromTheStreamArn() {
        assertThat(LambdaRecords.shardIdFor(ARN)).isEqualTo("stream/2024-05-01T12:00:00.000");
        assertThat(LambdaRecords.shardIdFor(null)).isEqualTo("stream/unknown");
        assertThat(LambdaRecords.shardIdFor("arn:aws:dynamodb:us-east-1:1:table/T")).isEqualTo("stream/unknown");
        assertThat(LambdaRecords.tableName(ARN)).isEqualTo("Orders");
        assertThat(LambdaRecords.tableName("arn:aws:dynamodb:us-east-1:1:table/T")).isEqualTo("T");
        assertThat(LambdaRecords.tableName("nonsense")).isNull();
    }

    @Test
    void defaultDedupKeyIsTheEventIdButAProcessorsOwnKeyWins() {
        StreamRecord<DynamodbEvent.DynamodbStreamRecord> raw = Fixtures.streamRecords("ttl-delete.json").get(0);
        StreamRecord<String> record = raw.withPayload("x");

        RecordProcessor<String> plain = RecordProcessor.of((r, c) -> { });
        assertThat(new EventIdDedupProcessor<>(plain).dedupKey(record)).isEqualTo("eccbc87e4b5ce2fe28308fd9f2a7baf3");

        RecordProcessor<String> ownKey = new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> r, RecordContext c) {
            }

            @Override
            public String dedupKey(StreamRecord<String> r) {
                return "order-42";
            }
        };
        assertThat(new EventIdDedupProcessor<>(ownKey).dedupKey(record)).isEqualTo("order-42");
        assertThat(new EventIdDedupProcessor<>(ownKey).isRetryable(new NonRetryableException("x"))).isFalse();
    }

    @Test
    void builderSaysWhatIsMissing() {
        ProcessingConfig config = ProcessingConfig.builder("orders").build();
        assertThatThrownBy(() -> DynamoDbStreamHandler.builder(Schemas.BEAN).config(config).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("processor");
        assertThatThrownBy(() -> DynamoDbStreamHandler.builder(Schemas.BEAN)
                .processor(RecordProcessor.of((r, c) -> { })).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("config");
        assertThatThrownBy(() -> DynamoDbStreamHandler.<Order>builder(null)
                .processor(RecordProcessor.of((r, c) -> { })).config(config).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("tableSchema");
    }

    @Test
    void watermarkDedupIsRefusedBecauseTheEventNamesNoShard() {
        ProcessingConfig config = ProcessingConfig.builder("orders")
                .dedupStore(readyStore()).dedupMode(DedupMode.WATERMARK).build();
        assertThatThrownBy(() -> DynamoDbStreamHandler.builder(Schemas.BEAN)
                .processor(RecordProcessor.of((r, c) -> { })).config(config).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DedupMode.WATERMARK keeps one watermark per shard, but Lambda's DynamoDB Streams events "
                        + "do not say which shard they hold. Use DedupMode.PER_RECORD (keyed by eventID) or "
                        + "DedupMode.TRANSACTIONAL.");
    }

    @Test
    void guardedDedupIsRefusedPlainlyBecauseTheEventNamesNoShard() {
        ProcessingConfig config = ProcessingConfig.builder("orders").dedupStore(readyStore())
                .dedupMode(DedupMode.GUARDED)
                .guardedClient(software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
                        .region(software.amazon.awssdk.regions.Region.EU_WEST_1)
                        .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider
                                .create()).build())
                .build();
        // The processor overrides nothing: the refusal must not be about a dedupKey override the user never wrote.
        assertThatThrownBy(() -> DynamoDbStreamHandler.builder(Schemas.BEAN)
                .processor(RecordProcessor.of((r, c) -> { })).config(config).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DedupMode.GUARDED records each record's stream position on the item it writes and "
                        + "compares positions within a shard, but Lambda's DynamoDB Streams events do not say which "
                        + "shard they hold. Use DedupMode.TRANSACTIONAL (a marker per eventID, committed with your "
                        + "writes) or DedupMode.PER_RECORD.");
    }

    /** A store whose checkReady passes; no other method is called by these tests. */
    static DedupStore readyStore() {
        return (DedupStore) Proxy.newProxyInstance(DedupStore.class.getClassLoader(), new Class<?>[]{DedupStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("checkReady")) {
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
