package io.shardwise.examples.ordertotals;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.testkit.EmbeddedDynamoDb;
import io.shardwise.testkit.FakeContext;
import io.shardwise.testkit.LocalEmulators;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order-totals consumer against the embedded DynamoDB engine: exactly-once totals under producer duplicates, Lambda
 * redeliveries, a failure in the middle of a batch and malformed records. Events are built as Lambda delivers them.
 */
class OrderTotalsIT {

    private static final String ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";
    private static final String SHARD = "shardId-000000000000";

    private static DynamoDbClient dynamoDb;
    private String totalsTable;
    private String dedupTable;
    private final List<ParkedRecord> parked = new CopyOnWriteArrayList<>();
    private long nextSequence = 49_000_000_000L;

    @BeforeAll
    static void emulator() {
        EmbeddedDynamoDb local = LocalEmulators.dynamoDb();
        dynamoDb = local.client();
    }

    @BeforeEach
    void tables() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        totalsTable = "totals-" + suffix;
        dedupTable = "dedup-" + suffix;
        dynamoDb.createTable(b -> b.tableName(totalsTable).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("customerId").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("currency").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("customerId").keyType(KeyType.HASH),
                        k -> k.attributeName("currency").keyType(KeyType.RANGE)));
        dynamoDb.createTable(b -> b.tableName(dedupTable).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH)));
        dynamoDb.updateTimeToLive(b -> b.tableName(dedupTable)
                .timeToLiveSpecification(s -> s.enabled(true).attributeName("expiration")));
    }

    @Test
    void aProducerDuplicateAndARedeliveredBatchAreCountedOnce() {
        OrderTotalsHandler handler = handler(new OrderTotalsProcessor(totalsTable));
        KinesisEvent event = event(order("o-1", "c-1", "10.25"), order("o-2", "c-1", "5.00"),
                order("o-3", "c-2", "7.10"), order("o-1", "c-1", "10.25")); // the last one: a producer duplicate

        BatchResult first = handler.process(event, FakeContext.create());
        assertThat(first.outcomes()).extracting(RecordOutcome::outcome).containsExactly(
                Outcome.PROCESSED, Outcome.PROCESSED, Outcome.PROCESSED, Outcome.SKIPPED_DUPLICATE);
        assertThat(first.response().getBatchItemFailures()).isEmpty();

        // Lambda delivers the same batch again (a retry after a timeout, a replay): nothing is counted twice.
        BatchResult again = handler.process(event, FakeContext.create());
        assertThat(again.outcomes()).extracting(RecordOutcome::outcome).containsOnly(Outcome.SKIPPED_DUPLICATE);

        // The duplicate sent once more, later, on another sequence number.
        BatchResult later = handler.process(event(order("o-2", "c-1", "5.00"), order("o-4", "c-1", "1.00")),
                FakeContext.create());
        assertThat(later.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.SKIPPED_DUPLICATE, Outcome.PROCESSED);

        assertThat(total("c-1", "EUR")).isEqualTo(new Total(new BigDecimal("16.25"), 3));
        assertThat(total("c-2", "EUR")).isEqualTo(new Total(new BigDecimal("7.10"), 1));
    }

    @Test
    void aFailureInTheMiddleOfABatchIsRedeliveredFromThereAndCountedOnce() {
        AtomicInteger calls = new AtomicInteger();
        OrderTotalsProcessor failsOnce = new OrderTotalsProcessor(totalsTable) {
            @Override
            public void process(StreamRecord<OrderEvent> record, RecordContext context) throws Exception {
                if (record.payload().orderId().equals("o-2") && calls.getAndIncrement() == 0) {
                    throw new IllegalStateException("throttled");
                }
                super.process(record, context);
            }
        };
        OrderTotalsHandler handler = handler(failsOnce);
        KinesisEvent event = event(order("o-1", "c-1", "1.00"), order("o-2", "c-1", "2.00"),
                order("o-3", "c-1", "4.00"));

        BatchResult first = handler.process(event, FakeContext.create());
        assertThat(first.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED);
        String failed = first.outcomes().get(1).sequenceNumber();
        assertThat(first.response().getBatchItemFailures())
                .extracting(StreamsEventResponse.BatchItemFailure::getItemIdentifier).containsExactly(failed);
        assertThat(total("c-1", "EUR")).isEqualTo(new Total(new BigDecimal("1.00"), 1));

        // Lambda checkpoints before the reported record and redelivers from it.
        KinesisEvent redelivery = new KinesisEvent();
        redelivery.setRecords(event.getRecords().subList(1, 3));
        BatchResult second = handler.process(redelivery, FakeContext.create());
        assertThat(second.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.PROCESSED, Outcome.PROCESSED);
        assertThat(second.outcomes().get(0).attempts()).isEqualTo(2);
        assertThat(total("c-1", "EUR")).isEqualTo(new Total(new BigDecimal("7.00"), 3));
    }

    @Test
    void malformedRecordsAreParkedWithTheirPayloadAndTheShardMovesOn() {
        OrderTotalsHandler handler = handler(new OrderTotalsProcessor(totalsTable));
        byte[] garbage = "{\"orderId\":\"o-9\"".getBytes(StandardCharsets.UTF_8);
        KinesisEvent event = event(order("o-1", "c-1", "3.00"), record("c-1", garbage),
                record("c-2", "{\"orderId\":\"o-8\"}".getBytes(StandardCharsets.UTF_8)), order("o-2", "c-1", "4.00"));

        BatchResult result = handler.process(event, FakeContext.create());

        assertThat(result.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.PROCESSED, Outcome.PARKED, Outcome.PARKED, Outcome.PROCESSED);
        assertThat(result.response().getBatchItemFailures()).isEmpty();
        assertThat(parked).hasSize(2);
        assertThat(parked.get(0).payload()).isEqualTo(garbage);
        assertThat(parked.get(0).consumerName()).isEqualTo("order-totals-it");
        assertThat(parked.get(0).shardId()).isEqualTo(SHARD);
        assertThat(total("c-1", "EUR")).isEqualTo(new Total(new BigDecimal("7.00"), 2));
    }

    // ------------------------------------------------------------------------------------------ helpers

    record Total(BigDecimal total, long orderCount) {
    }

    private OrderTotalsHandler handler(OrderTotalsProcessor processor) {
        return new OrderTotalsHandler(processor,
                OrderTotalsHandler.config("order-totals-it", dynamoDb, dedupTable, parked::add).metrics(false)
                        .build());
    }

    private Total total(String customerId, String currency) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(totalsTable).consistentRead(true)
                .key(Map.of("customerId", AttributeValue.fromS(customerId),
                        "currency", AttributeValue.fromS(currency)))).item();
        return new Total(new BigDecimal(item.get("total").n()).stripTrailingZeros().setScale(2),
                Long.parseLong(item.get("orderCount").n()));
    }

    private KinesisEvent.KinesisEventRecord order(String orderId, String customerId, String amount) {
        return record(customerId, ("{\"orderId\":\"" + orderId + "\",\"customerId\":\"" + customerId
                + "\",\"amount\":" + amount + ",\"currency\":\"EUR\",\"occurredAt\":\"2025-03-01T09:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A record as Lambda delivers it; each gets the next sequence number of the shard. */
    private KinesisEvent.KinesisEventRecord record(String partitionKey, byte[] data) {
        String sequence = Long.toString(nextSequence++);
        KinesisEvent.Record kinesis = new KinesisEvent.Record();
        kinesis.setData(ByteBuffer.wrap(data));
        kinesis.setPartitionKey(partitionKey);
        kinesis.setSequenceNumber(sequence);
        kinesis.setApproximateArrivalTimestamp(new Date());
        kinesis.setKinesisSchemaVersion("1.0");
        KinesisEvent.KinesisEventRecord r = new KinesisEvent.KinesisEventRecord();
        r.setKinesis(kinesis);
        r.setEventSource("aws:kinesis");
        r.setEventID(SHARD + ":" + sequence);
        r.setEventSourceARN(ARN);
        r.setEventName("aws:kinesis:record");
        r.setEventVersion("1.0");
        r.setAwsRegion("us-east-1");
        r.setInvokeIdentityArn("arn:aws:iam::000000000000:role/order-totals");
        return r;
    }

    private static KinesisEvent event(KinesisEvent.KinesisEventRecord... records) {
        KinesisEvent event = new KinesisEvent();
        event.setRecords(new ArrayList<>(List.of(records)));
        return event;
    }
}
