package io.shardwise.examples.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.testkit.EmbeddedDynamoDb;
import io.shardwise.testkit.KinesisMock;
import io.shardwise.testkit.LocalEmulators;
import io.shardwise.testkit.esm.CheckpointStore;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.esm.Invocation;
import io.shardwise.testkit.esm.StreamSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox end to end: the embedded DynamoDB engine's stream, the test kit's event source mapping, kinesis-mock as the events
 * stream. A change is published once, in order per order, and a redelivered stream publishes nothing again.
 */
class OrderOutboxIT {

    private static EmbeddedDynamoDb dynamoDb;
    private static KinesisMock kinesis;

    @BeforeAll
    static void emulators() {
        dynamoDb = LocalEmulators.dynamoDb();
        kinesis = LocalEmulators.kinesis();
    }

    @Test
    void publishesEachChangeOnceInOrderAndNothingAgainOnRedelivery() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String ordersTable = "orders-" + suffix;
        String dedupTable = "dedup-" + suffix;
        String eventsStream = "order-events-" + suffix;
        dynamoDb.client().createTable(b -> b.tableName(ordersTable).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("orderId").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("orderId").keyType(KeyType.HASH))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
        dynamoDb.client().createTable(b -> b.tableName(dedupTable).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH)));
        kinesis.client().createStream(b -> b.streamName(eventsStream).shardCount(1));
        while (kinesis.client().describeStreamSummary(b -> b.streamName(eventsStream)).streamDescriptionSummary()
                .streamStatus() != StreamStatus.ACTIVE) {
            Thread.sleep(20);
        }
        String streamArn = dynamoDb.client().describeTable(b -> b.tableName(ordersTable)).table().latestStreamArn();
        List<ParkedRecord> parked = new CopyOnWriteArrayList<>();
        OrderOutboxHandler handler = new OrderOutboxHandler(new OrderOutboxProcessor(kinesis.client(), eventsStream),
                OrderOutboxHandler.config("order-outbox-it", dynamoDb.client(), dedupTable, parked::add)
                        .metrics(false).build());
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(10).reportBatchItemFailures(true)
                .bisectBatchOnFunctionError(true).maximumRetryAttempts(3).build();

        DynamoDbTable<Order> orders = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamoDb.client()).build()
                .table(ordersTable, OrderOutboxHandler.ORDER_SCHEMA);
        try (EventSourceMappingRunner runner = EventSourceMappingRunner.forDynamoDb(
                StreamSource.dynamoDb(dynamoDb.streamsClient(), streamArn), mapping, handler).start()) {
            Order a = new Order("o-1", "c-1", "PLACED", new BigDecimal("10.00"), "EUR", Instant.parse("2025-03-01T10:00:00Z"));
            Order b = new Order("o-2", "c-2", "PLACED", new BigDecimal("20.00"), "EUR", Instant.parse("2025-03-01T10:01:00Z"));
            orders.putItem(a);
            orders.putItem(b);
            a.setStatus("PAID");
            orders.putItem(a);
            a.setExpiresAt(1_900_000_000L); // not a status change: no event
            orders.putItem(a);
            a.setStatus("SHIPPED");
            orders.putItem(a);
            orders.deleteItem(Key.builder().partitionValue("o-2").build());
            runner.awaitDrained(Duration.ofSeconds(60));
            assertThat(runner.invocations()).extracting(Invocation::outcome).containsOnly(Invocation.Outcome.SUCCESS);
        }
        List<String> published = events(eventsStream);
        assertThat(published).containsExactly(
                "OrderPlaced o-1 PLACED", "OrderPlaced o-2 PLACED", "OrderStatusChanged o-1 PAID<-PLACED",
                "OrderStatusChanged o-1 SHIPPED<-PAID", "OrderDeleted o-2 PLACED");

        // The whole stream again, through a mapping with fresh checkpoints: every change is a known duplicate.
        try (EventSourceMappingRunner replay = EventSourceMappingRunner.forDynamoDb(
                StreamSource.dynamoDb(dynamoDb.streamsClient(), streamArn),
                mapping.toBuilder().uuid(null).checkpointStore(CheckpointStore.inMemory()).build(), handler).start()) {
            replay.awaitDrained(Duration.ofSeconds(60));
            assertThat(replay.invocations()).isNotEmpty();
        }
        assertThat(events(eventsStream)).isEqualTo(published);
        assertThat(parked).isEmpty();
    }

    private static List<String> events(String stream) {
        List<String> events = new ArrayList<>();
        String shard = kinesis.client().listShards(b -> b.streamName(stream)).shards().get(0).shardId();
        String iterator = kinesis.client().getShardIterator(b -> b.streamName(stream).shardId(shard)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        while (iterator != null) {
            String current = iterator;
            GetRecordsResponse page = kinesis.client().getRecords(b -> b.shardIterator(current));
            for (Record r : page.records()) {
                try {
                    JsonNode e = OrderOutboxProcessor.JSON.readTree(r.data().asByteArray());
                    assertThat(r.partitionKey()).isEqualTo(e.path("orderId").asText());
                    events.add(e.path("type").asText() + " " + e.path("orderId").asText() + " "
                            + e.path("status").asText()
                            + (e.has("previousStatus") ? "<-" + e.path("previousStatus").asText() : ""));
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
            iterator = page.records().isEmpty() ? null : page.nextShardIterator();
        }
        return events;
    }
}
