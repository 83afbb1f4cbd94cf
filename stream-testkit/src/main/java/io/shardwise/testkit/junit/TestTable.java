package io.shardwise.testkit.junit;

import io.shardwise.testkit.esm.StreamSource;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A DynamoDB table a {@link LocalStreams} created for a test (deleted after it). Thread-safe.
 *
 * @param name the table's name
 * @param streamArn its stream's ARN, or null if the table has no stream
 * @param client the DynamoDB client (shared: do not close)
 * @param streamsClient the DynamoDB Streams client (shared: do not close)
 */
public record TestTable(String name, String streamArn, DynamoDbClient client, DynamoDbStreamsClient streamsClient) {

    /** Puts an item. */
    public void put(Map<String, AttributeValue> item) {
        client.putItem(b -> b.tableName(name).item(item));
    }

    /** Deletes an item by key. */
    public void delete(Map<String, AttributeValue> key) {
        client.deleteItem(b -> b.tableName(name).key(key));
    }

    /**
     * The table's stream as a runner's {@link StreamSource}.
     *
     * @throws IllegalStateException if the table has no stream
     */
    public StreamSource source() {
        if (streamArn == null) {
            throw new IllegalStateException("table " + name + " has no stream; create it with a StreamSpecification");
        }
        return StreamSource.dynamoDb(streamsClient, streamArn);
    }
}
