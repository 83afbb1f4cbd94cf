package io.shardwise.testkit.esm;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * A {@link CheckpointStore} in a DynamoDB table: one item per mapping and shard, key {@code leaseKey =
 * "<mappingUuid>/<shardId>"}, attribute {@code checkpoint}. Reads are strongly consistent. Thread-safe; the caller
 * owns the client.
 */
public final class DynamoDbCheckpointStore implements CheckpointStore {

    /** The partition key attribute. */
    public static final String KEY = "leaseKey";

    /** The attribute holding the checkpoint. */
    public static final String CHECKPOINT = "checkpoint";

    private final DynamoDbClient client;
    private final String tableName;

    DynamoDbCheckpointStore(DynamoDbClient client, String tableName) {
        this.client = Objects.requireNonNull(client, "client");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
    }

    /**
     * Creates the checkpoint table (on-demand, key {@link #KEY}) unless it exists, and waits until it is active.
     *
     * @throws software.amazon.awssdk.core.exception.SdkException if DynamoDB refuses
     */
    public static void createTable(DynamoDbClient client, String tableName) {
        try {
            client.createTable(
                    b ->
                            b.tableName(tableName)
                                    .billingMode(BillingMode.PAY_PER_REQUEST)
                                    .keySchema(KeySchemaElement.builder().attributeName(KEY).keyType(KeyType.HASH).build())
                                    .attributeDefinitions(
                                            AttributeDefinition.builder().attributeName(KEY).attributeType(ScalarAttributeType.S).build()));
        } catch (ResourceInUseException alreadyThere) {
            // fine: created earlier
        }
        client.waiter().waitUntilTableExists(b -> b.tableName(tableName));
    }

    @Override
    public Optional<String> get(String mappingUuid, String shardId) {
        Map<String, AttributeValue> item =
                client
                        .getItem(b -> b.tableName(tableName).consistentRead(true).key(key(mappingUuid, shardId)))
                        .item();
        if (item == null || !item.containsKey(CHECKPOINT)) {
            return Optional.empty();
        }
        return Optional.ofNullable(item.get(CHECKPOINT).s());
    }

    @Override
    public void put(String mappingUuid, String shardId, String checkpoint) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key(mappingUuid, shardId));
        item.put(CHECKPOINT, AttributeValue.fromS(checkpoint));
        client.putItem(b -> b.tableName(tableName).item(item));
    }

    private static Map<String, AttributeValue> key(String mappingUuid, String shardId) {
        return Map.of(KEY, AttributeValue.fromS(mappingUuid + "/" + shardId));
    }

    @Override
    public String toString() {
        return "DynamoDbCheckpointStore{" + tableName + "}";
    }
}
