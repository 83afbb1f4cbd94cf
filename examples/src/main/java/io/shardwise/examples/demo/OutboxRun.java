package io.shardwise.examples.demo;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.examples.outbox.Order;
import io.shardwise.examples.outbox.OrderOutboxHandler;
import io.shardwise.examples.outbox.OrderOutboxProcessor;
import io.shardwise.testkit.EmbeddedDynamoDb;
import io.shardwise.testkit.EmbeddedSqs;
import io.shardwise.testkit.KinesisMock;
import io.shardwise.testkit.esm.CheckpointStore;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import io.shardwise.testkit.esm.StartingPosition;
import io.shardwise.testkit.esm.StreamSource;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The outbox part of the demo: an application writes orders (inserts, status changes, other updates, deletes)
 * through the Enhanced Client; {@link OrderOutboxHandler} behind the local event source mapping publishes domain
 * events onto a Kinesis stream; then a second mapping replays the whole DynamoDB stream from TRIM_HORIZON (as after
 * re-creating a mapping) and publishes nothing again.
 */
final class OutboxRun {

    static final String ORDERS_TABLE = "orders";
    static final String EVENTS_STREAM = "order-events";
    static final String PARKING_QUEUE = "order-outbox-parked";
    static final String CONSUMER = OrderOutboxHandler.DEFAULT_CONSUMER_NAME;
    private static final int ORDERS = 40;
    private static final int PAID = 25;
    private static final int SHIPPED = 10;
    private static final int OTHER_UPDATES = 10;
    private static final int DELETED = 8;

    record Result(String changes, String published, String replay, boolean ok, List<String> problems) {
    }

    private final EmbeddedDynamoDb dynamoDb;
    private final KinesisMock kinesisMock;
    private final EmbeddedSqs sqs;
    private final String dedupTable;
    private final long seed;
    private final PrintStream out;

    OutboxRun(EmbeddedDynamoDb dynamoDb, KinesisMock kinesisMock, EmbeddedSqs sqs, String dedupTable, long seed,
              PrintStream out) {
        this.dynamoDb = dynamoDb;
        this.kinesisMock = kinesisMock;
        this.sqs = sqs;
        this.dedupTable = dedupTable;
        this.seed = seed;
        this.out = out;
    }

