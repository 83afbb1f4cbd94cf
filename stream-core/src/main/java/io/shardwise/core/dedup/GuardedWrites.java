package io.shardwise.core.dedup;

import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Stages the one DynamoDB item write of a record in {@link DedupMode#GUARDED} mode. After the processor returns,
 * the engine sends it as a plain {@code PutItem} or {@code UpdateItem} that also records the record's stream
 * position on the item, conditioned on the item not having it yet: the write is the dedup marker. No marker
 * item, no transaction: about one write unit per record.
 *
 * <p>Contract:
 * <ul>
 *   <li>At most one write per record. The second {@link #put}/{@link #update} throws
 *       {@link io.shardwise.core.NonRetryableException} and the record is parked with nothing written (also when
 *       the processor catches the refusal): a record whose effect spans several items needs
 *       {@link DedupMode#TRANSACTIONAL}. A record that stages nothing has no guarded effect and is
 *       {@code PROCESSED}.</li>
 *   <li>Your own {@code conditionExpression} is kept (and-ed with the guard's): when it fails, the record fails
 *       (retryable, as in {@code TRANSACTIONAL}); when the guard's fails, the record is
 *       {@code SKIPPED_DUPLICATE}.</li>
 *   <li>Attribute names starting with {@code _shardwise} and the placeholders {@code #_sw} and {@code :_sw} are
 *       the engine's: a write using them is refused (non-retryable).</li>
 *   <li>A {@code Put} replaces the item, guard entries included: see docs/dedup.md for items written by records of
 *       several partition keys (use {@code Update} there). Deletes are not offered: a deleted item forgets its
 *       guard, so an earlier record redelivered would write it again (write a tombstone attribute instead).</li>
 *   <li>Staged writes are not visible to later records until the processor returned (they are sent right after
 *       it, before the next record starts), so read-modify-write across records works, but prefer update
 *       expressions ({@code ADD total :amount}).</li>
 * </ul>
 * Not thread-safe: use it from the thread running {@code process}.
 */
public interface GuardedWrites {

    /** Stages the record's write as a {@code PutItem}. */
    void put(Put put);

    /** Stages the record's write as an {@code UpdateItem}. */
    void update(Update update);
}
