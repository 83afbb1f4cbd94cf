package io.shardwise.core;

import java.util.List;
import java.util.Objects;

/**
 * What users write: the code that handles one record. Subclass it (or use {@link #of}) and hand it to an
 * adapter's handler ({@code KinesisBatchHandler}, {@code DynamoDbStreamHandler}) or to {@link BatchProcessor}.
 *
 * <p>The engine calls {@link #process} once per record, in shard order (per partition key when records of
 * different keys run in parallel). Return normally for success; throw for failure. A thrown exception fails
 * that record only: {@link #isRetryable} decides whether it is retried or parked. The optional hooks have safe
 * defaults.
 *
 * <p>Thread-safety: with {@code maxConcurrency > 1}, {@code process} runs on several threads at once (never
 * for two records of the same partition key), so a subclass's shared state must be thread-safe.
 *
 * @param <T> the decoded payload type
 */
public abstract class RecordProcessor<T> {

    /**
     * Handles one record.
     *
     * @param record  the record, payload decoded
     * @param context attempt number, dedup key, invocation context and, in transactional dedup mode, the
     *                handle for staging DynamoDB writes
     * @throws Exception to fail this record; never fails the batch. An {@link InterruptedException} (or returning
     *                   or throwing with the thread's interrupt flag set) also stops the batch: later records are
     *                   not started, and the flag is set again when the engine returns
     */
    public abstract void process(StreamRecord<T> record, RecordContext context) throws Exception;

    /**
     * Called before the first record of a batch is decoded, with the batch's raw records (shard order).
     * Default: nothing. An exception thrown here fails the whole batch (Lambda retries it).
     */
    public void onBatchStart(List<? extends StreamRecord<?>> records) {
        // no-op by default
    }

    /** Called after every record has its outcome. Default: nothing. Exceptions are logged, not thrown. */
    public void onBatchEnd(BatchResult result) {
        // no-op by default
    }

    /**
     * Whether a failure is worth retrying; non-retryable failures are parked at once. Default:
     * {@link ExceptionClassifier#DEFAULT}.
     */
    public boolean isRetryable(Throwable error) {
        return ExceptionClassifier.DEFAULT.isRetryable(error);
    }

    /**
     * The key under which this record's effect is deduplicated. Default: the stream position
     * ({@link StreamRecord#positionKey()}), which absorbs Lambda's redeliveries. Override to derive it from the
     * payload (e.g. an {@code eventId} field) to also absorb producer-side duplicates. The value is hashed
     * before it is stored. Must be deterministic and must not return null or blank.
     */
    public String dedupKey(StreamRecord<T> record) {
        return record.positionKey();
    }

    /** One record handler as a lambda. */
    @FunctionalInterface
    public interface Handler<T> {
        /**
         * Processes one record, as {@link RecordProcessor#process} does.
         *
         * @param record  the decoded record
         * @param context the record's attempt, deadline and writes
         * @throws Exception to fail the record (see {@link RecordProcessor#process})
         */
        void handle(StreamRecord<T> record, RecordContext context) throws Exception;
    }

    /** A processor from a lambda, with the default hooks. */
    public static <T> RecordProcessor<T> of(Handler<T> handler) {
        Objects.requireNonNull(handler, "handler");
        return new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<T> record, RecordContext context) throws Exception {
                handler.handle(record, context);
            }
        };
    }
}
