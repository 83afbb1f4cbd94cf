package io.shardwise.core;

import com.amazonaws.services.lambda.runtime.Context;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.internal.Engine;
import io.shardwise.core.internal.LambdaMdc;

import java.util.List;
import java.util.Objects;

/**
 * The handler-agnostic entry point: processes one shard's batch, in order, and computes each record's outcome and
 * the partial batch response for Lambda. The Kinesis and DynamoDB Streams handlers are thin layers over it; use
 * it directly for another event shape or in tests.
 *
 * <p>Create it once (in the Lambda handler's constructor: the dedup table is checked then) and reuse it for
 * every invocation. Thread-safe: concurrent {@link #process} calls (several shards in one JVM, tests) are fine.
 *
 * <p>Contract of {@link #process}: never throws for a problem with a record; every record gets one
 * {@link Outcome}; the response names only sequence numbers of the batch, the lowest one that must be
 * redelivered. It throws {@link StreamProcessingException} only when the whole batch is unsafe to report on
 * (e.g. the dedup table is unreachable), and then Lambda retries the batch.
 *
 * @param <R> raw payload type as the adapter delivers it
 * @param <T> decoded payload type the processor receives
 */
public final class BatchProcessor<R, T> implements AutoCloseable {

    private final Engine<R, T> engine;

    private BatchProcessor(Engine<R, T> engine) {
        this.engine = engine;
    }

    /**
     * @throws StreamProcessingException if the configured dedup store is not usable (missing table, wrong key
     *                                   schema, no TTL), with a message saying that the handler cannot start, why, and
     *                                   how to fix it
     */
    public static <R, T> BatchProcessor<R, T> create(RecordProcessor<T> processor, RecordDecoder<R, T> decoder,
                                                     ProcessingConfig config) {
        Objects.requireNonNull(processor, "processor");
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(config, "config");
        config.dedupStore().ifPresent(store -> checkAtInit(store, config.consumerName()));
        return new BatchProcessor<>(new Engine<>(processor, decoder, config));
    }

    /**
     * This runs while the handler is built, in Lambda's init phase, where there is no batch yet: whatever the
     * store's own message says, the error says that the handler cannot start (the store's message says why and
     * how to fix it).
     */
    private static void checkAtInit(DedupStore store, String consumerName) {
        try {
            store.checkReady();
        } catch (StreamProcessingException e) {
            throw new StreamProcessingException("Consumer '" + consumerName + "' cannot start: the check of its "
                    + "dedup store, made at init (while the handler is built), failed; no batch was processed. "
                    + e.getMessage(), e);
        }
    }

    /** A processor for records whose payload needs no decoding. */
    public static <T> BatchProcessor<T, T> create(RecordProcessor<T> processor, ProcessingConfig config) {
        return create(processor, StreamRecord::payload, config);
    }

    /**
     * Processes one shard's records, given in sequence order.
     *
     * @param records the batch (may be empty)
     * @param context the invocation's context; its remaining time bounds which records are started (may be null
     *                in tests: no deadline)
     */
    public BatchResult process(List<StreamRecord<R>> records, Context context) {
        // The invocation's request and trace ids in every log line of this batch (see LambdaMdc).
        LambdaMdc mdc = LambdaMdc.set(context);
        try {
            return engine.process(records, context);
        } finally {
            mdc.restore();
        }
    }

    /** The configuration in use. */
    public ProcessingConfig config() {
        return engine.config();
    }

    /** Stops the thread pool this processor created for key-parallel processing, if any. Idempotent. */
    @Override
    public void close() {
        engine.close();
    }
}
