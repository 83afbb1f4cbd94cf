package io.shardwise.benchmarks;

import io.shardwise.testkit.LocalAwsClients;
import io.shardwise.testkit.LocalEmulators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The meter against the embedded DynamoDB engine over HTTP, which computes ConsumedCapacity by AWS's rules: the
 * client's requests carry no ReturnConsumedCapacity, so every figure below exists only because the meter asked.
 */
class CapacityMeterTest {
    static DynamoDbClient client;
    static final CapacityMeter meter = new CapacityMeter();
    static final String suffix = UUID.randomUUID().toString().substring(0, 8);
    static final String a = "meter-a-" + suffix;
    static final String b = "meter-b-" + suffix;

    @BeforeAll
    static void clientAndTables() {
        client = DynamoDbClient.builder()
                .endpointOverride(LocalEmulators.dynamoDb().endpoint())
                .region(LocalAwsClients.REGION)
                .credentialsProvider(LocalAwsClients.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(ClientOverrideConfiguration.builder().addExecutionInterceptor(meter).build())
                .build();
        for (String t : new String[]{a, b}) {
            client.createTable(r -> r.tableName(t).billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                            .attributeType(ScalarAttributeType.S).build()));
        }
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @BeforeEach
    void reset() {
        meter.reset();
    }

    @Test
    void aPutItemCountsOneWriteUnitPerStartedKilobyteOnItsTable() {
        client.putItem(r -> r.tableName(a).item(item("p1", 100)));
        client.putItem(r -> r.tableName(a).item(item("p2", 1500)));
        assertThat(meter.snapshot()).containsExactly(
                Map.entry(new CapacityMeter.Use(a, "PutItem"), new CapacityMeter.Units(0, 1 + 2)));
    }

    @Test
    void aTransactWriteItemsCountsTwiceTheUnitsOnEachOfItsTables() {
        client.transactWriteItems(r -> r.transactItems(
                TransactWriteItem.builder().put(p -> p.tableName(a).item(item("t1", 100))).build(),
                TransactWriteItem.builder().put(p -> p.tableName(a).item(item("t2", 100))).build(),
                TransactWriteItem.builder().update(u -> u.tableName(b).key(Map.of("pk", AttributeValue.fromS("t3")))
                        .updateExpression("ADD n :one").expressionAttributeValues(Map.of(":one",
                                AttributeValue.fromN("1")))).build()));
        assertThat(meter.snapshot()).containsExactly(
                Map.entry(new CapacityMeter.Use(a, "TransactWriteItems"), new CapacityMeter.Units(0, 4)),
                Map.entry(new CapacityMeter.Use(b, "TransactWriteItems"), new CapacityMeter.Units(0, 2)));
    }

    @Test
    void aBatchGetItemCountsEachKeyOnItsTableHalvedWhenEventuallyConsistent() {
        client.putItem(r -> r.tableName(a).item(item("g1", 100)));
        meter.reset();
        client.batchGetItem(r -> r.requestItems(Map.of(
                a, KeysAndAttributes.builder().consistentRead(true).keys(key("g1"), key("absent-1")).build(),
                b, KeysAndAttributes.builder().keys(key("absent-2")).build())));
        assertThat(meter.snapshot()).containsExactly(
                Map.entry(new CapacityMeter.Use(a, "BatchGetItem"), new CapacityMeter.Units(2, 0)),
                Map.entry(new CapacityMeter.Use(b, "BatchGetItem"), new CapacityMeter.Units(0.5, 0)));
    }

    @Test
    void aFailedConditionalWriteIsCountedAsOneWriteUnitApartAndAnExplicitSettingIsKept() {
        client.putItem(r -> r.tableName(b).item(item("c1", 100)).returnConsumedCapacity(ReturnConsumedCapacity.INDEXES));
        assertThatThrownBy(() -> client.putItem(r -> r.tableName(b).item(item("c1", 100))
                .conditionExpression("attribute_not_exists(pk)")))
                .isInstanceOf(ConditionalCheckFailedException.class);
        client.updateItem(r -> r.tableName(b).key(key("c1")).updateExpression("REMOVE p")
                .returnConsumedCapacity(ReturnConsumedCapacity.NONE));
        assertThat(meter.snapshot()).containsExactly(
                Map.entry(new CapacityMeter.Use(b, "PutItem"), new CapacityMeter.Units(0, 1)),
                Map.entry(new CapacityMeter.Use(b, "PutItem" + CapacityMeter.FAILED_SUFFIX),
                        new CapacityMeter.Units(0, 1)),
                Map.entry(new CapacityMeter.Use(b, "UpdateItem"), new CapacityMeter.Units(0, 1)));
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    /** An item of about {@code bytes} bytes (attribute names and values). */
    private static Map<String, AttributeValue> item(String pk, int bytes) {
        return Map.of("pk", AttributeValue.fromS(pk), "p", AttributeValue.fromS("x".repeat(bytes - 3 - pk.length())));
    }
}
