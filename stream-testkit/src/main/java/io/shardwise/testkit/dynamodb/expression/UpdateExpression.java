package io.shardwise.testkit.dynamodb.expression;

import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A parsed {@code UpdateExpression}. Immutable and thread-safe. */
public interface UpdateExpression {
    /**
     * Applies the update to a copy of {@code item} (an empty map when the item does not exist yet).
     *
     * @throws DynamoDbValidationException when the item's values make the update invalid (AWS's runtime errors: an
     *         operand of the wrong type, a path into a missing map, an attribute referenced but absent)
     */
    UpdateResult apply(Map<String, AttributeValue> item);

    /** The top-level attributes the update writes or removes (the engine refuses updates of key attributes). */
    Set<String> topLevelAttributes();
}
