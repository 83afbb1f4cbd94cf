package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.StreamProcessingException;

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
    private final ModeHandling<R, T> handling;
    private final Executor executor;

    LaneScheduler(BatchRun<R, T> run, ModeHandling<R, T> handling, Executor executor) {
        this.run = run;
        this.handling = handling;
        this.executor = executor;
    }

    void runAll() {
        if (!run.keyParallel) {
            runLane(run.slots);
            return;
        }
        Map<String, List<Slot<R, T>>> lanes = new LinkedHashMap<>();
        for (Slot<R, T> s : run.slots) {
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
        try {
            for (Slot<R, T> s : lane) {
                if (s.outcome != null) {
                    continue;
                }
                if (run.fatal.get() != null || run.blocked(s, state)) {
                    s.set(Outcome.NOT_ATTEMPTED, null, 0);
                    continue;
                }
                if (run.outOfTime()) {
                    run.stop.set(true);
                    s.set(Outcome.NOT_ATTEMPTED, null, 0);
                    continue;
                }
                handle(s, state);
                if (s.outcome == Outcome.FAILED || s.outcome == Outcome.NOT_ATTEMPTED) {
                    run.laneFailure(s, state);
                }
                if (state.interrupted) {
                    // Usually the runtime shutting down: start nothing more, in any lane. What did not run
                    // is NOT_ATTEMPTED and redelivered.
                    run.stop.set(true);
                }
            }
            handling.finishLane(state);
        } catch (RuntimeException e) {
            run.fatal.compareAndSet(null, e);
            run.stop.set(true);
            if (!run.keyParallel) {
                throw e;
            }
        } finally {
            if (state.interrupted) {
                // The lane's store calls are done: hand the interrupt back to whoever owns this thread.
                Thread.currentThread().interrupt();
            }
        }
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
