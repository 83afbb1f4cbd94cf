package io.shardwise.core.guarded;

import io.shardwise.core.BatchProcessor;
import io.shardwise.core.FailureMode;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.sink.FailureSink;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * One embedded DynamoDB engine (in process, the real SDK client) with a dedup table and a user table, and the
 * records and handlers the GUARDED tests build.
 */
final class GuardedFixture implements AutoCloseable {
    static final String ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/guarded";
    static final String SHARD = "shardId-000000000000";
    static final BigInteger BASE = new BigInteger("49590338271490256608559692538361571095921575989136588898");
    static final String DEDUP = "dedup";
    static final String ITEMS = "items";

    final DynamoDbEngine engine = DynamoDbEngine.builder().build();
    final CapacityMeter meter = new CapacityMeter();
    /** With the meter and the SDK's default retries (a lost response is retried). */
    final DynamoDbClient client = engine.clientBuilder()
            .overrideConfiguration(c -> c.addExecutionInterceptor(meter)).build();
    final List<ParkedRecord> parked = new CopyOnWriteArrayList<>();
    final FailureSink sink = parked::add;

    GuardedFixture() {
        createTable(DEDUP, "id", true);
        createTable(ITEMS, "pk", false);
        meter.reset();
    }

    private void createTable(String name, String key, boolean ttl) {
        client.createTable(r -> r.tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName(key).keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName(key)
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        if (ttl) {
            client.updateTimeToLive(r -> r.tableName(name).timeToLiveSpecification(t -> t.enabled(true)
                    .attributeName("expiration")));
        }
    }

    ProcessingConfig.Builder config(String consumer) {
        return ProcessingConfig.builder(consumer)
                .dedupStore(DynamoDbDedupStore.builder(client, DEDUP).build())
                .dedupMode(DedupMode.GUARDED)
                .guardedClient(client)
                .failureSink(sink)
                .metrics(false);
    }

    BatchProcessor<String, String> handler(RecordProcessor<String> processor) {
        return handler(processor, b -> b);
    }

    BatchProcessor<String, String> handler(RecordProcessor<String> processor,
                                           UnaryOperator<ProcessingConfig.Builder> tune) {
        return BatchProcessor.create(processor, tune.apply(config("guarded")).build());
    }

    static String seq(long i) {
        return BASE.add(BigInteger.valueOf(1000L * i)).toString();
    }

    static StreamRecord<String> record(String shard, String sequenceNumber, long sub, String key, String payload) {
        return new StreamRecord<>(payload, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)), key, shard, ARN,
                sequenceNumber, sub, Instant.parse("2026-12-07T06:00:00Z"), shard + ":" + sequenceNumber);
    }

    /** Record i of the shard: key {@code key}, payload "r{i}". */
    static StreamRecord<String> record(int i, String key) {
        return record(SHARD, seq(i), StreamRecord.NO_SUB_SEQUENCE, key, "r" + i);
    }

    Map<String, AttributeValue> item(String pk) {
        var response = client.getItem(r -> r.tableName(ITEMS).key(Map.of("pk", AttributeValue.fromS(pk)))
                .consistentRead(true));
        return response.hasItem() ? response.item() : null;
    }

    long total(String pk) {
        Map<String, AttributeValue> item = item(pk);
        return item == null || !item.containsKey("total") ? 0 : Long.parseLong(item.get("total").n());
    }

    int dedupItems() {
        return client.scan(r -> r.tableName(DEDUP)).count();
    }

    @Override
    public void close() {
        client.close();
        engine.close();
    }
}
