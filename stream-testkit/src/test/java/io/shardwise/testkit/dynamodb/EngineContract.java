package io.shardwise.testkit.dynamodb;

import io.shardwise.testkit.esm.ManualClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Base of every conformance contract: a fresh engine per test on a hand-moved clock, reached through the subclass's
 * {@link Binding}, with SDK clients built through that binding.
 */
abstract class EngineContract {

    static final Instant START = Instant.parse("2026-12-07T02:00:00.250Z");

    private final Binding binding;
    ManualClock clock;
    DynamoDbEngine engine;
    Binding.Connection connection;
    DynamoDbClient ddb;
    DynamoDbStreamsClient streams;

    EngineContract(Binding binding) {
        this.binding = binding;
    }

    /** Adds to the engine builder (seed, hook, sleeper) before each test. */
    DynamoDbEngine.Builder configure(DynamoDbEngine.Builder builder) {
        return builder;
    }

    @BeforeEach
    void startEngine() {
        clock = new ManualClock(START);
        engine = configure(DynamoDbEngine.builder().clock(clock)).build();
        connection = binding.connect(engine);
        ddb = connection.clientBuilder().build();
        streams = connection.streamsClientBuilder().build();
    }

    @AfterEach
    void stopEngine() {
        ddb.close();
        streams.close();
        connection.close();
        engine.close();
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }

    /** An item from name/value pairs, in order. */
    static Map<String, AttributeValue> item(Object... pairs) {
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            Object v = pairs[i + 1];
            m.put((String) pairs[i], v instanceof AttributeValue a ? a : AttributeValue.fromS((String) v));
        }
        return m;
    }

    /** A PAY_PER_REQUEST table with a string partition key {@code id}, and a stream when {@code view} is not null. */
    void hashTable(String name, StreamViewType view) {
        CreateTableRequest.Builder b = CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType("S").build());
        if (view != null) {
            b.streamSpecification(s -> s.streamEnabled(true).streamViewType(view));
        }
        ddb.createTable(b.build());
    }

    /** A table with string partition key {@code pk} and number sort key {@code sk}. */
    void rangeTable(String name) {
        ddb.createTable(CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(
                        KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType("S").build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType("N").build())
                .build());
    }

    /** Every record of the table's stream from TRIM_HORIZON. */
    List<Record> streamRecords(String table) {
        String arn = ddb.describeTable(r -> r.tableName(table)).table().latestStreamArn();
        String shard = streams.describeStream(r -> r.streamArn(arn)).streamDescription().shards().get(0).shardId();
        String iterator = streams.getShardIterator(r -> r.streamArn(arn).shardId(shard)
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                .shardIterator();
        List<Record> out = new ArrayList<>();
        while (iterator != null) {
            String it = iterator;
            GetRecordsResponse page = streams.getRecords(r -> r.shardIterator(it));
            out.addAll(page.records());
            if (page.records().isEmpty()) {
                break;
            }
            iterator = page.nextShardIterator();
        }
        return out;
    }
}
