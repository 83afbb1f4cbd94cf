package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.DedupStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Commits a lane's staged records (markers plus the user's writes) in order and gives each its outcome: PROCESSED
 * when committed, SKIPPED_DUPLICATE when its marker existed, FAILED when a condition of its own failed, and
 * NOT_ATTEMPTED when an earlier record of the call failed. A record is never reported done before it committed.
 */
final class TransactionalCommits<R, T> {
    private final BatchRun<R, T> run;
    private final FailureHandling<R, T> failures;
    private final DuplicateChecks<R, T> duplicates;

    TransactionalCommits(BatchRun<R, T> run, FailureHandling<R, T> failures, DuplicateChecks<R, T> duplicates) {
        this.run = run;
        this.failures = failures;
        this.duplicates = duplicates;
    }

    /**
     * The marker already existed at commit: done by another lane or invocation since the prefetch. With
     * payloadValidation the payload it was done with is checked as for a marker the prefetch found (one read, on
     * this rare path only): a different payload is reported (parked), never skipped.
     */
    private void duplicate(Slot<R, T> s) {
        if (s.validation != null) {
            Instant now = run.now();
            DedupStore.Entry winner = run.storeCall(() -> run.store.read(List.of(s.id)), "read marker").get(s.id);
            PayloadMismatchException mismatch = duplicates.mismatch(s, winner, now);
            if (mismatch != null) {
                failures.parkOrFail(s, mismatch, winner.attempts() + 1, null, true, false);
                return;
            }
        }
        s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
    }

    void commitPending(LaneState<R, T> state) {
        if (state.staged.isEmpty()) {
            return;
        }
        List<DedupStore.Staged> toCommit = new ArrayList<>(state.staged.size());
        for (LaneState.StagedSlot<R, T> st : state.staged) {
            toCommit.add(new DedupStore.Staged(st.slot().id, st.slot().validation, st.items()));
        }
        Instant exp = run.expiresAt(run.now());
        List<DedupStore.CommitResult> results = run.storeCall(() -> run.store.commit(toCommit, exp), "commit");
        if (results.size() != toCommit.size()) {
            throw new StreamProcessingException("Dedup store returned " + results.size() + " commit results for "
                    + toCommit.size() + " records; failing the batch");
        }
        for (int i = 0; i < results.size(); i++) {
            Slot<R, T> s = state.staged.get(i).slot();
            s.staged = false;
            DedupStore.CommitResult r = results.get(i);
            switch (r.status()) {
                case COMMITTED -> {
                    s.set(Outcome.PROCESSED, null, s.attempts);
                    // Done now: later duplicates in this lane are skipped without running the processor.
                    state.firstById.putIfAbsent(s.id, s);
                }
                case DUPLICATE -> duplicate(s);
                case FAILED -> {
                    failures.fail(s, r.error() != null ? r.error()
                            : new StreamProcessingException("Transaction failed for " + s.raw.describe()), s.attempts,
                            null, true);
                    run.laneFailure(s, state);
                }
                case NOT_COMMITTED -> {
                    s.set(Outcome.NOT_ATTEMPTED, null, 0);
                    run.laneFailure(s, state);
                }
                default -> throw new IllegalStateException("unknown commit status " + r.status());
            }
        }
        // Producer duplicates within the lane follow the record they duplicate. One left undone is a record of
        // its own partition key that is not done: in isolate mode nothing later of that key may run after it.
        for (LaneState.DupPair<R, T> pair : state.duplicatesOfStaged) {
            Outcome first = pair.original().outcome;
            if (first == null || !first.isDone()) {
                pair.duplicate().set(Outcome.NOT_ATTEMPTED, null, 0);
                run.laneFailure(pair.duplicate(), state);
            }
        }
        state.duplicatesOfStaged.clear();
        state.staged.clear();
        state.stagedIds.clear();
        state.stagedItems = 0;
    }
}
