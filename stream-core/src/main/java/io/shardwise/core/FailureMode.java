package io.shardwise.core;

/**
 * What the engine does with the rest of a batch after a record fails.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html">
 *      Lambda: reporting batch item failures</a>
 */
public enum FailureMode {
    /**
     * Default. After the first {@link Outcome#FAILED} record nothing later in the batch runs; the response names
     * that record, so Lambda redelivers it and everything after it. Order is kept for the whole shard.
     */
    STOP_AT_FIRST_FAILURE,
    /**
     * After a record of partition key K fails, later records of K are not attempted; records of other keys go
     * on. The response names the lowest failed sequence number, so records after it that succeeded are
     * redelivered: this mode therefore requires a dedup store (the builder refuses to build without one).
     */
    ISOLATE_PARTITION_KEY
}
