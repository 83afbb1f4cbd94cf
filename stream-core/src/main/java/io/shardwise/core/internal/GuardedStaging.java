package io.shardwise.core.internal;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.GuardedWrites;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.util.Objects;

/**
 * Holds one record's staged guarded write. Confined to the thread processing the record.
 *
 * <p>A second write is refused with a {@link NonRetryableException} naming the record and the fix, and is
 * remembered: a processor that catches the refusal and returns still leaves the record {@link #refusal refused},
 * so it is parked with nothing written instead of having half its effect guarded.
 */
final class GuardedStaging implements GuardedWrites {
    private final StreamRecord<?> record;
    private Put put;
    private Update update;
    private NonRetryableException refusal;

    GuardedStaging(StreamRecord<?> record) {
        this.record = record;
    }

    @Override
    public void put(Put put) {
        Objects.requireNonNull(put, "put");
        stage();
        this.put = put;
    }

    @Override
    public void update(Update update) {
        Objects.requireNonNull(update, "update");
        stage();
        this.update = update;
    }

    private void stage() {
        if (put != null || update != null || refusal != null) {
            refusal = new NonRetryableException("Record " + record.describe() + " staged a second guarded write: "
                    + "DedupMode.GUARDED guards exactly one item per record (the item carries the record's position). "
                    + "Nothing of this record is written and it is parked. Use DedupMode.TRANSACTIONAL for effects "
                    + "that touch several items, or merge the writes into one update of one item.");
            throw refusal;
        }
    }

    Put put() {
        return put;
    }

    Update update() {
        return update;
    }

    /** The refusal of a second write, if the processor tried one (even if it caught the exception). */
    NonRetryableException refusal() {
        return refusal;
    }

    boolean isEmpty() {
        return put == null && update == null;
    }
}
