package io.shardwise.examples.ordertotals;

import io.shardwise.core.ExceptionClassifier;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.StreamRecord;
import io.shardwise.kinesis.KinesisDecoders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** What the order-totals handler accepts, and that everything else is bad data (parked at once, not retried). */
class OrderEventDecodingTest {

    private static final RecordDecoder<ByteBuffer, OrderEvent> DECODER = KinesisDecoders.json(OrderEvent.class);

    @Test
    void decodesAnOrderWithAnExactDecimalAmount() throws Exception {
        OrderEvent order = decode("{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"amount\":0.10,\"currency\":\"EUR\","
                + "\"occurredAt\":\"2025-03-01T09:00:00Z\",\"channel\":\"web\"}");
        assertThat(order).isEqualTo(new OrderEvent("o-1", "c-1", new BigDecimal("0.10"), "EUR",
                Instant.parse("2025-03-01T09:00:00Z")));
        assertThat(order.amount().scale()).isEqualTo(2);
    }

    @Test
    void acceptsTheAmountAsAString() throws Exception {
        assertThat(decode("{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"amount\":\"129.90\",\"currency\":\"USD\","
                + "\"occurredAt\":\"2025-03-01T09:00:00Z\"}").amount()).isEqualByComparingTo("129.90");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"amount\":",
            "not json",
            "{\"orderId\":\"o-3\"}",
            "{\"orderId\":\"o-4\",\"customerId\":\"c-1\",\"amount\":-5,\"currency\":\"EUR\",\"occurredAt\":\"2025-03-01T09:00:00Z\"}",
            "{\"orderId\":\"o-5\",\"customerId\":\"c-1\",\"amount\":5,\"currency\":\"euro\",\"occurredAt\":\"2025-03-01T09:00:00Z\"}",
            "{\"orderId\":\"o-6\",\"customerId\":\"c-1\",\"amount\":5,\"currency\":\"EUR\",\"occurredAt\":\"yesterday\"}",
            "[1,2,3]",
            "null",
            ""})
    void rejectsMalformedOrWronglyShapedRecordsAsNotRetryable(String payload) {
        Throwable error = catchThrowable(() -> decode(payload));
        assertThat(error).isNotNull();
        assertThat(ExceptionClassifier.DEFAULT.isRetryable(error)).as("retryable: %s", error).isFalse();
    }

    @Test
    void validationMessagesNameTheFieldNotTheValue() {
        Throwable error = catchThrowable(() -> decode("{\"orderId\":\"o-5\",\"customerId\":\"secret-customer\","
                + "\"amount\":5,\"currency\":\"euro\",\"occurredAt\":\"2025-03-01T09:00:00Z\"}"));
        assertThat(error).hasMessageContaining("currency").hasMessageNotContaining("secret-customer")
                .hasMessageNotContaining("euro");
    }

    private static OrderEvent decode(String json) throws Exception {
        ByteBuffer data = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
        return DECODER.decode(new StreamRecord<>(data, data, "c-1", "shardId-000000000000",
                "arn:aws:kinesis:us-east-1:000000000000:stream/orders", "1", StreamRecord.NO_SUB_SEQUENCE,
                Instant.now(), "shardId-000000000000:1"));
    }
}
