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
        DedupStore.ClaimResult claim = run.storeCall(() -> run.store.claim(s.id, s.validation, run.leaseUntil(now),
                run.expiresAt(now)), "claim");
        if (claim instanceof DedupStore.Rejected rejected) {
            DedupStore.Entry existing = rejected.existing();
            if (duplicates.skipIfKnownDone(s, existing, run.now())) {
                return;
            }
            s.set(Outcome.FAILED, new LeaseHeldException(s.raw.describe() + " is being processed by another "
                    + "invocation (lease until " + Instant.ofEpochMilli(existing.inProgressExpirationMillis())
                    + "); it will be retried"), 0);
            failures.logFailure(s);
            return;
        }
        DedupStore.Claimed claimed = (DedupStore.Claimed) claim;
        int attempt = claimed.failedAttempts() + 1;
        if (call.runProcessor(s, attempt, claimed.leaseToken(), state)) {
            boolean kept = run.storeCall(() -> run.store.complete(s.id, claimed.leaseToken(),
                    run.expiresAt(run.now())), "complete");
            if (!kept) {
                failures.logLeaseLost(s, "the lease expired before completion and another invocation took it; the "
                        + "effect may happen twice");
            }
        }
    }
}
