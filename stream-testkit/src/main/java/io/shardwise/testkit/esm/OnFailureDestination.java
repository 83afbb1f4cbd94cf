package io.shardwise.testkit.esm;

/**
 * Where the runner sends the metadata of records it discards, as Lambda's {@code DestinationConfig.OnFailure}:
 * when a batch runs out of {@code MaximumRetryAttempts} or its records exceed {@code MaximumRecordAgeInSeconds},
 * the runner sends one {@link OnFailureRecord} (shard id, first and last sequence number, arrival times — never
 * the records themselves) and then skips those records.
 *
 * <p>Any lambda works as a capturing sink ({@code .onFailure(list::add)} with a thread-safe list); send them to a
 * real or emulated queue with {@link SqsOnFailureDestination}.
 *
 * <p>Implementations are called from the runner's shard threads, possibly several at once (one per shard and
 * per {@code ParallelizationFactor} slot): they must be thread-safe. An exception is logged and the records are
 * skipped anyway (the runner does not block a shard on its destination).
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html">Kinesis
 *     on-failure destinations</a>
 */
@FunctionalInterface
public interface OnFailureDestination {

    /**
     * Receives the metadata of discarded records.
     *
     * @param record the message Lambda would send; {@link OnFailureRecord#json()} is its exact body
     */
    void send(OnFailureRecord record);
}
