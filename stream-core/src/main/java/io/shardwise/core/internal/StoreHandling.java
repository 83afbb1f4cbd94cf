package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.dedup.ClaimCutShortException;
import io.shardwise.core.dedup.ClaimOutcomeUnknownException;
import io.shardwise.core.dedup.DedupStore;

import java.time.Instant;

/** What every mode with a dedup store runs a record with: the batch, its duplicate checks, the call, failures. */
abstract class StoreHandling<R, T> implements ModeHandling<R, T> {
    final BatchRun<R, T> run;
    final DuplicateChecks<R, T> duplicates;
    final ProcessorCall<R, T> call;
    final FailureHandling<R, T> failures;

    StoreHandling(BatchRun<R, T> run, FailureHandling<R, T> failures) {
        this.run = run;
        this.failures = failures;
        this.duplicates = new DuplicateChecks<>(run, failures);
        this.call = new ProcessorCall<>(run, failures);
    }

    /**
     * Claims the record's key with a lease, so that no other lane or invocation runs it at the same time. Returns
     * the claim, or null when the record already has its outcome: done (skipped, or parked as a mismatch), held by
     * another live lease (FAILED, retried, not counted), or out of attempts.
     *
     * <p>Out of attempts: the claim counts every attempt, also one that never finished (the store adds the attempt
     * of an expired lease it takes over: a Lambda timeout or a crash). A record whose earlier attempts used up the
     * budget is parked under the new lease without running again, so a record that hangs every time is parked
     * after {@code maxAttempts} runs like any other poison record.
     */
    DedupStore.Claimed claim(Slot<R, T> s) {
        Instant now = run.now();
        DedupStore.ClaimResult claim;
        try {
            claim = run.storeCall(() -> run.store.claim(s.id, s.validation, run.leaseUntil(now),
                    run.expiresAt(now)), "claim");
        } catch (ClaimOutcomeUnknownException e) {
            // The batch fails. The lease this claim may have taken is released here and now, not with the others
            // once every lane has ended: another lane may hang until the function times out, and a lease left then
            // is taken over and counted as an attempt that never called the processor. If this release fails,
            // the batch-fatal release tries again.
            try {
                run.storeCall(() -> run.store.release(s.id, e.leaseToken(), run.expiresAt(run.now())),
                        "release a lease of unknown outcome");
            } catch (RuntimeException releaseFailed) {
                e.addSuppressed(releaseFailed);
                run.leases.put(s.id, e.leaseToken());
            }
            throw e;
        } catch (ClaimCutShortException e) {
            // The deadline stops the batch. The claim may have applied before its answer was lost: release that
            // lease with the margin's time, or the redelivery is refused as "lease held" until it ends and the
            // takeover then counts an attempt that never ran. Best effort: if it fails too, that is the bound.
            try {
                run.dedupCalls.incrementAndGet();
                run.lastWriteStore().release(s.id, e.leaseToken(), run.expiresAt(run.now()));
            } catch (RuntimeException releaseFailed) {
                e.addSuppressed(releaseFailed);
            }
            throw e;
        }
        if (claim instanceof DedupStore.Rejected rejected) {
            DedupStore.Entry existing = rejected.existing();
            if (duplicates.skipIfKnownDone(s, existing, run.now())) {
                return null;
            }
            s.set(Outcome.FAILED, new LeaseHeldException(s.raw.describe() + " is being processed by "
                    + leaseHolder(s, existing) + " (lease until "
                    + Instant.ofEpochMilli(existing.inProgressExpirationMillis()) + "); it will be retried"), 0);
            failures.logFailure(s);
            return null;
        }
        DedupStore.Claimed claimed = (DedupStore.Claimed) claim;
        run.leases.put(s.id, claimed.leaseToken());
        int attempts = claimed.failedAttempts();
        if (attempts >= run.config.maxAttempts()) {
            failures.parkOrFail(s, failures.attemptsUsedUp(s, attempts), attempts, claimed.leaseToken(), false,
                    true);
            run.leases.remove(s.id);
            return null;
        }
        return claimed;
    }

    /**
     * Who holds the lease a claim was refused on, as far as this invocation can tell: one of its own lanes when the
     * token is one it holds (a record of this batch with the same dedup key: a producer duplicate under another
     * partition key); possibly one when such a twin is in the batch but its claim has not come back yet (its
     * token is unknown until then); else another invocation.
     */
    private String leaseHolder(Slot<R, T> s, DedupStore.Entry existing) {
        Slot<R, T> twin = null;
        for (Slot<R, T> other : run.slots) {
            if (other != s && s.id.equals(other.id)) {
                twin = other;
                break;
            }
        }
        if (twin == null) {
            return "another invocation";
        }
        if (existing.leaseToken() != null && run.leases.containsValue(existing.leaseToken())) {
            return "another lane of this invocation (" + twin.raw.describe() + " of this batch has the same dedup key)";
        }
        return "another invocation, or another lane of this one (" + twin.raw.describe()
                + " of this batch has the same dedup key)";
    }

    /** Runs a claimed record and marks it COMPLETED under its lease when the processor succeeded. */
    void runClaimed(Slot<R, T> s, DedupStore.Claimed claimed, LaneState<R, T> state) {
        if (call.runProcessor(s, claimed.failedAttempts() + 1, claimed.leaseToken(), state)) {
            boolean kept = run.storeCall(() -> run.store.complete(s.id, claimed.leaseToken(),
                    run.expiresAt(run.now())), "complete");
            if (!kept) {
                failures.logLeaseLost(s, "the lease expired before completion and another invocation took it; "
                        + "the effect may happen twice");
            }
        }
        // Only once the lease's last write went through: if a store call threw, the batch fails and releases it.
        run.leases.remove(s.id);
    }
}
