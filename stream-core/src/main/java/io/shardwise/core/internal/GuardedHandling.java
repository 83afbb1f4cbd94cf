package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.dedup.DedupStore;

import java.time.Instant;

/**
 * {@code GUARDED} mode: the processor stages at most one item write ({@link GuardedStaging}); the engine sends it
 * right after the processor returns, conditioned on the item's guard for the record's scope
 * ({@link GuardPosition}, {@link GuardedWriter}). The write applied: PROCESSED; the guard says done:
 * SKIPPED_DUPLICATE. No marker is written on the happy path: the dedup store holds only failure counts and
 * PARKED markers, read by the one batched prefetch (so a record parked before is skipped, and attempts are
 * counted across invocations), and written only when a record fails.
 *
 * <p>Exactly-once for the staged write rests on one rule the lanes and Lambda keep: within a scope (shard and
 * partition key), records are applied in sequence order, and a record not done stops every later record of its
 * scope (stop-at-first, or isolate by key). So a guard at or past a record's position means the record was done.
 */
final class GuardedHandling<R, T> extends StoreHandling<R, T> {
    private final GuardedWriter writer;

    GuardedHandling(BatchRun<R, T> run, FailureHandling<R, T> failures, GuardedWriter writer) {
        super(run, failures);
        this.writer = writer;
    }

    @Override
    public void handle(Slot<R, T> s, LaneState<R, T> state) {
        Instant now = run.now();
        DedupStore.Entry entry = run.known.get(s.id);
        if (duplicates.skipIfKnownDone(s, entry, now) || duplicates.skipIfDoneEarlierInLane(s, state)) {
            return;
        }
        int attempt = entry == null || entry.isExpired(now) ? 1 : entry.attempts() + 1;
        if (attempt > run.config.maxAttempts()) {
            // Used up by attempts that never finished (counted by the OverrunWatch): park, do not run again.
            failures.parkOrFail(s, failures.attemptsUsedUp(s, attempt - 1), attempt - 1, null, true, true);
            return;
        }
        if (s.decodeError != null) {
            failures.fail(s, s.decodeError, attempt, null, false);
            return;
        }
        GuardedStaging staged = new GuardedStaging(s.raw);
        Throwable error = call.invoke(s, attempt, null, staged, state);
        if (error == null && staged.refusal() != null) {
            error = staged.refusal(); // a second write, caught by the processor: still nothing is written
        }
        if (error != null) {
            failures.fail(s, error, attempt, null, true);
            return;
        }
        if (staged.isEmpty()) {
            return; // PROCESSED: nothing to guard
        }
        s.outcome = null; // not done until the write is: a deadline cutting it short leaves it FAILED
        GuardedWriter.Written written;
        try {
            written = run.storeCall(() -> writer.write(s.raw, staged), "send the guarded write");
        } catch (io.shardwise.core.NonRetryableException refused) {
            failures.fail(s, refused, attempt, null, true);
            return;
        } catch (io.shardwise.core.StreamProcessingException e) {
            if (e.getCause() instanceof software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException) {
                failures.fail(s, e, attempt, null, true); // the user's own condition failed
                return;
            }
            throw e;
        }
        if (written == GuardedWriter.Written.DUPLICATE) {
            s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
        } else {
            s.set(Outcome.PROCESSED, null, attempt);
        }
    }
}
