package io.shardwise.core.internal;

import io.shardwise.core.StreamRecord;

/**
 * The key a WATERMARK-mode watermark is kept per (unless the shard-wide watermark is on). Stateless.
 *
 * <p>Contract: every record of one scope is delivered by Lambda in sequence order, and within a batch runs in one
 * lane. Lambda keeps order per {@link StreamRecord#orderingKey() ordering key} (the outer Kinesis partition key)
 * across a shard's concurrent batches, and the engine's lanes keep order per {@link StreamRecord#partitionKey()}.
 * So a plain record's scope is its partition key (the same ids as before the ordering key existed: upgrading
 * keeps the stored watermarks), and a KPL sub-record whose user key differs from the outer key is scoped by the
 * pair. Scoping a sub-record by its user key alone lets an aggregate of another outer key, running in a concurrent
 * batch, move the watermark past this one before it ran (issue 20, item 1); scoping by the outer key alone lets a
 * lane of one user key move it past a failed sub-record of another user key in the same aggregate.
 */
public final class WatermarkScope {
    private WatermarkScope() {
    }

    /** The scope of {@code record}: never null. */
    public static String of(StreamRecord<?> record) {
        String key = record.partitionKey() == null ? "" : record.partitionKey();
        String outer = record.orderingKey() == null ? "" : record.orderingKey();
        if (outer.equals(key)) {
            return key;
        }
        // Length-prefixed, so no pair of keys reads as another pair; the NUL lead keeps it apart from plain keys.
        return "\u0000kpl/" + outer.length() + "/" + outer + "/" + key;
    }
}
