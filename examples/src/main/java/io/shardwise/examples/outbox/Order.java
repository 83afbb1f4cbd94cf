package io.shardwise.examples.outbox;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An item of the orders table (partition key {@code orderId}), mapped by the DynamoDB Enhanced Client
 * ({@code TableSchema.fromBean(Order.class)}): the application writes orders with it, and the outbox reads the
 * stream's old and new images with the same schema.
 *
 * <p>{@code expiresAt} is the table's Time to Live attribute (epoch seconds): DynamoDB deletes an expired order
 * by itself, and the stream then carries a service delete, published as {@code OrderExpired}.
 *
 * <p>A mutable bean, as the Enhanced Client's bean schema wants it; not thread-safe.
 */
@DynamoDbBean
public class Order {
    private String orderId;
    private String customerId;
    private String status;
    private BigDecimal amount;
    private String currency;
    private Instant createdAt;
    private Long expiresAt;

    public Order() {
    }

    public Order(String orderId, String customerId, String status, BigDecimal amount, String currency,
                 Instant createdAt) {
        this.orderId = orderId;
        this.customerId = customerId;
        this.status = status;
        this.amount = amount;
        this.currency = currency;
        this.createdAt = createdAt;
    }

    @DynamoDbPartitionKey
    public String getOrderId() { return orderId; }
    public void setOrderId(String orderId) { this.orderId = orderId; }

    public String getCustomerId() { return customerId; }
    public void setCustomerId(String customerId) { this.customerId = customerId; }

    /** e.g. {@code PLACED}, {@code PAID}, {@code SHIPPED}, {@code CANCELLED}. */
    public String getStatus() { return status; }
    public void setStatus(String status) { this.status = status; }

    public BigDecimal getAmount() { return amount; }
    public void setAmount(BigDecimal amount) { this.amount = amount; }

    public String getCurrency() { return currency; }
    public void setCurrency(String currency) { this.currency = currency; }

    public Instant getCreatedAt() { return createdAt; }
    public void setCreatedAt(Instant createdAt) { this.createdAt = createdAt; }

    /** Time to Live, epoch seconds; null for an order that never expires. */
    public Long getExpiresAt() { return expiresAt; }
    public void setExpiresAt(Long expiresAt) { this.expiresAt = expiresAt; }
}
