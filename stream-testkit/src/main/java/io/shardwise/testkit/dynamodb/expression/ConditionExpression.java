package io.shardwise.testkit.dynamodb.expression;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A parsed {@code ConditionExpression} or {@code FilterExpression}. Immutable and thread-safe; the aliases were
 * resolved when it was parsed.
 */
public interface ConditionExpression {
    /**
     * @param item the item as stored, or an empty map when there is none
     * @return whether the condition holds; values of different types compare false, never fail
     */
    boolean evaluate(Map<String, AttributeValue> item);
}
