package io.shardwise.core.internal;

import com.amazonaws.services.lambda.runtime.Context;
import io.shardwise.core.FailureMode;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.DedupStore.Watermark;
import io.shardwise.core.sink.FailureSink;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything about one invocation's batch that the phases share: the configured parts, the slots, what the
 * prefetch read, and the batch-wide stop flags. The maps filled by {@link Prefetch} are read-only once the lanes
 * run; {@link #stop}, {@link #fatal} and {@link #dedupCalls} are the only state lanes share, and they are atomic.
 */
final class BatchRun<R, T> {
    /** Lease length when there is no Lambda context to bound it (tests, local runs). */
    private static final Duration DEFAULT_LEASE = Duration.ofMinutes(15);

    final RecordProcessor<T> processor;
    final RecordDecoder<R, T> decoder;
    final ProcessingConfig config;
    final DedupStore store;
    final FailureSink sink;
    final BatchReporter reporter;
    final Context context;
    /** Input order: outcomes are reported in it. */
    final List<Slot<R, T>> slots;
    /** Sequence order: records run in it (see {@link BatchValidation#runOrder}). */
    final List<Slot<R, T>> runOrder;
    final AtomicBoolean stop = new AtomicBoolean();
    /** Leases this invocation holds (id to token): released if the batch fails as a whole. */
    final Map<String, String> leases = new ConcurrentHashMap<>();
    /** A lane's thread was interrupted while a record ran: the caller's thread gets the flag when the batch ends. */
    final AtomicBoolean interrupted = new AtomicBoolean();
    /** Whether any record of the batch has started (the first one always may, see {@link LaneScheduler}). */
    final AtomicBoolean started = new AtomicBoolean();
    final AtomicInteger dedupCalls = new AtomicInteger();
    final Map<String, DedupStore.Entry> known = new HashMap<>();
    final Map<String, Watermark> watermarks = new HashMap<>();
    /** For watermark mode: failure entries of the first unfinished record of each scope. */
    final Map<String, DedupStore.Entry> failureEntries = new HashMap<>();
    final AtomicReference<RuntimeException> fatal = new AtomicReference<>();
    /** Counts attempts that overrun the invocation where no lease would; null where none is needed. */
    OverrunWatch overrunWatch;
    final boolean keyParallel;
    final long marginMillis;
    final boolean isolate;
    final DedupMode mode;

    BatchRun(RecordProcessor<T> processor, RecordDecoder<R, T> decoder, ProcessingConfig config, DedupStore store,
             FailureSink sink, BatchReporter reporter, Context context, List<Slot<R, T>> slots) {
        this.processor = processor;
        this.decoder = decoder;
        this.config = config;
        this.marginMillis = config.deadlineMargin().toMillis();
        // Every store call is bounded by the time left minus half the margin (the rest is for parking, the
        // response and the report), so that SDK retries under throttling never carry the batch past the timeout.
        this.store = store == null || context == null ? store : store.withCallTimeout(
                () -> Duration.ofMillis(context.getRemainingTimeInMillis() - marginMillis / 2));
        this.sink = sink;
        this.reporter = reporter;
        this.context = context;
        this.slots = slots;
        this.runOrder = BatchValidation.runOrder(slots, config.consumerName());
        this.keyParallel = config.maxConcurrency() > 1;
        this.isolate = config.failureMode() == FailureMode.ISOLATE_PARTITION_KEY;
        this.mode = store == null ? null : config.dedupMode();
    }

    /**
     * How long one call outside the dedup store (GUARDED mode's writes) may take: the time left minus half the
     * margin, as for store calls; null without a Lambda context (unbounded).
     */
    java.util.function.Supplier<Duration> callTimeLeft() {
        return context == null ? null
                : () -> Duration.ofMillis(context.getRemainingTimeInMillis() - marginMillis / 2);
    }

    /**
     * The store for one write that must still go out once the calls' budget is spent (releasing a lease a claim
     * cut short by the deadline may hold): bounded by the time left less a reserve for the response, so it eats
     * into the margin but never into Lambda's timeout. Null without a store.
     */
    DedupStore lastWriteStore() {
        DedupStore unbounded = config.dedupStore().orElse(null);
        return unbounded == null || context == null ? unbounded : unbounded.withCallTimeout(
                () -> Duration.ofMillis(context.getRemainingTimeInMillis() - LAST_WRITE_RESERVE_MILLIS));
    }

    /** What the response and the report need after the last write (see {@link #lastWriteStore}). */
    private static final long LAST_WRITE_RESERVE_MILLIS = 100;

    boolean outOfTime() {
        return context != null && context.getRemainingTimeInMillis() <= marginMillis;
    }

    /** Whether nothing more may start for this record's key: the batch stopped, or (isolate) its key failed. */
    boolean blocked(Slot<R, T> s, LaneState<R, T> state) {
        return stop.get() || (isolate && state.failedKeys.contains(s.laneKey()));
    }

    /** A record of this lane is not done: stop the batch, or (isolate) its partition key. */
    void laneFailure(Slot<R, T> s, LaneState<R, T> state) {
        if (isolate) {
            state.failedKeys.add(s.laneKey());
        } else {
            stop.set(true);
        }
    }

    Instant leaseUntil(Instant now) {
        if (context == null) {
            return now.plus(DEFAULT_LEASE);
        }
        return now.plusMillis(Math.max(1, context.getRemainingTimeInMillis()));
    }

    Instant expiresAt(Instant now) {
        return now.plus(config.recordTtl());
    }

    Instant now() {
        return config.clock().instant();
    }

    /** Runs one dedup-store call; any failure of it is batch-fatal, with a message naming the call and the fix. */
    <X> X storeCall(StoreOp<X> op, String what) {
        dedupCalls.incrementAndGet();
        try {
            return op.run();
        } catch (StreamProcessingException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StreamProcessingException("Dedup store failed to " + what + " for consumer "
                    + config.consumerName() + ": " + e + ". The whole batch fails so that Lambda retries it; "
                    + "check the dedup table and the function's access to it.", e);
        }
    }

    @FunctionalInterface
    interface StoreOp<X> {
        X run();
    }
}
