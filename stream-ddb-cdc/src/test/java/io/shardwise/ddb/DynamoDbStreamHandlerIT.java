package io.shardwise.ddb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.testkit.esm.Checkpoint;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.esm.Invocation;
import io.shardwise.testkit.junit.LocalStreams;
import io.shardwise.testkit.junit.LocalStreamsExtension;
import io.shardwise.testkit.junit.TestTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.document.EnhancedDocument;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DynamoDbStreamHandler} end to end, as Lambda runs it: items written, updated and deleted in the embedded DynamoDB engine,
 * whose table stream the local event source mapping runner reads ({@code DescribeStream}, {@code GetShardIterator},
 * {@code GetRecords}) and delivers as Lambda's {@code DynamodbEvent} ({@code ReportBatchItemFailures}, small
 * batches), deserialized by the Lambda Java runtime's own serializer.
 *
 * <p>Everything is written before the runner starts, so the stream's one shard is read in one page and the batches
 * are exact. Records are named {@code w1}, {@code w2}, … in the order they were written (= stream order).
 */
@ExtendWith(LocalStreamsExtension.class)
class DynamoDbStreamHandlerIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String N38 = "12345678901234567890123456789012345678";

    @Test
    void typedChangesReachTheProcessorInOrderPerItemWithARetryAndAParkedRecord(LocalStreams streams) {
        TestTable table = streams.createTable(LocalStreams.uniqueName("orders"), b -> b
                .keySchema(key("customerId", KeyType.HASH), key("orderId", KeyType.RANGE))
                .attributeDefinitions(attribute("customerId", ScalarAttributeType.S),
                        attribute("orderId", ScalarAttributeType.N)));
        DynamoDbTable<Order> orders = DynamoDbEnhancedClient.builder().dynamoDbClient(streams.dynamoDb()).build()
                .table(table.name(), Schemas.BEAN);
        DynamoDbClient client = streams.dynamoDb();

        orders.putItem(order("c-1", 1, "PLACED", N38, "leave at the door", Set.of("gift", "express"))); // w1
        orders.putItem(order("c-2", 2, "PLACED", "5.00", null, null));                                  // w2
        orders.putItem(order("c-1", 3, "PLACED", "7", null, null));                                     // w3
        Order shipped = orders.getItem(Key.builder().partitionValue("c-1").sortValue(1).build());
        shipped.setStatus("SHIPPED");
        shipped.setNote(null);
        shipped.setShippedAt("2024-05-01T12:01:00Z");
        orders.putItem(shipped);                                                                        // w4
        orders.putItem(shipped); // identical: DynamoDB writes no stream record
        client.updateItem(b -> b.tableName(table.name())                                                // w5
                .key(Map.of("customerId", AttributeValue.fromS("c-2"), "orderId", AttributeValue.fromN("2")))
                .updateExpression("SET #total = :total ADD #tags :vip")
                .expressionAttributeNames(Map.of("#total", "total", "#tags", "tags"))
                .expressionAttributeValues(Map.of(":total", AttributeValue.fromN("5"),
                        ":vip", AttributeValue.fromSs(List.of("vip")))));
        orders.putItem(order("c-1", 3, "CANCELLED", "7", null, null));                                  // w6
        orders.deleteItem(Key.builder().partitionValue("c-2").sortValue(2).build());                    // w7
        shipped.setStatus("DELIVERED");
        orders.putItem(shipped);                                                                        // w8
        orders.deleteItem(Key.builder().partitionValue("c-1").sortValue(3).build());                    // w9
        client.putItem(b -> b.tableName(table.name()).item(Map.of(                                      // w10
                "customerId", AttributeValue.fromS("c-3"), "orderId", AttributeValue.fromN("4"),
                "total", AttributeValue.fromS("not-a-number"))));

        OrderValidator order = OrderValidator.wholeShard();
        ChangeLog<Order> log = new ChangeLog<>(order, change -> describe(change),
                change -> change.eventName() == ChangeRecord.EventName.MODIFY && itemKey(change).equals("c-1/3"));
        List<ParkedRecord> parked = new CopyOnWriteArrayList<>();
        ProcessingConfig config = ProcessingConfig.builder("order-changes-it").metrics(false)
                .dedupStore(DynamoDbDedupStore.builder(client, dedupTable(streams)).build())
                .failureSink(parked::add).build();
        EventSourceMappingRunner runner;
        try (DynamoDbStreamHandler<Order> handler = DynamoDbStreamHandler.builder(Schemas.BEAN).processor(log)
                .config(config).build()) {
            runner = streams.runDynamoDb(table,
                    EventSourceMapping.builder().batchSize(3).reportBatchItemFailures(true).build(), handler);
            runner.awaitDrained(WAIT);
        }

        Labels w = new Labels(runner);
        assertThat(w.size()).isEqualTo(10);
        assertThat(w.invocations()).containsExactly(
                "[w1 w2 w3] SUCCESS",
                "[w4 w5 w6] PARTIAL_FAILURE@w6",
                "[w6 w7 w8] SUCCESS retry 1",
                "[w9 w10] SUCCESS");
        assertThat(w.checkpoints()).containsExactly("w3", "w5", "w8", "w10");
        assertThat(log.calls(w)).containsExactly(
                "w1@1", "w2@1", "w3@1", "w4@1", "w5@1", "w6@1!", "w6@2", "w7@1", "w8@1", "w9@1");
        assertThat(log.effects(w)).containsExactly(
                "w1 INSERT c-1/1 changed=[customerId, note, orderId, status, tags, total] "
                        + "added=[customerId, note, orderId, status, tags, total] removed=[] -/PLACED",
                "w2 INSERT c-2/2 changed=[customerId, orderId, status, total] "
                        + "added=[customerId, orderId, status, total] removed=[] -/PLACED",
                "w3 INSERT c-1/3 changed=[customerId, orderId, status, total] "
                        + "added=[customerId, orderId, status, total] removed=[] -/PLACED",
                "w4 MODIFY c-1/1 changed=[note, shippedAt, status] added=[shippedAt] removed=[note] PLACED/SHIPPED",
                // 5.00 -> 5 is the same number: only the tags changed
                "w5 MODIFY c-2/2 changed=[tags] added=[tags] removed=[] PLACED/PLACED",
                "w6 MODIFY c-1/3 changed=[status] added=[] removed=[] PLACED/CANCELLED",
                "w7 REMOVE c-2/2 changed=[customerId, orderId, status, tags, total] added=[] "
                        + "removed=[customerId, orderId, status, tags, total] PLACED/-",
                "w8 MODIFY c-1/1 changed=[status] added=[] removed=[] SHIPPED/DELIVERED",
                "w9 REMOVE c-1/3 changed=[customerId, orderId, status, total] added=[] "
                        + "removed=[customerId, orderId, status, total] CANCELLED/-");
        assertThat(log.eventNamesPerItem()).containsExactly(
                Map.entry("c-1/1", List.of("INSERT", "MODIFY", "MODIFY")),
                Map.entry("c-2/2", List.of("INSERT", "MODIFY", "REMOVE")),
                Map.entry("c-1/3", List.of("INSERT", "MODIFY", "REMOVE")));

        // Typed images: the bean's own types, at full precision, old and new side by side.
        Map<String, ChangeRecord<Order>> byLabel = log.changesByLabel(w);
        Order inserted = byLabel.get("w1").newImage().orElseThrow();
        assertThat(inserted.getTotal().toPlainString()).isEqualTo(N38);
        assertThat(inserted.getTags()).containsExactlyInAnyOrder("gift", "express");
        assertThat(byLabel.get("w1").oldImage()).isEmpty();
        assertThat(byLabel.get("w4").oldImage().orElseThrow().getNote()).isEqualTo("leave at the door");
        assertThat(byLabel.get("w4").newImage().orElseThrow().getNote()).isNull();
        assertThat(byLabel.get("w4").newImage().orElseThrow().getShippedAt()).isEqualTo("2024-05-01T12:01:00Z");
        assertThat(byLabel.get("w5").oldImage().orElseThrow().getTotal()).isEqualByComparingTo("5");
        assertThat(byLabel.get("w5").newImage().orElseThrow().getTags()).containsExactly("vip");
        assertThat(byLabel.get("w7").newImage()).isEmpty();
        assertThat(byLabel.get("w7").oldImage().orElseThrow().getTags()).containsExactly("vip");
        assertThat(byLabel.values()).allSatisfy(change -> {
            assertThat(change.streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
            assertThat(change.tableName()).isEqualTo(table.name());
            assertThat(change.ttlDelete()).isFalse();
        });
        assertThat(log.dedupKeys).as("the default dedup key is the eventID").containsExactlyElementsOf(
                log.effects.stream().map(e -> e.change().eventId()).toList());

        // An image that does not fit the bean (total is a string) is parked with the stream record's JSON.
        assertThat(parked).singleElement().satisfies(p -> {
            assertThat(w.label(p.sequenceNumber())).isEqualTo("w10");
            assertThat(p.errorClass()).isEqualTo("io.shardwise.core.NonRetryableException");
            assertThat(p.attempts()).isEqualTo(1);
            assertThat(p.partitionKey()).isEqualTo("{\"customerId\":{\"S\":\"c-3\"},\"orderId\":{\"N\":\"4\"}}");
            JsonNode json = new ObjectMapper().readTree(p.payload());
            assertThat(json.path("eventID").asText()).isEqualTo(p.eventId());
            assertThat(json.path("eventName").asText()).isEqualTo("INSERT");
            assertThat(json.path("eventSourceARN").asText()).isEqualTo(table.streamArn());
            assertThat(json.path("dynamodb").path("SequenceNumber").asText()).isEqualTo(p.sequenceNumber());
            assertThat(json.path("dynamodb").path("NewImage").path("total").path("S").asText())
                    .isEqualTo("not-a-number");
        });
        order.assertOrdered();
        assertThat(order.effects()).isEqualTo(9);
    }

    @Test
    void everyAttributeTypeSurvivesTheRealStreamPath(LocalStreams streams) {
        TestTable table = streams.createTable("id");
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
        table.put(item);

        OrderValidator order = OrderValidator.wholeShard();
        ChangeLog<EnhancedDocument> log = new ChangeLog<>(order, change -> change.eventName().toString(), c -> false);
        EventSourceMappingRunner runner;
        try (DynamoDbStreamHandler<EnhancedDocument> handler = DynamoDbStreamHandler.builder(Schemas.document("id"))
                .processor(log).config(ProcessingConfig.builder("things-it").metrics(false).build()).build()) {
            runner = streams.runDynamoDb(table, EventSourceMapping.builder().reportBatchItemFailures(true).build(),
                    handler);
            runner.awaitDrained(WAIT);
        }

        assertThat(runner.invocations()).extracting(Invocation::outcome).containsExactly(Invocation.Outcome.SUCCESS);
        assertThat(log.effects).hasSize(1);
        ChangeRecord<EnhancedDocument> change = log.effects.get(0).change();
        Map<String, AttributeValue> image = change.newImageAttributes().orElseThrow();
        assertThat(image.keySet()).isEqualTo(item.keySet());
        item.forEach((name, value) -> assertThat(image.get(name)).as(name).satisfies(
                actual -> assertThat(io.shardwise.ddb.internal.AttributeValues.equivalent(actual, value)).isTrue()));
        assertThat(image.get("n38").n()).isEqualTo(N38);
        assertThat(change.newImage().orElseThrow().getNumber("n38").bigDecimalValue()).isEqualTo(new BigDecimal(N38));
        order.assertOrdered();
    }

    @Test
    void aKeysOnlyStreamServesAProcessorThatReadsKeysAndParksOneThatReadsImages(LocalStreams streams) {
        TestTable table = streams.createTable("id", StreamViewType.KEYS_ONLY);
        table.put(Map.of("id", AttributeValue.fromS("k1"), "v", AttributeValue.fromN("1")));   // w1
        table.put(Map.of("id", AttributeValue.fromS("k2"), "v", AttributeValue.fromN("1")));   // w2
        table.put(Map.of("id", AttributeValue.fromS("k1"), "v", AttributeValue.fromN("2")));   // w3
        table.delete(Map.of("id", AttributeValue.fromS("k2")));                                 // w4
        table.put(Map.of("id", AttributeValue.fromS("k3"), "v", AttributeValue.fromN("1")));   // w5
        table.delete(Map.of("id", AttributeValue.fromS("k1")));                                 // w6

        OrderValidator order = OrderValidator.wholeShard();
        ChangeLog<EnhancedDocument> keys = new ChangeLog<>(order, change -> change.eventName() + " "
                + change.keys().get("id").s() + " " + change.streamViewType() + " images=" + change.carriesNewImages()
                + "/" + change.carriesOldImages(), c -> false);
        List<ParkedRecord> parked = new CopyOnWriteArrayList<>();
        RecordProcessor<ChangeRecord<EnhancedDocument>> readsImages = RecordProcessor.of(
                (record, context) -> record.payload().newImage());
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(4).reportBatchItemFailures(true).build();
        EventSourceMappingRunner keysRunner;
        EventSourceMappingRunner imagesRunner;
        try (DynamoDbStreamHandler<EnhancedDocument> keysHandler = DynamoDbStreamHandler
                .builder(Schemas.document("id")).processor(keys)
                .config(ProcessingConfig.builder("keys-it").metrics(false).build()).build();
             DynamoDbStreamHandler<EnhancedDocument> imagesHandler = DynamoDbStreamHandler
                     .builder(Schemas.document("id")).processor(readsImages)
                     .config(ProcessingConfig.builder("images-it").metrics(false).failureSink(parked::add).build())
                     .build()) {
            keysRunner = streams.runDynamoDb(table, mapping, keysHandler);
            imagesRunner = streams.runDynamoDb(table, EventSourceMapping.builder().batchSize(4)
                    .reportBatchItemFailures(true).build(), imagesHandler);
            keysRunner.awaitDrained(WAIT);
            imagesRunner.awaitDrained(WAIT);
        }

        Labels w = new Labels(keysRunner);
        assertThat(w.invocations()).containsExactly("[w1 w2 w3 w4] SUCCESS", "[w5 w6] SUCCESS");
        assertThat(keys.effects(w)).containsExactly(
                "w1 INSERT k1 KEYS_ONLY images=false/false",
                "w2 INSERT k2 KEYS_ONLY images=false/false",
                "w3 MODIFY k1 KEYS_ONLY images=false/false",
                "w4 REMOVE k2 KEYS_ONLY images=false/false",
                "w5 INSERT k3 KEYS_ONLY images=false/false",
                "w6 REMOVE k1 KEYS_ONLY images=false/false");
        assertThat(keys.eventNamesPerItem()).containsExactly(
                Map.entry("k1", List.of("INSERT", "MODIFY", "REMOVE")),
                Map.entry("k2", List.of("INSERT", "REMOVE")),
                Map.entry("k3", List.of("INSERT")));
        order.assertOrdered();
        assertThat(order.effects()).isEqualTo(6);

        // Reading an image the stream does not carry parks the record (non-retryable), never fails the batch.
        assertThat(new Labels(imagesRunner).invocations()).containsExactly("[w1 w2 w3 w4] SUCCESS", "[w5 w6] SUCCESS");
        assertThat(parked).extracting(p -> w.label(p.sequenceNumber()) + " " + p.errorClass())
                .containsExactly("w1 io.shardwise.ddb.MissingImageException",
                        "w2 io.shardwise.ddb.MissingImageException", "w3 io.shardwise.ddb.MissingImageException",
                        "w4 io.shardwise.ddb.MissingImageException", "w5 io.shardwise.ddb.MissingImageException",
                        "w6 io.shardwise.ddb.MissingImageException");
        assertThat(parked).allSatisfy(p -> assertThat(p.errorMessage()).contains("KEYS_ONLY"));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static Order order(String customerId, long orderId, String status, String total, String note,
                               Set<String> tags) {
        Order o = new Order();
        o.setCustomerId(customerId);
        o.setOrderId(orderId);
        o.setStatus(status);
        o.setTotal(new BigDecimal(total));
        o.setNote(note);
        o.setTags(tags);
        return o;
    }

    private static String itemKey(ChangeRecord<?> change) {
        return change.keys().get("customerId").s() + "/" + change.keys().get("orderId").n();
    }

    private static String describe(ChangeRecord<Order> change) {
        return change.eventName() + " " + itemKey(change) + " changed=" + change.changedAttributes() + " added="
                + change.addedAttributes() + " removed=" + change.removedAttributes() + " "
                + change.oldImage().map(Order::getStatus).orElse("-") + "/"
                + change.newImage().map(Order::getStatus).orElse("-");
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    /** A dedup table as docs/dedup.md describes it: partition key {@code id} (S), TTL on {@code expiration}. */
    private static String dedupTable(LocalStreams streams) {
        TestTable table = streams.createTable(LocalStreams.uniqueName("dedup"), b -> b
                .keySchema(key("id", KeyType.HASH)).attributeDefinitions(attribute("id", ScalarAttributeType.S))
                .streamSpecification(s -> s.streamEnabled(false)));
        streams.dynamoDb().updateTimeToLive(b -> b.tableName(table.name())
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiration")));
        return table.name();
    }

    /**
     * The processor under test: records each call ({@code label@attempt}, {@code !} when it threw) and each effect
     * with the typed change, in order, and feeds the {@link OrderValidator}. Fails (retryably) the first call of
     * each change that {@code failOnce} selects.
     */
    static final class ChangeLog<T> extends RecordProcessor<ChangeRecord<T>> {
        interface Describer<T> {
            String describe(ChangeRecord<T> change);
        }

        interface Selector<T> {
            boolean test(ChangeRecord<T> change);
        }

        record Effect<T>(String sequenceNumber, String itemKey, String description, ChangeRecord<T> change) {
        }

        record Call(String sequenceNumber, int attempt, boolean failed) {
        }

        final OrderValidator order;
        final Describer<T> describer;
        final Selector<T> failOnce;
        final List<Effect<T>> effects = new CopyOnWriteArrayList<>();
        final List<Call> calls = new CopyOnWriteArrayList<>();
        final List<String> dedupKeys = new CopyOnWriteArrayList<>();
        final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

        ChangeLog(OrderValidator order, Describer<T> describer, Selector<T> failOnce) {
            this.order = order;
            this.describer = describer;
            this.failOnce = failOnce;
        }

        @Override
        public void process(StreamRecord<ChangeRecord<T>> record, RecordContext context) {
            ChangeRecord<T> change = record.payload();
            boolean fail = failOnce.test(change) && failedOnce.add(change.eventId());
            calls.add(new Call(record.sequenceNumber(), context.attempt(), fail));
            if (fail) {
                throw new IllegalStateException("downstream unavailable for " + change.eventName() + " "
                        + record.sequenceNumber());
            }
            String itemKey = change.keys().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getValue().s() != null ? e.getValue().s() : e.getValue().n())
                    .collect(Collectors.joining("/"));
            synchronized (this) {
                effects.add(new Effect<>(record.sequenceNumber(), itemKey, describer.describe(change), change));
                dedupKeys.add(context.dedupKey());
                order.effect(record);
            }
        }

        List<String> calls(Labels w) {
            return calls.stream().map(c -> w.label(c.sequenceNumber()) + "@" + c.attempt() + (c.failed() ? "!" : ""))
                    .toList();
        }

        List<String> effects(Labels w) {
            return effects.stream().map(e -> w.label(e.sequenceNumber()) + " " + e.description()).toList();
        }

        Map<String, ChangeRecord<T>> changesByLabel(Labels w) {
            Map<String, ChangeRecord<T>> byLabel = new LinkedHashMap<>();
            effects.forEach(e -> byLabel.put(w.label(e.sequenceNumber()), e.change()));
            return byLabel;
        }

        /** The event names each item went through, items in the order of their first change. */
        Map<String, List<String>> eventNamesPerItem() {
            Map<String, List<String>> perItem = new LinkedHashMap<>();
            effects.forEach(e -> perItem.computeIfAbsent(e.itemKey(), k -> new ArrayList<>())
                    .add(e.change().eventName().toString()));
            return perItem;
        }
    }

    /** Names a runner's records {@code w1}, {@code w2}, … in sequence-number order, which is the order written. */
    static final class Labels {
        private final EventSourceMappingRunner runner;
        private final Map<String, String> bySequence = new HashMap<>();

        Labels(EventSourceMappingRunner runner) {
            this.runner = runner;
            List<String> all = runner.invocations().stream().flatMap(i -> i.sequenceNumbers().stream()).distinct()
                    .sorted(Comparator.comparing(BigInteger::new)).toList();
            for (int i = 0; i < all.size(); i++) {
                bySequence.put(all.get(i), "w" + (i + 1));
            }
        }

        int size() {
            return bySequence.size();
        }

        String label(String sequenceNumber) {
            return bySequence.getOrDefault(sequenceNumber, "?" + sequenceNumber);
        }

        /** The invocations, by label: {@code [first … last] OUTCOME[@failed][ retry n]}. */
        List<String> invocations() {
            return runner.invocations().stream().map(i -> i.sequenceNumbers().stream().map(this::label)
                    .collect(Collectors.joining(" ", "[", "]")) + " " + i.outcome()
                    + (i.failedSequenceNumber() != null ? "@" + label(i.failedSequenceNumber()) : "")
                    + (i.retryAttempt() > 0 ? " retry " + i.retryAttempt() : "")
                    + (i.error() != null ? " (" + i.error() + ")" : "")).toList();
        }

        /** The checkpoints saved, by label, without {@code SHARD_END}. */
        List<String> checkpoints() {
            return runner.checkpoints().stream().filter(c -> !c.isShardEnd()).map(Checkpoint::sequenceNumber)
                    .map(this::label).toList();
        }
    }
}
