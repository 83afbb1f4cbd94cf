package io.shardwise.testkit.dynamodb.expression;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A parsed {@code ProjectionExpression}. Immutable and thread-safe. */
public interface ProjectionExpression {
    /** The named paths of {@code item}; paths the item lacks are left out, list elements keep their order. */
    Map<String, AttributeValue> project(Map<String, AttributeValue> item);
}
