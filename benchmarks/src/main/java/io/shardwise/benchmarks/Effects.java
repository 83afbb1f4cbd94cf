package io.shardwise.benchmarks;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The user's business logic, identical for every contender: one DynamoDB {@code UpdateItem} per order, on the
 * order's own item (adds the amount and counts applications, so a double effect is visible in the table), or, in
 * the key-parallel scenario, a fixed wait standing in for an I/O-bound call. Thread-safe.
 *
 * @param client    the user's client (its requests are counted apart from the dedup store's)
 * @param table     the user table
 * @param namespace distinguishes runs, so each run starts from empty items
 * @param waitMillis 0, or the per-record wait of an I/O-bound processor (then no DynamoDB write)
 */
public record Effects(DynamoDbClient client, String table, String namespace, long waitMillis) {

    /** The order's write, as a transactional {@link Update} (staged in shardwise's transactional mode). */
    public Update update(Order order) {
        return Update.builder()
                .tableName(table)
                .key(Map.of("pk", AttributeValue.fromS(namespace + "/" + order.eventId())))
                .updateExpression("ADD amount_cents :a, applied :one")
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromN(Long.toString(order.amountCents())),
                        ":one", AttributeValue.fromN("1")))
                .build();
    }

    /** Applies the order's effect directly (every contender except shardwise's transactional mode). */
    public void apply(Order order) {
        if (waitMillis > 0) {
            sleep(waitMillis);
            return;
        }
        Update u = update(order);
        client.updateItem(UpdateItemRequest.builder()
                .tableName(u.tableName())
                .key(u.key())
                .updateExpression(u.updateExpression())
                .expressionAttributeValues(u.expressionAttributeValues())
                .build());
    }

    /** Whether this is the I/O-bound processor (no DynamoDB write, nothing to stage). */
    public boolean waits() {
        return waitMillis > 0;
    }

    static void sleep(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
