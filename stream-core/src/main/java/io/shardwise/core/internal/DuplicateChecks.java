package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.dedup.DedupStore;

import java.time.Instant;

/**
 * Whether a record's key is already done — by a stored marker or by an earlier record of the same lane — and, with
 * {@code payloadValidation}, whether the payload that did it is this one. A done key with a different payload is
 * reported (parked with {@link PayloadMismatchException}), never silently skipped.
 */
final class DuplicateChecks<R, T> {
    private final BatchRun<R, T> run;
    private final FailureHandling<R, T> failures;

    DuplicateChecks(BatchRun<R, T> run, FailureHandling<R, T> failures) {
        this.run = run;
        this.failures = failures;
    }

    /** Whether the marker says done; sets SKIPPED_DUPLICATE (or a mismatch failure) if so. */
    boolean skipIfKnownDone(Slot<R, T> s, DedupStore.Entry entry, Instant now) {
        if (entry == null || !entry.isDone(now)) {
            return false;
        }
        PayloadMismatchException e = mismatch(s, entry, now);
        if (e != null) {
            // The key is done, with another payload: report it (park), never overwrite the marker.
            failures.parkOrFail(s, e, entry.attempts() + 1, null, true, false);
            return true;
        }
        s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
        return true;
    }

    /** A done key whose stored payload hash differs from this record's, or null. */
    PayloadMismatchException mismatch(Slot<R, T> s, DedupStore.Entry entry, Instant now) {
        if (entry == null || !entry.isDone(now) || s.validation == null || entry.validation() == null
                || entry.validation().equals(s.validation)) {
            return null;
        }
        return new PayloadMismatchException("Dedup key of " + s.raw.describe()
                + " was already processed with a different payload (stored hash " + entry.validation()
                + ", this payload " + s.validation + "). Check that " + run.processor.getClass().getSimpleName()
                + ".dedupKey is unique per event; the record is parked for inspection.");
    }

    /** A producer duplicate of an earlier record of this lane, already done: skip it. */
    boolean skipIfDoneEarlierInLane(Slot<R, T> s, LaneState<R, T> state) {
        Slot<R, T> earlier = state.firstById.get(s.id);
        if (earlier != null && earlier.outcome != null && earlier.outcome.isDone()) {
            PayloadMismatchException e = mismatchWithin(s, earlier);
            if (e != null) {
                failures.parkOrFail(s, e, 1, null, true, false); // reported like a stored mismatch, never skipped
                return true;
            }
            s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
            return true;
        }
        return false;
    }

    /**
     * A record sharing its dedup key with an earlier record of this batch but not its payload hash (only with
     * payloadValidation), or null. The same check as against a stored marker: the key is reused, so the record
     * is reported (parked), not skipped.
     */
    PayloadMismatchException mismatchWithin(Slot<R, T> s, Slot<R, T> earlier) {
        if (earlier == null || s.validation == null || earlier.validation == null
                || s.validation.equals(earlier.validation)) {
            return null;
        }
        return new PayloadMismatchException("Dedup key of " + s.raw.describe() + " is also the key of "
                + earlier.raw.describe() + " earlier in this batch, with a different payload (hash "
                + earlier.validation + ", this payload " + s.validation + "). Check that "
                + run.processor.getClass().getSimpleName() + ".dedupKey is unique per event; the record is parked "
                + "for inspection.");
    }
}
