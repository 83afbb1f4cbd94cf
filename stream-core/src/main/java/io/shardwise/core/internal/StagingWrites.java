package io.shardwise.core.internal;

import io.shardwise.core.dedup.TransactionalWrites;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Collects one record's staged writes. Confined to the thread processing the record. */
final class StagingWrites implements TransactionalWrites {
    /** A transaction holds 100 items; one is the record's marker. */
    static final int MAX_ITEMS_PER_RECORD = 99;

    private final List<TransactWriteItem> items = new ArrayList<>();

    @Override
    public void add(TransactWriteItem item) {
        Objects.requireNonNull(item, "item");
        if (items.size() >= MAX_ITEMS_PER_RECORD) {
            throw new IllegalStateException("A record may stage at most " + MAX_ITEMS_PER_RECORD + " writes (a "
                    + "DynamoDB transaction holds 100 items and one is the record's dedup marker)");
        }
        items.add(item);
    }

    List<TransactWriteItem> items() {
        return List.copyOf(items);
    }
}
