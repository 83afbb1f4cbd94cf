package io.shardwise.testkit.dynamodb.internal;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;

/**
 * An error the engine answers a request with: an {@link AwsError} code, the message AWS sends, and the extra members
 * some errors carry ({@code Item} on a conditional check failure with {@code ReturnValuesOnConditionCheckFailure},
 * {@code CancellationReasons} on a cancelled transaction). Rendered by {@link WireProtocol}.
 */
public final class ApiException extends RuntimeException {

    private final AwsError error;
    private final Map<String, AttributeValue> item;
    private final List<CancellationReason> cancellationReasons;

    ApiException(AwsError error, String message) {
        this(error, message, null, null);
    }

    private ApiException(
            AwsError error,
            String message,
            Map<String, AttributeValue> item,
            List<CancellationReason> cancellationReasons) {
        super(message, null, false, false);
        this.error = error;
        this.item = item;
        this.cancellationReasons = cancellationReasons;
    }

    /** A ConditionalCheckFailedException, carrying the current item when the request asked for ALL_OLD. */
    static ApiException conditionalCheckFailed(Map<String, AttributeValue> itemOrNull) {
        return new ApiException(
                AwsError.CONDITIONAL_CHECK_FAILED, "The conditional request failed", itemOrNull, null);
    }

    /**
     * A TransactionCanceledException whose message lists the reason codes in action order, as AWS writes it.
     *
     * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html">
     *     TransactWriteItems</a>
     */
    static ApiException transactionCanceled(List<CancellationReason> reasons) {
        StringBuilder codes = new StringBuilder();
        for (CancellationReason r : reasons) {
            codes.append(codes.length() == 0 ? "" : ", ").append(r.code());
        }
        return new ApiException(
                AwsError.TRANSACTION_CANCELED,
                "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]",
                null,
                List.copyOf(reasons));
    }

    public AwsError error() {
        return error;
    }

    /** The {@code Item} member, or null. */
    public Map<String, AttributeValue> item() {
        return item;
    }

    /** The {@code CancellationReasons} member, or null. */
    public List<CancellationReason> cancellationReasons() {
        return cancellationReasons;
    }
}
