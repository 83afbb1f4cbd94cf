package io.shardwise.ddb;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.testkit.DynamoDbLocal;
import io.shardwise.testkit.FakeContext;
import io.shardwise.testkit.LocalEmulators;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.document.EnhancedDocument;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against DynamoDB Local: write, update and delete items of a NEW_AND_OLD_IMAGES table, read its stream with the
 * DynamoDB Streams API (DescribeStream, GetShardIterator, GetRecords), turn each shard's records into the
 * {@code DynamodbEvent} Lambda would send, and run the handler on it.
 */
class DynamoDbStreamHandlerIT {

    private static final String N38 = "12345678901234567890123456789012345678";

    private static DynamoDbLocal ddb;

    @BeforeAll
    static void start() {
        ddb = LocalEmulators.dynamoDb();
    }

    @Test
    void typedChangesAndChangedAttributesFromARealStream() throws Exception {
        String table = "it-orders-" + System.nanoTime();
        String streamArn = createTable(table, "customerId", "orderId");
        DynamoDbTable<Order> orders = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb.client()).build()
                .table(table, Schemas.BEAN);

        Order o1 = new Order();
        o1.setCustomerId("c-1");
        o1.setOrderId(1L);
        o1.setStatus("PLACED");
        o1.setTotal(new BigDecimal(N38));
        o1.setNote("leave at the door");
        o1.setTags(Set.of("gift", "express"));
        orders.putItem(o1);                                            // INSERT c-1/1

        Order o2 = new Order();
        o2.setCustomerId("c-2");
        o2.setOrderId(2L);
        o2.setStatus("PLACED");
        o2.setTotal(new BigDecimal("5.00"));
        orders.putItem(o2);                                            // INSERT c-2/2

        Order shipped = orders.getItem(Key.builder().partitionValue("c-1").sortValue(1).build());
        shipped.setStatus("SHIPPED");
        shipped.setNote(null);
        shipped.setShippedAt("2024-05-01T12:01:00Z");
        orders.putItem(shipped);                                       // MODIFY c-1/1 (note removed, shippedAt added)

        orders.putItem(shipped);                                       // identical put: DynamoDB writes no record
        orders.deleteItem(Key.builder().partitionValue("c-2").sortValue(2).build()); // REMOVE c-2/2

        List<String> seen = new CopyOnWriteArrayList<>();
        Map<String, List<String>> sequencePerItem = new LinkedHashMap<>();
        RecordProcessor<ChangeRecord<Order>> processor = RecordProcessor.of((r, c) -> {
            ChangeRecord<Order> change = r.payload();
            sequencePerItem.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(r.sequenceNumber());
            seen.add(change.eventName() + " " + change.keys().get("customerId").s() + " "
                    + change.changedAttributes() + " added=" + change.addedAttributes() + " removed="
                    + change.removedAttributes() + " status=" + change.newImage().map(Order::getStatus).orElse("-")
                    + " ttl=" + change.ttlDelete() + " dedup=" + c.dedupKey().equals(change.eventId()));
            if (change.eventName() == ChangeRecord.EventName.INSERT && change.keys().get("customerId").s().equals("c-1")) {
                assertThat(change.newImage().orElseThrow().getTotal().toPlainString()).isEqualTo(N38);
                assertThat(change.newImage().orElseThrow().getTags()).containsExactlyInAnyOrder("gift", "express");
            }
            if (change.eventName() == ChangeRecord.EventName.MODIFY) {
                assertThat(change.oldImage().orElseThrow().getNote()).isEqualTo("leave at the door");
                assertThat(change.newImage().orElseThrow().getShippedAt()).isEqualTo("2024-05-01T12:01:00Z");
            }
        });
        ProcessingConfig config = ProcessingConfig.builder("it-order-changes").metrics(false)
                .dedupStore(new InMemoryDedupStore()).build();

        List<BatchResult> results = new ArrayList<>();
        try (DynamoDbStreamHandler<Order> handler = DynamoDbStreamHandler.builder(Schemas.BEAN)
                .processor(processor).config(config).build()) {
            for (List<Record> shardRecords : readStream(streamArn)) {
                DynamodbEvent event = StreamsToLambdaEvent.toEvent(shardRecords, streamArn);
                results.add(handler.process(event, FakeContext.create()));
            }
        }

