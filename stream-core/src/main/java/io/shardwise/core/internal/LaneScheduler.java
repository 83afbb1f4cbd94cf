package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.CallDeadlineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * Runs the records in lanes: one lane for the whole batch when sequential, one per partition key when key-parallel
 * ({@code maxConcurrency} workers pull whole lanes from a queue). A lane runs its records strictly in order and
 * writes only its own slots; the join of the lane futures publishes them. Decides, before each record, whether it
 * may start at all: not after a stop (failure, interrupt, deadline), nor (isolate) after its key failed.
 */
final class LaneScheduler<R, T> {
    private final BatchRun<R, T> run;
    private static final Logger BATCH_LOG = LoggerFactory.getLogger("io.shardwise.batch");

    private final ModeHandling<R, T> handling;
    private final FailureHandling<R, T> failures;
    private final Executor executor;

    LaneScheduler(BatchRun<R, T> run, ModeHandling<R, T> handling, FailureHandling<R, T> failures, Executor executor) {
        this.run = run;
        this.handling = handling;
        this.failures = failures;
        this.executor = executor;
    }

    /**
     * Runs every lane and returns once all are done. An interrupt seen in any lane is handed to the calling thread
     * when this returns or throws (its store calls are done by then), never left on a pool worker, which would
     * abort the next batch's SDK calls on that worker and hide the interrupt from the caller.
     */
    void runAll() {
        try {
            if (run.keyParallel) {
                runLanesInParallel();
            } else {
                runLane(run.runOrder);
            }
        } finally {
            if (run.interrupted.get()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void runLanesInParallel() {
        Map<String, List<Slot<R, T>>> lanes = new LinkedHashMap<>();
        for (Slot<R, T> s : run.runOrder) {
            lanes.computeIfAbsent(s.laneKey(), k -> new ArrayList<>()).add(s);
        }
        // maxConcurrency workers pull whole lanes from a queue: bounded concurrency, order kept per key.
        ConcurrentLinkedQueue<List<Slot<R, T>>> queue = new ConcurrentLinkedQueue<>(lanes.values());
        int workers = Math.min(run.config.maxConcurrency(), lanes.size());
        List<CompletableFuture<Void>> futures = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            futures.add(CompletableFuture.runAsync(() -> {
                List<Slot<R, T>> lane;
                while ((lane = queue.poll()) != null) {
                    runLane(lane);
                }
            }, executor));
        }
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof Error err) {
                throw err;
            }
            run.fatal.compareAndSet(null, cause instanceof RuntimeException re ? re
                    : new StreamProcessingException("Key-parallel worker failed", cause));
        }
        if (run.fatal.get() != null) {
            throw run.fatal.get();
        }
    }

    /** Runs records strictly in order. Writes only the given slots. */
    private void runLane(List<Slot<R, T>> lane) {
        LaneState<R, T> state = new LaneState<>(run.watermarks);
        Slot<R, T> current = null;
        try {
            for (Slot<R, T> s : lane) {
                current = s;
                if (s.outcome != null) {
                    continue;
                }
                if (run.fatal.get() != null || run.blocked(s, state)) {
                    s.set(Outcome.NOT_ATTEMPTED, null, 0);
                    continue;
                }
                if (run.outOfTime() && !firstOfBatch()) {
                    run.stop.set(true);
                    s.set(Outcome.NOT_ATTEMPTED, null, 0);
                    continue;
                }
                run.started.set(true);
                if (s.invalid != null) {
                    parkInvalid(s, state);
                } else {
                    handle(s, state);
                }
                if (s.outcome == Outcome.FAILED || s.outcome == Outcome.NOT_ATTEMPTED) {
                    run.laneFailure(s, state);
                }
                if (state.interrupted) {
                    // Usually the runtime shutting down: start nothing more, in any lane. What did not run
                    // is NOT_ATTEMPTED and redelivered.
                    run.stop.set(true);
                }
            }
            current = null;
            handling.finishLane(state);
        } catch (CallDeadlineException e) {
            deadlineStop(current, e);
        } catch (RuntimeException e) {
            run.fatal.compareAndSet(null, e);
            run.stop.set(true);
            if (!run.keyParallel) {
                throw e;
            }
        } finally {
            if (state.interrupted) {
                run.interrupted.set(true); // set on the caller's thread by runAll
            }
        }
    }

    /**
     * Whether this is the batch's first record to start, which starts even when the time left is already under
     * the deadline margin: that happens only when the function's timeout is no longer than the margin, and then no
     * record would ever start, on every delivery, with the shard stalled silently. It runs (its lease, if any, is
     * bounded by the time left), and a warning says what to change.
     */
    private boolean firstOfBatch() {
        if (!run.started.compareAndSet(false, true)) {
            return false;
        }
        BATCH_LOG.warn("{\"event\":\"deadline_margin\",\"consumer\":\"{}\",\"detail\":\"the invocation had {} ms "
                + "left when the batch started, no more than the deadlineMargin of {} ms: only the first record is "
                + "started. Raise the function timeout well above the deadlineMargin, or lower "
                + "ProcessingConfig.deadlineMargin(...)\"}", run.config.consumerName(),
                run.context.getRemainingTimeInMillis(), run.marginMillis);
        return true;
    }

    /** A record {@link BatchValidation} found unrunnable: parked (not ahead of records still to commit). */
    private void parkInvalid(Slot<R, T> s, LaneState<R, T> state) {
        handling.beforeDone(state);
        if (run.blocked(s, state)) {
            s.set(Outcome.NOT_ATTEMPTED, null, 0);
            return;
        }
        // The marker, if any, belongs to the record whose position or key this one repeats: leave it alone.
        failures.parkOrFail(s, s.invalid, 1, null, false, false);
    }

    /**
     * A store call ran out of the invocation's time (throttling, SDK retries): stop, and let the response go out
     * before Lambda's timeout would replay the whole batch. The record whose call was cut short is FAILED unless it
     * already had its outcome (its effect ran and only the completion write was cut short: it stays PROCESSED,
     * which is at least once, like a crash after the effect); records staged for a commit that was cut short, and
     * the rest of the lane, are NOT_ATTEMPTED (whether the commit applied is unknown: their markers say so on
     * redelivery). Nothing is lost: every record not done is named by, or after, the response.
     */
    private void deadlineStop(Slot<R, T> current, CallDeadlineException e) {
        run.stop.set(true);
        if (current != null && current.outcome == null && !current.staged) {
            current.set(Outcome.FAILED, e, current.attempts);
            failures.logFailure(current);
        }
        BATCH_LOG.warn("{\"event\":\"deadline_stop\",\"consumer\":\"{}\",\"detail\":\"{}\"}",
                run.config.consumerName(), e.getMessage());
    }

    private void handle(Slot<R, T> s, LaneState<R, T> state) {
        try {
            handling.handle(s, state);
            // A record parked for reusing another payload's key does not own the key: later records compare
            // with the one that does.
            if (run.store != null && s.outcome != null && s.outcome.isDone()
                    && !(s.error instanceof PayloadMismatchException)) {
                state.firstById.putIfAbsent(s.id, s);
            }
        } finally {
            // The processor has had it; parking and reporting use the raw record. Frees large batches early.
            s.decoded = null;
        }
    }
}
