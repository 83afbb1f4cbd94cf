package io.shardwise.examples.outbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.ddb.ChangeRecord;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;

import java.util.Objects;
import java.util.Optional;

/**
 * Turns each change of the orders table into a domain event ({@link #toEvent}) and publishes it with
 * {@code PutRecord} onto the order-events stream, partition key {@code orderId}.
 *
 * <p>Once per change: the handler keeps a dedup marker per stream record ({@code eventID}), so a change that
 * Lambda redelivers (a retry, a replay after a later record failed) is skipped, not published again. The one
 * window left is a crash between a successful {@code PutRecord} and the marker's completion; the event carries the
 * {@code eventID} so that subscribers can drop that duplicate.
 *
 * <p>Thread-safe.
 */
public class OrderOutboxProcessor extends RecordProcessor<ChangeRecord<Order>> {

    /** The JSON form of the events: ISO-8601 instants, plain decimals, absent values left out. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private final KinesisClient kinesis;
    private final String eventsStream;

    /**
     * @param kinesis      the client (the caller owns it)
     * @param eventsStream the order-events stream's name, or its ARN (starting with {@code arn:})
     */
    public OrderOutboxProcessor(KinesisClient kinesis, String eventsStream) {
        this.kinesis = Objects.requireNonNull(kinesis, "kinesis");
        this.eventsStream = Objects.requireNonNull(eventsStream, "eventsStream");
    }

    @Override
    public void process(StreamRecord<ChangeRecord<Order>> record, RecordContext context) throws Exception {
        Optional<OrderDomainEvent> event = toEvent(record.payload());
        if (event.isEmpty()) {
            return;
        }
        PutRecordRequest.Builder put = PutRecordRequest.builder()
                .partitionKey(event.get().orderId())
                .data(SdkBytes.fromByteArray(JSON.writeValueAsBytes(event.get())));
        if (eventsStream.startsWith("arn:")) {
            put.streamARN(eventsStream);
        } else {
            put.streamName(eventsStream);
        }
        kinesis.putRecord(put.build());
    }

    /**
     * The event a change stands for: {@code OrderPlaced} for an insert, {@code OrderStatusChanged} for a
     * modification of {@code status} (nothing for other modifications), {@code OrderDeleted} for a delete by the
     * application, {@code OrderExpired} for a delete by Time to Live.
     *
     * @throws io.shardwise.ddb.MissingImageException if the table's stream is not {@code NEW_AND_OLD_IMAGES}
     *                                                (not retryable: the record is parked, the message says what
     *                                                to change)
     */
    public static Optional<OrderDomainEvent> toEvent(ChangeRecord<Order> change) {
        return switch (change.eventName()) {
            case INSERT -> change.newImage().map(o -> event(OrderDomainEvent.Type.OrderPlaced, change, o, null));
            case MODIFY -> change.hasChanged("status")
                    ? change.newImage().map(o -> event(OrderDomainEvent.Type.OrderStatusChanged, change, o,
                            change.oldImage().map(Order::getStatus).orElse(null)))
                    : Optional.empty();
            case REMOVE -> Optional.of(change.oldImage()
                    .map(o -> event(change.ttlDelete() ? OrderDomainEvent.Type.OrderExpired
                            : OrderDomainEvent.Type.OrderDeleted, change, o, null))
                    .orElseGet(() -> new OrderDomainEvent(change.ttlDelete() ? OrderDomainEvent.Type.OrderExpired
                            : OrderDomainEvent.Type.OrderDeleted, change.eventId(), orderId(change), null, null, null,
                            null, null, change.approximateCreationTime())));
        };
    }

    private static OrderDomainEvent event(OrderDomainEvent.Type type, ChangeRecord<Order> change, Order order,
                                          String previousStatus) {
        String orderId = order.getOrderId() != null ? order.getOrderId() : orderId(change);
        return new OrderDomainEvent(type, change.eventId(), orderId, order.getCustomerId(), order.getStatus(),
                previousStatus, order.getAmount(), order.getCurrency(), change.approximateCreationTime());
    }

    private static String orderId(ChangeRecord<Order> change) {
        AttributeValue key = change.keys().get("orderId");
        if (key == null || key.s() == null) {
            throw new NonRetryableException("Change " + change.eventId() + " has no String key 'orderId': is the "
                    + "handler reading the orders table's stream?");
        }
        return key.s();
    }
}
