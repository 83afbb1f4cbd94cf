package com.example.orders;

import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/** Adds each order to its customer's total in a DynamoDB table (partition key {@code customerId}). */
public class OrderTotals extends RecordProcessor<Order> {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public OrderTotals(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public void process(StreamRecord<Order> record, RecordContext context) {
        Order order = record.payload();                      // records of a shard arrive in order
        dynamoDb.updateItem(u -> u.tableName(table)
                .key(Map.of("customerId", AttributeValue.fromS(order.customerId())))
                .updateExpression("ADD #total :amount, #orders :one")   // "total" is a reserved word
                .expressionAttributeNames(Map.of("#total", "total", "#orders", "orders"))
                .expressionAttributeValues(Map.of(
                        ":amount", AttributeValue.fromN(order.amount().toPlainString()),
                        ":one", AttributeValue.fromN("1"))));
    }
}
