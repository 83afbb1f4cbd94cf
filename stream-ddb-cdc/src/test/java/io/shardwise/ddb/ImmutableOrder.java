package io.shardwise.ddb;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbImmutable;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

import java.math.BigDecimal;

/** Immutable-schema view of the test table "Orders" (only some attributes). */
@DynamoDbImmutable(builder = ImmutableOrder.Builder.class)
public final class ImmutableOrder {
    private final String customerId;
    private final Long orderId;
    private final String status;
    private final BigDecimal total;

    private ImmutableOrder(Builder b) {
        this.customerId = b.customerId;
        this.orderId = b.orderId;
        this.status = b.status;
        this.total = b.total;
    }

    public static Builder builder() { return new Builder(); }

    @DynamoDbPartitionKey
    public String customerId() { return customerId; }

    @DynamoDbSortKey
    public Long orderId() { return orderId; }

    public String status() { return status; }

    public BigDecimal total() { return total; }

    public static final class Builder {
        private String customerId;
        private Long orderId;
        private String status;
        private BigDecimal total;

        private Builder() { }

        public Builder customerId(String v) { this.customerId = v; return this; }
        public Builder orderId(Long v) { this.orderId = v; return this; }
        public Builder status(String v) { this.status = v; return this; }
        public Builder total(BigDecimal v) { this.total = v; return this; }
        public ImmutableOrder build() { return new ImmutableOrder(this); }
    }
}
