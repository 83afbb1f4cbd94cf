package io.shardwise.ddb;

import software.amazon.awssdk.enhanced.dynamodb.AttributeConverterProvider;
import software.amazon.awssdk.enhanced.dynamodb.AttributeValueType;
import software.amazon.awssdk.enhanced.dynamodb.TableMetadata;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.document.EnhancedDocument;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticTableSchema;

import java.math.BigDecimal;

import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.primaryPartitionKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.primarySortKey;

/** The four kinds of TableSchema the adapter must work with. */
final class Schemas {
    private Schemas() {
    }

    static final TableSchema<Order> BEAN = TableSchema.fromBean(Order.class);

    static final TableSchema<ImmutableOrder> IMMUTABLE = TableSchema.fromImmutableClass(ImmutableOrder.class);

    /** A plain mutable class described by a static schema. */
    static final class StaticOrder {
        String customerId;
        Long orderId;
        String status;
        BigDecimal total;
    }

    static final TableSchema<StaticOrder> STATIC = StaticTableSchema.builder(StaticOrder.class)
            .newItemSupplier(StaticOrder::new)
            .addAttribute(String.class, a -> a.name("customerId").getter(o -> o.customerId)
                    .setter((o, v) -> o.customerId = v).tags(primaryPartitionKey()))
            .addAttribute(Long.class, a -> a.name("orderId").getter(o -> o.orderId)
                    .setter((o, v) -> o.orderId = v).tags(primarySortKey()))
            .addAttribute(String.class, a -> a.name("status").getter(o -> o.status).setter((o, v) -> o.status = v))
            .addAttribute(BigDecimal.class, a -> a.name("total").getter(o -> o.total).setter((o, v) -> o.total = v))
            .build();

    static TableSchema<EnhancedDocument> document(String partitionKey) {
        return TableSchema.documentSchemaBuilder()
                .addIndexPartitionKey(TableMetadata.primaryIndexName(), partitionKey, AttributeValueType.S)
                .attributeConverterProviders(AttributeConverterProvider.defaultProvider())
                .build();
    }
}
