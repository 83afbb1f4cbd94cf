package io.shardwise.testkit.dynamodb.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.BillingModeSummary;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * One table: its definition, its items in key order, its TTL setting and its stream. Every read and write of the
 * items happens under {@link #lock()}; a transaction holds the locks of all its tables, taken in name order.
 */
final class Table {

    private final String name;
    private final String arn;
    private final String id;
    private final Instant created;
    private final KeySchema keySchema;
    private final List<AttributeDefinition> attributeDefinitions;
    private final BillingMode billingMode;
    private final long readCapacity;
    private final long writeCapacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final NavigableMap<ItemKey, Map<String, AttributeValue>> items = new TreeMap<>();
    private StreamLog stream; // the latest stream, enabled or not; null if the table never had one
    private String ttlAttribute; // null when TTL is disabled
    private boolean deleted;

    Table(
            String name,
            String arn,
            String id,
            Instant created,
            KeySchema keySchema,
            List<AttributeDefinition> attributeDefinitions,
            BillingMode billingMode,
            long readCapacity,
            long writeCapacity) {
        this.name = name;
        this.arn = arn;
        this.id = id;
        this.created = created;
        this.keySchema = keySchema;
        this.attributeDefinitions = List.copyOf(attributeDefinitions);
        this.billingMode = billingMode;
        this.readCapacity = readCapacity;
        this.writeCapacity = writeCapacity;
    }

    String name() {
        return name;
    }

    String arn() {
        return arn;
    }

    KeySchema keySchema() {
        return keySchema;
    }

    ReentrantLock lock() {
        return lock;
    }

    /** The items, in key order. Caller holds the lock. */
    NavigableMap<ItemKey, Map<String, AttributeValue>> items() {
        return items;
    }

    /** The stream, or null. Caller holds the lock when it appends. */
    StreamLog stream() {
        return stream;
    }

    void stream(StreamLog stream) {
        this.stream = stream;
    }

    String ttlAttribute() {
        return ttlAttribute;
    }

    void ttlAttribute(String attribute) {
        this.ttlAttribute = attribute;
    }

    boolean deleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
        if (stream != null) {
            stream.disable();
        }
    }

    /**
     * Stores {@code newItem} under {@code key} (null deletes) and writes the stream record for the change. Caller
     * holds the lock.
     */
    void write(ItemKey key, Map<String, AttributeValue> newItem, Instant now, Identity identity) {
        Map<String, AttributeValue> old =
                newItem == null ? items.remove(key) : items.put(key, Items.copy(newItem));
        if (stream != null) {
            stream.append(old, newItem == null ? null : items.get(key), now, identity);
        }
    }

    /** The item under {@code key}, or null. Caller holds the lock. */
    Map<String, AttributeValue> get(ItemKey key) {
        return items.get(key);
    }

    /** The items of one partition, in sort key order. Caller holds the lock. */
    List<Map.Entry<ItemKey, Map<String, AttributeValue>>> partition(AttributeValue hash) {
        List<Map.Entry<ItemKey, Map<String, AttributeValue>>> out = new ArrayList<>();
        for (Map.Entry<ItemKey, Map<String, AttributeValue>> e :
                items.tailMap(new ItemKey(hash, null), true).entrySet()) {
            if (ItemKey.compareValues(e.getKey().hash(), hash) != 0) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** The description DescribeTable returns. Caller holds the lock (for the item count and size). */
    TableDescription describe(TableStatus status) {
        long size = 0;
        for (Map<String, AttributeValue> item : items.values()) {
            size += Items.size(item);
        }
        List<KeySchemaElement> keys = new ArrayList<>();
        keys.add(KeySchemaElement.builder().attributeName(keySchema.hashName()).keyType(KeyType.HASH).build());
        if (keySchema.hasRange()) {
            keys.add(KeySchemaElement.builder().attributeName(keySchema.rangeName()).keyType(KeyType.RANGE).build());
        }
        TableDescription.Builder d = TableDescription.builder()
                .tableName(name)
                .tableArn(arn)
                .tableId(id)
                .tableStatus(status)
                .creationDateTime(created)
                .attributeDefinitions(attributeDefinitions)
                .keySchema(keys)
                .itemCount((long) items.size())
                .tableSizeBytes(size)
                .deletionProtectionEnabled(false)
                .provisionedThroughput(ProvisionedThroughputDescription.builder()
                        .numberOfDecreasesToday(0L)
                        .readCapacityUnits(readCapacity)
                        .writeCapacityUnits(writeCapacity)
                        .build());
        if (billingMode == BillingMode.PAY_PER_REQUEST) {
            d.billingModeSummary(BillingModeSummary.builder()
                    .billingMode(billingMode)
                    .lastUpdateToPayPerRequestDateTime(created)
                    .build());
        }
        if (stream != null && stream.enabled()) {
            d.streamSpecification(StreamSpecification.builder()
                            .streamEnabled(true)
                            .streamViewType(stream.viewType())
                            .build())
                    .latestStreamArn(stream.arn())
                    .latestStreamLabel(stream.label());
        }
        return d.build();
    }
}
