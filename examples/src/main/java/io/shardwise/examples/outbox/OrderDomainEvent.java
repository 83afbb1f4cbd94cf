package io.shardwise.examples.outbox;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * What the outbox publishes for one change of an order, as JSON on the order-events stream (partition key
 * {@code orderId}, so one order's events stay in order):
 * <pre>{@code
 * {"type":"OrderStatusChanged","eventId":"6b3f…","orderId":"o-7","customerId":"c-2","status":"SHIPPED",
 *  "previousStatus":"PAID","amount":42.50,"currency":"EUR","occurredAt":"2025-01-31T10:15:30Z"}
 * }</pre>
 * Absent values are left out.
 *
 * @param type           what happened
 * @param eventId        the DynamoDB stream record's {@code eventID}: the same on every redelivery, so subscribers
 *                       can drop the rare duplicate (publishing is at least once)
 * @param orderId        the order
 * @param customerId     its customer
 * @param status         its status after the change (before it, for deletions)
 * @param previousStatus its status before the change, for {@code OrderStatusChanged}
 * @param amount         its amount
 * @param currency       its currency
 * @param occurredAt     when DynamoDB recorded the change (second precision)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OrderDomainEvent(
        Type type,
        String eventId,
        String orderId,
        String customerId,
        String status,
        String previousStatus,
        BigDecimal amount,
        String currency,
        Instant occurredAt) {

    /** The kinds of event. */
    public enum Type {
        /** A new order (stream INSERT). */
        OrderPlaced,
        /** An order's {@code status} attribute changed (stream MODIFY; other modifications publish nothing). */
        OrderStatusChanged,
        /** An order deleted by the application (stream REMOVE by a user). */
        OrderDeleted,
        /** An order deleted by the table's Time to Live (stream REMOVE by the DynamoDB service). */
        OrderExpired
    }

    public OrderDomainEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(orderId, "orderId");
    }
}
