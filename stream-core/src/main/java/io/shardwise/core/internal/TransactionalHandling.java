package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.dedup.DedupStore;

import java.time.Instant;

/**
 * {@code TRANSACTIONAL} mode: the processor stages its DynamoDB writes; a record is not done until
 * {@link TransactionalCommits} committed them together with its marker. Exactly-once effects for staged writes.
 * A record that is parked or failed while earlier records are staged waits for their commit first, so nothing is
 * made done ahead of an earlier record that is not.
 */
final class TransactionalHandling<R, T> extends StoreHandling<R, T> {
    /** Commit a lane's staged records once this many items are pending. */
    private static final int COMMIT_THRESHOLD_ITEMS = 1_000;

    private final TransactionalCommits<R, T> commits;

    TransactionalHandling(BatchRun<R, T> run, FailureHandling<R, T> failures) {
        super(run, failures);
        this.commits = new TransactionalCommits<>(run, failures, duplicates);
    }

    @Override
    public void handle(Slot<R, T> s, LaneState<R, T> state) {
        Instant now = run.now();
        DedupStore.Entry entry = run.known.get(s.id);
        PayloadMismatchException mismatch = duplicates.mismatch(s, entry, now);
        if (mismatch != null) {
            parkAfterStaged(s, mismatch, entry.attempts() + 1, state);
            return;
        }
        if (duplicates.skipIfKnownDone(s, entry, now)) {
            return;
        }
        Slot<R, T> earlier = state.stagedIds.containsKey(s.id) ? state.stagedIds.get(s.id) : state.firstById.get(s.id);
        PayloadMismatchException within = duplicates.mismatchWithin(s, earlier);
        if (within != null) {
            parkAfterStaged(s, within, 1, state);
            return;
        }
        // A duplicate of a record staged earlier in this lane: its fate follows the earlier one's commit.
        if (state.stagedIds.containsKey(s.id)) {
            state.duplicatesOfStaged.add(new LaneState.DupPair<>(s, state.stagedIds.get(s.id)));
            s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
            return;
        }
        if (duplicates.skipIfDoneEarlierInLane(s, state)) {
            return;
        }
        int attempt = entry == null || entry.isExpired(now) ? 1 : entry.attempts() + 1;
        if (attempt > run.config.maxAttempts()) {
            // Only an attempt that never finished leaves a live count this high (the OverrunWatch counted it; a
            // failure that uses up the budget parks at once): park without running it again.
            commits.commitPending(state);
            if (run.blocked(s, state)) {
                s.set(Outcome.NOT_ATTEMPTED, null, 0);
            } else {
                failures.parkOrFail(s, failures.attemptsUsedUp(s, attempt - 1), attempt - 1, null, true, true);
            }
            return;
        }
        if (s.decodeError != null) {
            failAfterStaged(s, s.decodeError, attempt, false, state);
            return;
        }
        StagingWrites writes = new StagingWrites();
        Throwable error = call.invoke(s, attempt, writes, state);
        if (error != null) {
            failAfterStaged(s, error, attempt, true, state);
            return;
        }
        // Not done until committed: keep it pending.
        s.outcome = null;
        s.attempts = attempt;
        s.staged = true;
        state.staged.add(new LaneState.StagedSlot<>(s, writes.items()));
        state.stagedIds.put(s.id, s);
        state.stagedItems += writes.items().size() + 1;
        if (state.stagedItems >= COMMIT_THRESHOLD_ITEMS) {
            commits.commitPending(state);
        }
    }

    @Override
    public void beforeDone(LaneState<R, T> state) {
        commits.commitPending(state);
    }

    @Override
    public void finishLane(LaneState<R, T> state) {
        commits.commitPending(state);
    }

    /** Parking makes a record done: not ahead of earlier records still staged. */
    private void parkAfterStaged(Slot<R, T> s, PayloadMismatchException mismatch, int attempts,
                                 LaneState<R, T> state) {
        commits.commitPending(state);
        if (run.blocked(s, state)) {
            s.set(Outcome.NOT_ATTEMPTED, null, 0);
        } else {
            failures.parkOrFail(s, mismatch, attempts, null, true, false);
        }
    }

    /**
     * A record failed while earlier records of the lane are staged but not committed. Commit them first: if
     * one of them fails, this record must not be parked (done) ahead of it, so it becomes NOT_ATTEMPTED.
     */
    private void failAfterStaged(Slot<R, T> s, Throwable error, int attempt, boolean countAttempt,
                                 LaneState<R, T> state) {
        commits.commitPending(state);
        if (run.blocked(s, state)) {
            s.set(Outcome.NOT_ATTEMPTED, null, 0);
            return;
        }
        failures.fail(s, error, attempt, null, countAttempt);
    }
}
