package io.shardwise.testkit.dynamodb.expression;

/**
 * A request that DynamoDB rejects with {@code ValidationException} (HTTP 400). The message is AWS's own wording, so the
 * engine can put it unchanged into the error response's {@code message}.
 *
 * <p>Immutable and thread-safe.
 */
public final class DynamoDbValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message DynamoDB's own wording of the error */
    public DynamoDbValidationException(String message) {
        super(message);
    }
}
