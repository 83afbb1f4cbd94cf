package io.shardwise.core.internal;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.BatchResult;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.CallDeadlineException;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.sink.FailureSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine behind {@link io.shardwise.core.BatchProcessor}: orchestrates one batch through its phases, each in
 * its own file so each guarantee lives in one place.
 *
 * <ol>
 *   <li>{@link BatchValidation}: the batch as a whole, before any effect;</li>
 *   <li>with a dedup store, {@link Decoding} and {@link KeyDerivation} of every record up front (failures become
 *       per-record decode errors); without one, records are decoded in their lane just before they run;</li>
 *   <li>{@link Prefetch}: one batched read of what the dedup store already knows;</li>
 *   <li>{@link LaneScheduler}: the records run in lanes, each record by the mode's {@link ModeHandling}
 *       ({@link NoStoreHandling}, {@link PerRecordHandling}, {@link WatermarkHandling},
 *       {@link TransactionalHandling} with {@link TransactionalCommits}); failures go through
 *       {@link FailureHandling};</li>
 *   <li>{@link ResultBuilder}: the outcomes and the response naming the lowest record that is not done.</li>
 * </ol>
 *
 * <p>Thread-safe: all per-batch state lives in {@link BatchRun}.
 */
public final class Engine<R, T> {
    private static final Logger BATCH_LOG = LoggerFactory.getLogger("io.shardwise.batch");

    private final RecordProcessor<T> processor;
    private final RecordDecoder<R, T> decoder;
    private final ProcessingConfig config;
    private final DedupStore store;
    private final FailureSink sink;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final BatchReporter reporter;
    /**
     * The {@link OverrunWatch}es' timer: one daemon thread, started by the first batch that needs it (unless the
     * config supplies one).
     */
    private ScheduledExecutorService overrunTimer;
    /** GUARDED mode: the key attributes of the tables written, looked up once (only a Put on a shared item needs them). */
    private final java.util.Map<String, List<String>> guardedKeys = GuardedWriter.newKeyCache();

    public Engine(RecordProcessor<T> processor, RecordDecoder<R, T> decoder, ProcessingConfig config) {
        this.processor = processor;
        this.decoder = decoder;
        this.config = config;
        this.store = config.dedupStore().orElse(null);
        this.sink = config.failureSink().orElse(null);
        if (config.maxConcurrency() > 1 && config.executor().isEmpty()) {
            this.ownedExecutor = Executors.newFixedThreadPool(config.maxConcurrency(), daemonThreads());
            this.executor = ownedExecutor;
        } else {
            this.ownedExecutor = null;
            this.executor = config.executor().orElse(null);
        }
        this.reporter = new BatchReporter(config);
        if (store != null && config.dedupMode() == io.shardwise.core.dedup.DedupMode.GUARDED) {
            GuardedModeCheck.refusePayloadKeys(processor);
        }
    }

    public ProcessingConfig config() {
        return config;
    }

    public void close() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
        synchronized (this) {
            if (overrunTimer != null) {
                overrunTimer.shutdownNow();
            }
        }
    }

    private synchronized ScheduledExecutorService overrunTimer() {
        if (config.overrunTimer().isPresent()) {
            return config.overrunTimer().get(); // the caller's: never shut down here
        }
        if (overrunTimer == null) {
            overrunTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "shardwise-overrun-watch");
                t.setDaemon(true);
                return t;
            });
        }
        return overrunTimer;
    }

    public BatchResult process(List<StreamRecord<R>> records, Context context) {
        long startNanos = System.nanoTime();
        if (records == null || records.isEmpty()) {
            return new BatchResult(List.of(), new StreamsEventResponse(new ArrayList<>()), Duration.ZERO);
        }
        processor.onBatchStart(records);
        BatchRun<R, T> run = new BatchRun<>(processor, decoder, config, store, sink, reporter, context,
                BatchValidation.slots(records, store == null ? null : config.dedupMode()));
        prepare(run);
        run.overrunWatch = OverrunWatch.arm(run, store, this::overrunTimer);
        try {
            if (prefetch(run)) {
                FailureHandling<R, T> failures = new FailureHandling<>(run);
                new LaneScheduler<>(run, handling(run, failures), failures, executor).runAll();
            }
        } catch (RuntimeException batchFatal) {
            releaseLeases(run, batchFatal);
            throw batchFatal;
        } finally {
            if (run.overrunWatch != null) {
                run.overrunWatch.disarm();
            }
        }
        BatchResult result = ResultBuilder.result(run.slots, Duration.ofNanos(System.nanoTime() - startNanos));
        reporter.report(records, result, run.dedupCalls.get(), config.clock().instant());
        try {
            processor.onBatchEnd(result);
        } catch (RuntimeException e) {
            BATCH_LOG.warn("onBatchEnd threw; the batch result stands", e);
        }
        return result;
    }

    /** The batched read; false when it ran out of the invocation's time: then no record starts (all redelivered). */
    private boolean prefetch(BatchRun<R, T> run) {
        try {
            new Prefetch<>(run).read();
            return true;
        } catch (CallDeadlineException e) {
            BATCH_LOG.warn("{\"event\":\"deadline_stop\",\"consumer\":\"{}\",\"detail\":\"{}\"}",
                    config.consumerName(), e.getMessage());
            return false;
        }
    }

    /**
     * The whole batch fails (the dedup store failed mid-batch): give up the leases this invocation still holds,
     * so that Lambda's retry can run those records at once instead of failing them as "lease held" until the
     * leases end (up to the function timeout). Best effort: a release that fails too is added to the batch's error,
     * and that lease then ends on its own.
     */
    private void releaseLeases(BatchRun<R, T> run, RuntimeException batchFatal) {
        for (var lease : run.leases.entrySet()) {
            try {
                run.dedupCalls.incrementAndGet();
                // Through the batch's bounded view: with no time left the release is skipped (the lease then ends
                // with the invocation's time, which is what bounds it).
                run.store.release(lease.getKey(), lease.getValue(), run.expiresAt(run.now()));
            } catch (RuntimeException e) {
                batchFatal.addSuppressed(e);
            }
        }
        run.leases.clear();
    }

    /** With a dedup store, decodes every record and derives its keys up front: the batched read needs all ids. */
    private void prepare(BatchRun<R, T> run) {
        if (store == null) {
            return;
        }
        Decoding<R, T> decoding = new Decoding<>(run);
        KeyDerivation<R, T> keys = new KeyDerivation<>(run);
        for (Slot<R, T> s : run.slots) {
            decoding.decode(s);
            keys.deriveKeys(s);
        }
    }

    private ModeHandling<R, T> handling(BatchRun<R, T> run, FailureHandling<R, T> failures) {
        if (store == null) {
            return new NoStoreHandling<>(new Decoding<>(run), new ProcessorCall<>(run, failures), failures);
        }
        return switch (run.mode) {
            case PER_RECORD -> new PerRecordHandling<>(run, failures);
            case WATERMARK -> new WatermarkHandling<>(run, failures);
            case TRANSACTIONAL -> new TransactionalHandling<>(run, failures);
            case GUARDED -> new GuardedHandling<>(run, failures, new GuardedWriter(config.guardedClient().orElseThrow(),
                    config.consumerName(), run.callTimeLeft(), guardedKeys));
        };
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "shardwise-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
