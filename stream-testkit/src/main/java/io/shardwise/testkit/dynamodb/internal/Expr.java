package io.shardwise.testkit.dynamodb.internal;

import io.shardwise.testkit.dynamodb.expression.ConditionExpression;
import io.shardwise.testkit.dynamodb.expression.DynamoDbValidationException;
import io.shardwise.testkit.dynamodb.expression.ExpressionContext;
import io.shardwise.testkit.dynamodb.expression.Expressions;
import io.shardwise.testkit.dynamodb.expression.KeyConditionExpression;
import io.shardwise.testkit.dynamodb.expression.ProjectionExpression;
import io.shardwise.testkit.dynamodb.expression.UpdateExpression;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The expressions of one request, parsed with the expression package against one shared {@link ExpressionContext},
 * so that an expression attribute name or value no expression used is rejected as AWS rejects it. Each parse
 * method returns null for an absent expression. Validation errors become ValidationExceptions.
 */
final class Expr {

    private final ExpressionContext context;
    private final boolean anyNames;
    private final boolean anyValues;
    private final boolean write;
    private boolean anyExpression;

    /** {@code write}: a write operation's request (PutItem, UpdateItem, DeleteItem, a transaction action). */
    Expr(Map<String, String> names, Map<String, AttributeValue> values, boolean write) {
        this.anyNames = names != null && !names.isEmpty();
        this.anyValues = values != null && !values.isEmpty();
        this.write = write;
        this.context = call(() -> {
            ExpressionContext.checkNotSentEmpty(names, values, write);
            return new ExpressionContext(names, values, write);
        });
    }

    ConditionExpression condition(String text) {
        return text == null ? null : mark(call(() -> Expressions.parseCondition(text, context)));
    }

    UpdateExpression update(String text) {
        return text == null ? null : mark(call(() -> Expressions.parseUpdate(text, context)));
    }

    /** A Query or Scan FilterExpression (its errors name FilterExpression). */
    ConditionExpression filter(String text) {
        return text == null ? null : mark(call(() -> Expressions.parseFilter(text, context)));
    }

    ProjectionExpression projection(String text) {
        return text == null ? null : mark(call(() -> Expressions.parseProjection(text, context)));
    }

    KeyConditionExpression keyCondition(String text) {
        return text == null ? null : mark(call(() -> Expressions.parseKeyCondition(text, context)));
    }

    /** Ends parsing: every name and value given must have been used by some expression. */
    void done() {
        if ((anyNames || anyValues) && !anyExpression) {
            // AWS's answer when placeholders come without any expression.
            throw AwsError.VALIDATION.with((anyNames ? "ExpressionAttributeNames" : "ExpressionAttributeValues")
                    + " can only be specified when using expressions");
        }
        call(() -> {
            context.verifyAllUsed();
            return null;
        });
    }

    private <T> T mark(T expression) {
        anyExpression = true;
        return expression;
    }

    /** Runs expression code, turning its validation errors into ValidationExceptions. */
    static <T> T call(Supplier<T> code) {
        try {
            return code.get();
        } catch (DynamoDbValidationException e) {
            throw AwsError.VALIDATION.with(e.getMessage());
        }
    }
}
