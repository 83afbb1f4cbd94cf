package io.shardwise.examples.ordertotals;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * An order placed, as producers put it on the orders stream (JSON, partition key {@code customerId}):
 * <pre>{@code
 * {"orderId":"o-1042","customerId":"c-17","amount":"129.90","currency":"EUR","occurredAt":"2025-01-31T10:15:30Z"}
 * }</pre>
 * The amount is a decimal (a JSON number or string), never a binary floating-point value.
 *
 * <p>The constructor validates, so a record of the wrong shape fails while it is decoded: shardwise treats that as
 * bad data and parks the record with its raw bytes at once (no retries). Messages name the field, never its
 * value: they are logged, and payloads may hold personal data.
 *
 * @param orderId    unique per order; producers that retry reuse it, which is what makes duplicates detectable
 * @param customerId the customer, and the Kinesis partition key
 * @param amount     the order's amount, positive
 * @param currency   ISO 4217 code, e.g. {@code EUR}
 * @param occurredAt when the order was placed
 */
public record OrderEvent(String orderId, String customerId, BigDecimal amount, String currency, Instant occurredAt) {

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    /** @throws IllegalArgumentException naming the field that is missing or invalid */
    public OrderEvent {
        require(orderId != null && !orderId.isBlank(), "orderId is missing");
        require(customerId != null && !customerId.isBlank(), "customerId is missing");
        require(amount != null, "amount is missing");
        require(amount.signum() > 0, "amount must be positive");
        require(currency != null && CURRENCY.matcher(currency).matches(),
                "currency must be an ISO 4217 code of three capital letters");
        require(occurredAt != null, "occurredAt is missing");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid order event: " + message);
        }
    }
}
