package io.shardwise.testkit.dynamodb.expression;

/**
 * Parses DynamoDB's expression language (Developer Guide, "Using expressions in DynamoDB"). Each method resolves the
 * {@code #names} and {@code :values} through the request's {@link ExpressionContext} (marking them used) and throws
 * {@link DynamoDbValidationException} with AWS's message for a syntax error, a reserved word used bare, an undefined
 * alias or an operand of the wrong type. The parsed expressions are immutable and thread-safe.
 */
public final class Expressions {
    private Expressions() {
    }

    /** A {@code ConditionExpression}; errors say "Invalid ConditionExpression: ...". */
    public static ConditionExpression parseCondition(String text, ExpressionContext ctx) {
        return parseCondition(text, ctx, "ConditionExpression");
    }

    /** A {@code FilterExpression} of Query or Scan: a condition whose errors say "Invalid FilterExpression: ...". */
    public static ConditionExpression parseFilter(String text, ExpressionContext ctx) {
        return parseCondition(text, ctx, "FilterExpression");
    }

    private static ConditionExpression parseCondition(String text, ExpressionContext ctx, String parameter) {
        Condition condition = Parser.condition(parameter, text, ctx);
        return item -> Evaluator.evaluate(condition, item);
    }

    /** An {@code UpdateExpression}. */
    public static UpdateExpression parseUpdate(String text, ExpressionContext ctx) {
        return new Updater(Parser.update(text, ctx));
    }

    /** A {@code ProjectionExpression}. */
    public static ProjectionExpression parseProjection(String text, ExpressionContext ctx) {
        return new Projector(Parser.projection(text, ctx));
    }

    /** A {@code KeyConditionExpression}; call {@link KeyConditionExpression#validate} with the key schema next. */
    public static KeyConditionExpression parseKeyCondition(String text, ExpressionContext ctx) {
        return new KeyCondition(Parser.condition("KeyConditionExpression", text, ctx));
    }
}
