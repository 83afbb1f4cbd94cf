package io.shardwise.core.internal;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.dedup.TransactionalWrites;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Collects one record's staged writes. Confined to the thread processing the record.
 *
 * <p>A record that stages more than {@link #MAX_ITEMS_PER_RECORD} writes can never commit (its writes are never
 * split across transactions), so {@link #add} refuses the first write too many with a
 * {@link NonRetryableException}: the record is parked at once rather than retried to the end of its budget. The
 * refused write is kept, so a processor that catches the refusal and returns normally still stages one write too
 * many, which the commit rejects the same way: none of the record's writes commit and it is parked.
 */
final class StagingWrites implements TransactionalWrites {
    /** A transaction holds 100 items; one is the record's marker. */
    static final int MAX_ITEMS_PER_RECORD = 99;

    private final List<TransactWriteItem> items = new ArrayList<>();

    @Override
    public void add(TransactWriteItem item) {
        Objects.requireNonNull(item, "item");
        if (items.size() >= MAX_ITEMS_PER_RECORD) {
            if (items.size() == MAX_ITEMS_PER_RECORD) {
                items.add(item); // one too many, and no more: enough for the commit to refuse the record
            }
            throw new NonRetryableException("A record may stage at most " + MAX_ITEMS_PER_RECORD + " writes (a "
                    + "DynamoDB transaction holds 100 items and one is the record's dedup marker); this record "
                    + "tried to stage more. It is parked, with none of its writes committed: stage fewer writes "
                    + "per record, e.g. by aggregating updates of one item into one.");
        }
        items.add(item);
    }

    List<TransactWriteItem> items() {
        return List.copyOf(items);
    }
}