    Result run() throws InterruptedException {
        KinesisClient kinesis = kinesisMock.client();
        kinesis.createStream(b -> b.streamName(EVENTS_STREAM).shardCount(1));
        while (kinesis.describeStreamSummary(b -> b.streamName(EVENTS_STREAM)).streamDescriptionSummary()
                .streamStatus() != StreamStatus.ACTIVE) {
            Thread.sleep(50);
        }
        dynamoDb.client().createTable(b -> b.tableName(ORDERS_TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("orderId").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("orderId").keyType(KeyType.HASH))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
        String streamArn = dynamoDb.client().describeTable(b -> b.tableName(ORDERS_TABLE)).table().latestStreamArn();
        String parkingUrl = sqs.createQueue(PARKING_QUEUE);

        ProcessingConfig config = OrderOutboxHandler.config(CONSUMER, dynamoDb.client(), dedupTable,
                        SqsFailureSink.builder().client(sqs.client()).queueUrl(parkingUrl).build())
                .metrics(false)
                .build();
        OrderOutboxHandler handler = new OrderOutboxHandler(new OrderOutboxProcessor(kinesis, EVENTS_STREAM), config);
        EventSourceMapping mapping = EventSourceMapping.builder()
                .functionName(CONSUMER)
                .batchSize(50)
                .maximumBatchingWindow(Duration.ofMillis(200))
                .startingPosition(StartingPosition.TRIM_HORIZON)
                .reportBatchItemFailures(true)
                .bisectBatchOnFunctionError(true)
                .maximumRetryAttempts(10)
                .pollInterval(Duration.ofMillis(250))
                .build();
        out.printf("  orders table %s (stream NEW_AND_OLD_IMAGES) -> %s -> Kinesis stream %s%n", ORDERS_TABLE,
                OrderOutboxHandler.class.getSimpleName(), EVENTS_STREAM);

        OutcomeTally first = new OutcomeTally();
        Map<String, List<String>> expectedPerOrder = new LinkedHashMap<>();
        try (EventSourceMappingRunner runner = EventSourceMappingRunner.forDynamoDb(
                StreamSource.dynamoDb(dynamoDb.streamsClient(), streamArn), mapping, counting(handler, first)).start()) {
            writeOrders(expectedPerOrder);
            runner.awaitDrained(Duration.ofMinutes(2));
        }
        List<JsonNode> events = readEvents(kinesis);
        Map<String, Long> byType = events.stream().collect(Collectors.groupingBy(e -> e.path("type").asText(),
                TreeMap::new, Collectors.counting()));
        out.printf("  published %d events: %s%n", events.size(), byType);

        // Replay the whole DynamoDB stream through a new mapping (fresh checkpoints), as Lambda would after the
        // mapping is re-created or a batch is redelivered: every change is a duplicate, nothing is published.
        OutcomeTally replay = new OutcomeTally();
        try (EventSourceMappingRunner runner = EventSourceMappingRunner.forDynamoDb(
                StreamSource.dynamoDb(dynamoDb.streamsClient(), streamArn), mapping.toBuilder().uuid(null).checkpointStore(CheckpointStore.inMemory()).build(),
                counting(handler, replay)).start()) {
            runner.awaitDrained(Duration.ofMinutes(2));
        }
        List<JsonNode> afterReplay = readEvents(kinesis);

        long changes = ORDERS + PAID + SHIPPED + OTHER_UPDATES + DELETED;
        List<String> problems = new ArrayList<>();
        expect(problems, "OrderPlaced events", ORDERS, byType.getOrDefault("OrderPlaced", 0L));
        expect(problems, "OrderStatusChanged events", PAID + SHIPPED, byType.getOrDefault("OrderStatusChanged", 0L));
        expect(problems, "OrderDeleted events", DELETED, byType.getOrDefault("OrderDeleted", 0L));
        expect(problems, "changes processed", changes, first.count(Outcome.PROCESSED));
        expect(problems, "changes skipped on replay", changes, replay.count(Outcome.SKIPPED_DUPLICATE));
        expect(problems, "events after the replay", events.size(), afterReplay.size());
        Set<String> eventIds = new HashSet<>();
        events.forEach(e -> eventIds.add(e.path("eventId").asText()));
        expect(problems, "distinct eventIds", events.size(), eventIds.size());
        Map<String, List<String>> actualPerOrder = new LinkedHashMap<>();
        for (JsonNode e : events) {
            actualPerOrder.computeIfAbsent(e.path("orderId").asText(), k -> new ArrayList<>())
                    .add(e.path("type").asText() + ":" + e.path("status").asText());
        }
        expectedPerOrder.forEach((orderId, expected) -> {
            if (!expected.equals(actualPerOrder.get(orderId))) {
                problems.add("order " + orderId + ": expected events " + expected + ", got "
                        + actualPerOrder.get(orderId));
            }
        });

        return new Result(
                String.format("%d (%d inserts, %d status changes, %d other updates, %d deletes)", changes, ORDERS,
                        PAID + SHIPPED, OTHER_UPDATES, DELETED),
                String.format("%d %s -> Kinesis stream %s; other updates published nothing; in order per order: %s",
                        events.size(), byType, EVENTS_STREAM, yes(problems.stream().noneMatch(p ->
                                p.startsWith("order ")))),
                String.format("whole DynamoDB stream redelivered from TRIM_HORIZON: %d of %d changes skipped as "
                                + "duplicates, %d events published again",
                        replay.count(Outcome.SKIPPED_DUPLICATE), changes, afterReplay.size() - events.size()),
                problems.isEmpty(), problems);
    }

    /** The application's writes, and the events each order must get, in order. */
    private void writeOrders(Map<String, List<String>> expectedPerOrder) {
        DynamoDbTable<Order> table = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamoDb.client()).build()
                .table(ORDERS_TABLE, OrderOutboxHandler.ORDER_SCHEMA);
        Random random = new Random(seed);
        List<Order> orders = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            Order order = new Order(String.format("o-%04d", i), String.format("c-%03d", random.nextInt(20)), "PLACED",
                    BigDecimal.valueOf(500 + random.nextInt(20_000), 2), "EUR", Instant.parse("2025-03-01T10:00:00Z")
                    .plusSeconds(i));
            table.putItem(order);
            orders.add(order);
            expected(expectedPerOrder, order, "OrderPlaced:PLACED");
        }
        for (int i = 0; i < PAID; i++) {
            setStatus(table, orders.get(i), "PAID", expectedPerOrder);
        }
        for (int i = 0; i < SHIPPED; i++) {
            setStatus(table, orders.get(i), "SHIPPED", expectedPerOrder);
        }
        for (int i = 0; i < OTHER_UPDATES; i++) {
            Order order = orders.get(ORDERS - 1 - i);
            order.setExpiresAt(Instant.parse("2026-03-01T00:00:00Z").getEpochSecond()); // not a status change
            table.putItem(order);
        }
        for (int i = 0; i < DELETED; i++) {
            Order order = orders.get(PAID - DELETED / 2 + i); // some paid, some only placed
            table.deleteItem(Key.builder().partitionValue(order.getOrderId()).build());
            expected(expectedPerOrder, order, "OrderDeleted:" + order.getStatus());
        }
    }

    private static void setStatus(DynamoDbTable<Order> table, Order order, String status,
                                  Map<String, List<String>> expectedPerOrder) {
        order.setStatus(status);
        table.putItem(order);
        expected(expectedPerOrder, order, "OrderStatusChanged:" + status);
    }

    private static void expected(Map<String, List<String>> expectedPerOrder, Order order, String event) {
        expectedPerOrder.computeIfAbsent(order.getOrderId(), k -> new ArrayList<>()).add(event);
    }

    private static RequestHandler<DynamodbEvent, StreamsEventResponse> counting(OrderOutboxHandler handler,
                                                                                OutcomeTally tally) {
        return (event, context) -> {
            BatchResult result = handler.process(event, context);
            tally.add(result, sequenceNumber -> "stream");
            return result.response();
        };
    }

    /** Every event on the events stream, in shard order. */
    private static List<JsonNode> readEvents(KinesisClient kinesis) {
        List<JsonNode> events = new ArrayList<>();
        for (Shard shard : kinesis.listShards(b -> b.streamName(EVENTS_STREAM)).shards()) {
            String iterator = kinesis.getShardIterator(b -> b.streamName(EVENTS_STREAM).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse page = kinesis.getRecords(b -> b.shardIterator(current).limit(1_000));
                for (Record r : page.records()) {
                    try {
                        events.add(OrderOutboxProcessor.JSON.readTree(r.data().asByteArray()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                // kinesis-mock returns every record up to the tip; an empty page means the end.
                iterator = page.records().isEmpty() ? null : page.nextShardIterator();
            }
        }
        return events;
    }

    private static void expect(List<String> problems, String what, long expected, long actual) {
        if (expected != actual) {
            problems.add(what + ": expected " + expected + ", got " + actual);
        }
    }

    private static String yes(boolean b) {
        return b ? "yes" : "NO";
    }
}
