package io.shardwise.core.dedup;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link InMemoryCommitProperties}' model against {@link DynamoDbDedupStore} on the embedded DynamoDB engine, with few tries
 * (each is a few dozen real transactions). Cancellations here are real {@code ConditionalCheckFailed} reasons.
 */
class DynamoDbCommitPropertiesIT {

    static DynamoDbClient dynamoDb;
    static String dedupTable;
    static String userTable;

    @BeforeContainer
    static void createTables() {
        dynamoDb = DynamoDbDedupStoreIT.client(new RequestCounter());
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        dedupTable = "dedup-prop-" + suffix;
        userTable = "user-prop-" + suffix;
        DynamoDbDedupStoreIT.createTable(dynamoDb, dedupTable, "id", null, true);
        DynamoDbDedupStoreIT.createTable(dynamoDb, userTable, "pk", null, false);
    }

    @AfterContainer
    static void closeClient() {
        dynamoDb.close();
    }

    @Property(tries = 10)
    void commitsApplyEachRecordsWritesAtMostOnce(@ForAll("batches") List<CommitModel.Batch> batches) {
        DedupStore store = DynamoDbDedupStore.builder(dynamoDb, dedupTable).build();
        CommitModel.UserTable table = new CommitModel.UserTable() {
            @Override
            public String name() {
                return userTable;
            }

            @Override
            public void block(String pk) {
                dynamoDb.updateItem(r -> r.tableName(userTable).key(Map.of("pk", AttributeValue.fromS(pk)))
                        .updateExpression("SET blocked = :t")
                        .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true))));
            }

            @Override
            public void unblock(String pk) {
                dynamoDb.updateItem(r -> r.tableName(userTable).key(Map.of("pk", AttributeValue.fromS(pk)))
                        .updateExpression("REMOVE blocked"));
            }

            @Override
            public long appliedCount(String pk) {
                Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(userTable)
                        .key(Map.of("pk", AttributeValue.fromS(pk))).consistentRead(true)).item();
                return item == null || !item.containsKey("n") ? 0 : Long.parseLong(item.get("n").n());
            }
        };
        new CommitModel(store, table, "p-" + UUID.randomUUID()).run(batches,
                Instant.now().plus(Duration.ofHours(1)), InMemoryCommitProperties.RECORDS);
    }

    @Provide
    Arbitrary<List<CommitModel.Batch>> batches() {
        return InMemoryCommitProperties.batches();
    }
}
