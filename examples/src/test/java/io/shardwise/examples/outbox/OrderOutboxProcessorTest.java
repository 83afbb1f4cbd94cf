package io.shardwise.examples.outbox;

import io.shardwise.ddb.ChangeRecord;
import io.shardwise.ddb.ChangeRecord.EventName;
import io.shardwise.ddb.MissingImageException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static io.shardwise.examples.outbox.OrderDomainEvent.Type.OrderDeleted;
import static io.shardwise.examples.outbox.OrderDomainEvent.Type.OrderExpired;
import static io.shardwise.examples.outbox.OrderDomainEvent.Type.OrderPlaced;
import static io.shardwise.examples.outbox.OrderDomainEvent.Type.OrderStatusChanged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which change becomes which domain event (the mapping the outbox publishes). */
class OrderOutboxProcessorTest {

    private static final Instant AT = Instant.parse("2025-03-01T10:00:00Z");

    @Test
    void anInsertIsOrderPlaced() {
        Order placed = order("PLACED", null);
        assertThat(OrderOutboxProcessor.toEvent(change(EventName.INSERT, null, placed, false))).contains(
                new OrderDomainEvent(OrderPlaced, "ev-1", "o-1", "c-1", "PLACED", null, new BigDecimal("42.50"), "EUR",
                        AT));
    }

    @Test
    void aStatusChangeIsOrderStatusChangedWithThePreviousStatus() {
        OrderDomainEvent event = OrderOutboxProcessor.toEvent(
                change(EventName.MODIFY, order("PAID", null), order("SHIPPED", null), false)).orElseThrow();
        assertThat(event.type()).isEqualTo(OrderStatusChanged);
        assertThat(event.status()).isEqualTo("SHIPPED");
        assertThat(event.previousStatus()).isEqualTo("PAID");
    }

    @Test
    void anotherModificationPublishesNothing() {
        assertThat(OrderOutboxProcessor.toEvent(
                change(EventName.MODIFY, order("PAID", null), order("PAID", 1_800_000_000L), false))).isEmpty();
    }

    @Test
    void aDeleteByTheApplicationIsOrderDeletedAndATtlDeleteIsOrderExpired() {
        Order old = order("PAID", 1_700_000_000L);
        OrderDomainEvent deleted = OrderOutboxProcessor.toEvent(change(EventName.REMOVE, old, null, false))
                .orElseThrow();
        assertThat(deleted.type()).isEqualTo(OrderDeleted);
        assertThat(deleted.status()).isEqualTo("PAID");
        assertThat(OrderOutboxProcessor.toEvent(change(EventName.REMOVE, old, null, true)).orElseThrow().type())
                .isEqualTo(OrderExpired);
    }

    @Test
    void aStreamWithoutImagesIsReportedNotSilentlyIgnored() {
        ChangeRecord<Order> keysOnly = new ChangeRecord<>(EventName.INSERT, "ev-1", "orders",
                Map.of("orderId", AttributeValue.fromS("o-1")), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), StreamViewType.KEYS_ONLY, false, AT, "100", -1, "us-east-1");
        assertThatThrownBy(() -> OrderOutboxProcessor.toEvent(keysOnly)).isInstanceOf(MissingImageException.class)
                .hasMessageContaining("NEW_AND_OLD_IMAGES");
    }

    @Test
    void eventsAreJsonWithIsoInstantsAndPlainDecimalsAndNoNulls() throws Exception {
        String json = OrderOutboxProcessor.JSON.writeValueAsString(new OrderDomainEvent(OrderPlaced, "ev-1", "o-1",
                "c-1", "PLACED", null, new BigDecimal("1E+2"), "EUR", AT));
        assertThat(json).isEqualTo("{\"type\":\"OrderPlaced\",\"eventId\":\"ev-1\",\"orderId\":\"o-1\","
                + "\"customerId\":\"c-1\",\"status\":\"PLACED\",\"amount\":100,\"currency\":\"EUR\","
                + "\"occurredAt\":\"2025-03-01T10:00:00Z\"}");
    }

    private static Order order(String status, Long expiresAt) {
        Order order = new Order("o-1", "c-1", status, new BigDecimal("42.50"), "EUR", AT);
        order.setExpiresAt(expiresAt);
        return order;
    }

    /** A change as the handler decodes it, images typed and raw (raw images only need the attributes compared). */
    private static ChangeRecord<Order> change(EventName name, Order before, Order after, boolean ttl) {
        return new ChangeRecord<>(name, "ev-1", "orders", Map.of("orderId", AttributeValue.fromS("o-1")),
                Optional.ofNullable(after), Optional.ofNullable(before),
                Optional.ofNullable(after).map(o -> OrderOutboxHandler.ORDER_SCHEMA.itemToMap(o, true)),
                Optional.ofNullable(before).map(o -> OrderOutboxHandler.ORDER_SCHEMA.itemToMap(o, true)),
                StreamViewType.NEW_AND_OLD_IMAGES, ttl, AT, "100", 200, "us-east-1");
    }
}
