package io.shardwise.core.dedup;

import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Stages one record's DynamoDB writes, to be committed in the same {@code TransactWriteItems} call as the
 * record's dedup marker: either the writes and the marker both happen, or neither does.
 *
 * <p>Staged writes are discarded if the record fails or turns out to be a duplicate. A record's writes are never
 * split across transactions; one record may stage at most 99 items (a transaction holds 100, one is the
 * marker: the 100th {@link #add} throws {@link io.shardwise.core.NonRetryableException} and the record is parked,
 * with none of its writes committed), and no two records of a batch may write the same item (a DynamoDB rule for one transaction; records
 * of the same item are then committed in separate transactions automatically).
 * Not thread-safe: use it from the thread running {@code process}.
 */
public interface TransactionalWrites {

    /** Stages any transactional write item. */
    void add(TransactWriteItem item);

    default void put(Put put) {
        add(TransactWriteItem.builder().put(put).build());
    }

    default void update(Update update) {
        add(TransactWriteItem.builder().update(update).build());
    }

    default void delete(Delete delete) {
        add(TransactWriteItem.builder().delete(delete).build());
    }

    default void conditionCheck(ConditionCheck check) {
        add(TransactWriteItem.builder().conditionCheck(check).build());
    }
}
