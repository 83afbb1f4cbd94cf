package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.dedup.DedupStore;

import java.time.Instant;

/**
 * {@code PER_RECORD} mode: skip what the prefetch says is done; claim the rest with a lease (two invocations never
 * run one key at once), run, and mark COMPLETED under the lease. Effects at least once: a crash between the effect
 * and the completion write replays that one record after the lease expires.
 */
final class PerRecordHandling<R, T> extends StoreHandling<R, T> {

    PerRecordHandling(BatchRun<R, T> run, FailureHandling<R, T> failures) {
        super(run, failures);
    }

    @Override
    public void handle(Slot<R, T> s, LaneState<R, T> state) {
        Instant now = run.now();
        if (duplicates.skipIfKnownDone(s, run.known.get(s.id), now) || duplicates.skipIfDoneEarlierInLane(s, state)) {
            return;
        }
        if (s.decodeError != null) {
            DedupStore.Entry known = run.known.get(s.id);
            failures.fail(s, s.decodeError, known == null ? 1 : known.attempts() + 1, null, false);
            return;
        }
        DedupStore.Claimed claimed = claim(s);
        if (claimed != null) {
            runClaimed(s, claimed, state);
        }
    }
}
