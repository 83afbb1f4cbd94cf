package io.shardwise.testkit.dynamodb.expression;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The outcome of an update: the new item, and the updated paths before and after, as {@code ReturnValues}
 * {@code UPDATED_OLD} / {@code UPDATED_NEW} return them (nested paths keep their enclosing maps and lists).
 */
public record UpdateResult(Map<String, AttributeValue> item, Map<String, AttributeValue> updatedOld,
                           Map<String, AttributeValue> updatedNew) {
    /** Copies the maps, so the result does not change with the item. */
    public UpdateResult {
        item = Map.copyOf(item);
        updatedOld = Map.copyOf(updatedOld);
        updatedNew = Map.copyOf(updatedNew);
    }
}
