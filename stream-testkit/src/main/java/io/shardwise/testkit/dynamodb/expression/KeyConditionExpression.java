package io.shardwise.testkit.dynamodb.expression;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A parsed {@code KeyConditionExpression} ("Key condition expressions for the Query operation"): equality on the
 * partition key, optionally one range condition on the sort key. Immutable once validated; thread-safe.
 */
public interface KeyConditionExpression {
    /** The partition key attribute the condition names (after {@link #validate}). */
    String hashAttribute();

    /** The value the partition key must equal (after {@link #validate}). */
    AttributeValue hashValue();

    /**
     * Checks the condition against the table's (or index's) key schema.
     *
     * @throws DynamoDbValidationException with AWS's message when the condition does not fit the schema
     */
    void validate(String hashKeyName, String rangeKeyNameOrNull);

    /** Whether the item's sort key satisfies the range condition; true when there is none. */
    boolean matchesRange(Map<String, AttributeValue> item);
}
