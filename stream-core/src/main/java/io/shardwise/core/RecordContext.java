package io.shardwise.core;

import com.amazonaws.services.lambda.runtime.Context;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.GuardedWrites;
import io.shardwise.core.dedup.TransactionalWrites;

import java.util.function.Supplier;

/**
 * What the engine tells a {@link RecordProcessor} about the record being processed. One instance per record
 * and attempt; not shared between threads.
 */
public final class RecordContext {
    private final int attempt;
    private String dedupKey;
    private Supplier<String> dedupKeySource;
    private final Context lambdaContext;
    private final TransactionalWrites writes;
    private final GuardedWrites guarded;

    /**
     * For the engine and for tests of processors.
     *
     * @param attempt       1 for the first attempt; counted across invocations when a dedup store is configured
     * @param dedupKey      the record's dedup key (not hashed)
     * @param lambdaContext the invocation's context (may be null in tests)
     * @param writes        the transactional write handle, or null outside transactional dedup mode
     */
    public RecordContext(int attempt, String dedupKey, Context lambdaContext, TransactionalWrites writes) {
        this(attempt, dedupKey, lambdaContext, writes, null);
    }

    /**
     * For the engine and for tests of processors.
     *
     * @param guarded the handle for the record's one guarded write, or null outside {@link DedupMode#GUARDED}
     */
    public RecordContext(int attempt, String dedupKey, Context lambdaContext, TransactionalWrites writes,
                         GuardedWrites guarded) {
        this.attempt = attempt;
        this.dedupKey = dedupKey;
        this.lambdaContext = lambdaContext;
        this.writes = writes;
        this.guarded = guarded;
    }

    /**
     * For the engine: a context whose dedup key is derived on first use. Without a dedup store the engine never
     * needs the key, and building it for every record would be wasted work on the hot path.
     *
     * @param dedupKey called at most once, on the first {@link #dedupKey()} call
     */
    public static RecordContext withDeferredDedupKey(int attempt, Supplier<String> dedupKey, Context lambdaContext,
                                                     TransactionalWrites writes) {
        RecordContext context = new RecordContext(attempt, null, lambdaContext, writes);
        context.dedupKeySource = java.util.Objects.requireNonNull(dedupKey, "dedupKey");
        return context;
    }

    /** 1 for the first attempt, 2 for the first retry, and so on. */
    public int attempt() {
        return attempt;
    }

    /** The record's dedup key, as {@link RecordProcessor#dedupKey} returned it. */
    public String dedupKey() {
        if (dedupKey == null && dedupKeySource != null) {
            dedupKey = dedupKeySource.get();
            dedupKeySource = null;
        }
        return dedupKey;
    }

    /** The Lambda invocation context (request id, remaining time…); null only in hand-made test contexts. */
    public Context lambdaContext() {
        return lambdaContext;
    }

    /** Milliseconds left in the invocation, or {@link Long#MAX_VALUE} without a Lambda context. */
    public long remainingTimeMillis() {
        return lambdaContext == null ? Long.MAX_VALUE : lambdaContext.getRemainingTimeInMillis();
    }

    /**
     * The handle for staging this record's DynamoDB writes, committed atomically with its dedup marker.
     *
     * @throws IllegalStateException unless the handler runs in {@link DedupMode#TRANSACTIONAL} mode
     */
    public TransactionalWrites transaction() {
        if (writes == null) {
            throw new IllegalStateException("No transaction: staged writes exist only in TRANSACTIONAL dedup mode. "
                    + "Configure the handler with dedupMode(DedupMode.TRANSACTIONAL) and a DynamoDbDedupStore, "
                    + "or write to DynamoDB directly.");
        }
        return writes;
    }

    /**
     * The handle for staging this record's one DynamoDB item write, sent by the engine right after
     * {@code process} returns and guarded by the record's position on the item (see {@link GuardedWrites}).
     *
     * @throws IllegalStateException unless the handler runs in {@link DedupMode#GUARDED} mode
     */
    public GuardedWrites guarded() {
        if (guarded == null) {
            throw new IllegalStateException("No guarded write: it exists only in GUARDED dedup mode. Configure the "
                    + "handler with dedupMode(DedupMode.GUARDED) and guardedClient(dynamoDb), or write to DynamoDB "
                    + "directly.");
        }
        return guarded;
    }
}
