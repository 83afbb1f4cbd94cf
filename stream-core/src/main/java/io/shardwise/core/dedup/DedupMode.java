package io.shardwise.core.dedup;

/**
 * How the engine uses the {@link DedupStore}. Chosen per handler. Request counts below are for a 1,000-record
 * batch of one shard.
 */
public enum DedupMode {
    /**
     * One marker item per record. One batched read per 100 records skips completed records with no write; a
     * conditional claim (with a lease bounded by the invocation's remaining time) and a completion write for
     * the rest. Any processor; effects at least once, never concurrently for one key. About 2 requests/record
     * when all records are new, about 0.01 when redelivered records are all done.
     */
    PER_RECORD,
    /**
     * One item per (shard, partition key) holding the highest completed sequence number; records at or below it
     * are skipped. Per key because with {@code ParallelizationFactor > 1} Lambda runs several batches of one shard
     * at once and only per-key order holds; with factor 1, {@code ProcessingConfig.shardWatermark(true)} keeps
     * one item per shard instead. The watermark advances with a conditional write after each record (or each
     * group of {@code watermarkGroupSize}): a crash replays at most one group. About 1 write/record. A
     * payload-derived dedup key (producer duplicates carry new positions) adds a marker per record, written with
     * each advance (one transaction per advance: raise {@code watermarkGroupSize} to batch them). Only for sequence-ordered sources.
     */
    WATERMARK,
    /**
     * Exactly-once effects for processors whose effects are DynamoDB writes: the processor stages writes
     * through {@link TransactionalWrites}; the engine commits them with the records' markers in
     * {@code TransactWriteItems} calls of up to 100 items. About 0.03 requests/record for one user write per
     * record. Processors must not have other side effects, and should use update expressions rather than
     * read-modify-write (staged writes of earlier records are not visible until committed).
     */
    TRANSACTIONAL,
    /**
     * Exactly-once effects at the cost of the effect itself, for processors whose effect is <b>one</b> DynamoDB
     * item write per record: the processor stages it through {@link GuardedWrites}
     * ({@code context.guarded().update(...)}); the engine sends it as a plain conditional {@code UpdateItem} or
     * {@code PutItem} that records the record's stream position on the item and applies only if the item does not
     * have that position (or a later one of the same shard and partition key) yet. No marker item, no
     * transaction: one write unit per record for items under 1 KB (the guard adds about 80 bytes), plus one
     * strongly consistent read unit per record for the batched prefetch of failure counts and parked markers
     * (one {@code BatchGetItem} per 100 records). Failures write a failure count, only when they happen.
     * Needs {@code ProcessingConfig.guardedClient(...)}. Refuses payload-derived dedup keys (a producer
     * duplicate carries a new position, which the item's guard cannot tell from a new event) and DynamoDB
     * Streams events through Lambda (they do not say which shard they hold); a second write in one record is
     * refused (parked). See docs/dedup.md.
     */
    GUARDED
}