        assertThat(results).allSatisfy(r -> assertThat(r.allDone()).isTrue());
        assertThat(results.stream().flatMap(r -> r.outcomes().stream()).map(RecordOutcome::outcome))
                .containsOnly(Outcome.PROCESSED).hasSize(4);
        assertThat(seen).containsExactly(
                "INSERT c-1 [customerId, note, orderId, status, tags, total] added=[customerId, note, orderId, "
                        + "status, tags, total] removed=[] status=PLACED ttl=false dedup=true",
                "INSERT c-2 [customerId, orderId, status, total] added=[customerId, orderId, status, total] "
                        + "removed=[] status=PLACED ttl=false dedup=true",
                "MODIFY c-1 [note, shippedAt, status] added=[shippedAt] removed=[note] status=SHIPPED ttl=false "
                        + "dedup=true",
                "REMOVE c-2 [customerId, orderId, status, total] added=[] removed=[customerId, orderId, status, "
                        + "total] status=- ttl=false dedup=true");
        // Ordering validator: per item, strictly ascending sequence numbers.
        assertThat(sequencePerItem).hasSize(2);
        sequencePerItem.values().forEach(seqs -> assertThat(seqs.stream().map(BigDecimal::new).toList())
                .isSortedAccordingTo(BigDecimal::compareTo).doesNotHaveDuplicates());
    }

    @Test
    void everyAttributeTypeSurvivesTheRealStreamPath() throws Exception {
        String table = "it-things-" + System.nanoTime();
        String streamArn = createTable(table, "id", null);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", AttributeValue.fromS("thing-1"));
        item.put("s", AttributeValue.fromS("h\u00e9llo \"q\" \u2603"));
        item.put("n38", AttributeValue.fromN(N38));
        item.put("nTiny", AttributeValue.fromN("-1E-130"));
        item.put("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{0, 1, (byte) 0xFF})));
        item.put("yes", AttributeValue.fromBool(true));
        item.put("nothing", AttributeValue.fromNul(true));
        item.put("ss", AttributeValue.fromSs(List.of("a", "b")));
        item.put("ns", AttributeValue.fromNs(List.of("1", N38)));
        item.put("bs", AttributeValue.fromBs(List.of(SdkBytes.fromByteArray(new byte[]{1}))));
        item.put("emptyL", AttributeValue.fromL(List.of()));
        item.put("emptyM", AttributeValue.fromM(Map.of()));
        item.put("m", AttributeValue.fromM(Map.of("l", AttributeValue.fromL(List.of(
                AttributeValue.fromM(Map.of("deep", AttributeValue.fromN("-0.5"))), AttributeValue.fromL(List.of()))))));
        ddb.client().putItem(b -> b.tableName(table).item(item));

        List<ChangeRecord<EnhancedDocument>> changes = new CopyOnWriteArrayList<>();
        try (DynamoDbStreamHandler<EnhancedDocument> handler = DynamoDbStreamHandler.builder(Schemas.document("id"))
                .processor(RecordProcessor.of((r, c) -> changes.add(r.payload())))
                .config(ProcessingConfig.builder("it-things").metrics(false).build()).build()) {
            for (List<Record> shardRecords : readStream(streamArn)) {
                assertThat(handler.process(StreamsToLambdaEvent.toEvent(shardRecords, streamArn), FakeContext.create())
                        .allDone()).isTrue();
            }
        }

        assertThat(changes).hasSize(1);
        Map<String, AttributeValue> image = changes.get(0).newImageAttributes().orElseThrow();
        assertThat(image.keySet()).isEqualTo(item.keySet());
        item.forEach((name, value) -> assertThat(image.get(name)).as(name).satisfies(
                actual -> assertThat(io.shardwise.ddb.internal.AttributeValues.equivalent(actual, value)).isTrue()));
        assertThat(image.get("n38").n()).isEqualTo(N38);
        assertThat(changes.get(0).newImage().orElseThrow().getNumber("n38").bigDecimalValue())
                .isEqualTo(new BigDecimal(N38));
    }

    private static String createTable(String table, String hashKey, String rangeKey) {
        DynamoDbClient client = ddb.client();
        List<KeySchemaElement> keys = new ArrayList<>();
        List<AttributeDefinition> defs = new ArrayList<>();
        keys.add(KeySchemaElement.builder().attributeName(hashKey).keyType(KeyType.HASH).build());
        defs.add(AttributeDefinition.builder().attributeName(hashKey).attributeType(ScalarAttributeType.S).build());
        if (rangeKey != null) {
            keys.add(KeySchemaElement.builder().attributeName(rangeKey).keyType(KeyType.RANGE).build());
            defs.add(AttributeDefinition.builder().attributeName(rangeKey).attributeType(ScalarAttributeType.N).build());
        }
        client.createTable(b -> b.tableName(table).keySchema(keys).attributeDefinitions(defs)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .streamSpecification(StreamSpecification.builder().streamEnabled(true)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build()));
        return client.describeTable(b -> b.tableName(table)).table().latestStreamArn();
    }

    /** Each shard's records in order, parents before children, as Lambda would deliver them (one shard a batch). */
    private static List<List<Record>> readStream(String streamArn) {
        DynamoDbStreamsClient streams = ddb.streamsClient();
        List<Shard> shards = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards();
        List<List<Record>> perShard = new ArrayList<>();
        for (Shard shard : shards) {
            String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            List<Record> records = new ArrayList<>();
            for (int polls = 0; iterator != null && polls < 20; polls++) {
                String it = iterator;
                GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(it).limit(1000));
                records.addAll(page.records());
                if (page.records().isEmpty()) {
                    break;
                }
                iterator = page.nextShardIterator();
            }
            if (!records.isEmpty()) {
                perShard.add(records);
            }
        }
        return perShard;
    }
}
