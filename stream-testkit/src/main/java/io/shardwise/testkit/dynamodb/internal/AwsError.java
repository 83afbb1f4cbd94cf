package io.shardwise.testkit.dynamodb.internal;

/**
 * The AWS error codes this engine answers with, each with the HTTP status and the {@code __type} namespace the real
 * service sends. The SDK maps an error by the part of {@code __type} after {@code #} (and the status decides
 * retryability for 5xx), so both must match what DynamoDB sends.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html">Error
 *     handling with DynamoDB</a>
 */
public enum AwsError {
    VALIDATION("ValidationException", 400, "com.amazon.coral.validate#"),
    SERIALIZATION("SerializationException", 400, "com.amazon.coral.service#"),
    UNKNOWN_OPERATION("UnknownOperationException", 400, "com.amazon.coral.service#"),
    RESOURCE_NOT_FOUND("ResourceNotFoundException", 400, AwsError.DYNAMODB),
    RESOURCE_IN_USE("ResourceInUseException", 400, AwsError.DYNAMODB),
    CONDITIONAL_CHECK_FAILED("ConditionalCheckFailedException", 400, AwsError.DYNAMODB),
    TRANSACTION_CANCELED("TransactionCanceledException", 400, AwsError.DYNAMODB),
    IDEMPOTENT_PARAMETER_MISMATCH("IdempotentParameterMismatchException", 400, AwsError.DYNAMODB),
    PROVISIONED_THROUGHPUT_EXCEEDED("ProvisionedThroughputExceededException", 400, AwsError.DYNAMODB),
    THROTTLING("ThrottlingException", 400, "com.amazon.coral.availability#"),
    INTERNAL_SERVER_ERROR("InternalServerError", 500, AwsError.DYNAMODB),
    EXPIRED_ITERATOR("ExpiredIteratorException", 400, AwsError.DYNAMODB),
    TRIMMED_DATA_ACCESS("TrimmedDataAccessException", 400, AwsError.DYNAMODB);

    private static final String DYNAMODB = "com.amazonaws.dynamodb.v20120810#";

    private final String code;
    private final int status;
    private final String namespace;

    AwsError(String code, int status, String namespace) {
        this.code = code;
        this.status = status;
        this.namespace = namespace;
    }

    /** The error code, e.g. {@code ConditionalCheckFailedException}: what the SDK's exception is chosen by. */
    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** The full {@code __type} value of the error body. */
    public String type() {
        return namespace + code;
    }

    /** A new exception of this code with {@code message}. */
    public ApiException with(String message) {
        return new ApiException(this, message);
    }
}
