package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.CallDeadlineException;
import io.shardwise.core.dedup.DedupMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * What happens to a record that failed: classified retryable or not, its attempt counted in the dedup store, and
 * parked (only once the sink accepted it) or left FAILED for Lambda to redeliver. Never dropped.
 */
final class FailureHandling<R, T> {
    private static final Logger RECORD_LOG = LoggerFactory.getLogger("io.shardwise.record");

    private final BatchRun<R, T> run;

    FailureHandling(BatchRun<R, T> run) {
        this.run = run;
    }

    /**
     * Classifies a failure and parks the record or leaves it FAILED, updating the store.
     *
     * @param countAttempt whether this failure counts against the attempt budget in the store (decode errors
     *                     are parked at once and need no count)
     */
    void fail(Slot<R, T> s, Throwable error, int attempt, String leaseToken, boolean countAttempt) {
        boolean retryable;
        try {
            retryable = !(error instanceof DecodeException) && run.processor.isRetryable(error);
        } catch (RuntimeException e) {
            retryable = true;
        }
        if (!retryable) {
            parkOrFail(s, error, attempt, leaseToken, s.attemptCountedByWatch, true);
            return;
        }
        if (run.store != null && countAttempt && leaseToken != null && attempt >= run.config.maxAttempts()) {
            // The last attempt, under a lease: park while still holding it, so that the PARKED write is
            // conditional on the lease. Recording the failure first would release the lease, and the marker of
            // an invocation that took the record over (and may have completed it) could then be overwritten.
            // While the lease is held nothing else changes the item, so the count is this attempt's number.
            parkOrFail(s, retriesExhausted(s, error, attempt), attempt, leaseToken, false, true);
            return;
        }
        int attempts = attempt;
        // An attempt the OverrunWatch already counted (it overran the invocation's time) is not counted twice.
        if (run.store != null && countAttempt && !s.attemptCountedByWatch) {
            Instant exp = run.expiresAt(run.now());
            int recorded = run.storeCall(() -> run.store.recordFailure(s.id, leaseToken, exp), "record failure");
            if (recorded < 0) {
                // The lease was lost, or (without leases) the key is done: another invocation has the record.
                // Parking would overwrite its marker; the redelivery sees what it did.
                s.set(Outcome.FAILED, error, attempt);
                logFailure(s);
                return;
            }
            attempts = recorded;
        }
        if (run.store != null && attempts >= run.config.maxAttempts()) {
            parkOrFail(s, retriesExhausted(s, error, attempts), attempts, null, true, true);
            return;
        }
        s.set(Outcome.FAILED, error, attempts);
        logFailure(s);
    }

    /**
     * A record whose earlier attempts used up the budget, the last of them never finished (a Lambda timeout or a
     * crash while it ran: the next claim, or the {@link OverrunWatch}, counted it): parked without running again.
     */
    RetriesExhaustedException attemptsUsedUp(Slot<R, T> s, int attempts) {
        return retriesExhausted(s, new UnfinishedAttemptsException(s.raw.describe() + ": " + attempts
                + " earlier attempts used up the budget, the last of them never finished (the function timed out or "
                + "crashed while it ran)"), attempts);
    }

    RetriesExhaustedException retriesExhausted(Slot<R, T> s, Throwable error, int attempts) {
        return new RetriesExhaustedException(s.raw.describe() + " failed " + attempts + " times (maxAttempts "
                + run.config.maxAttempts() + "); last error: " + error, error);
    }

    /**
     * Hands the record to the sink; PARKED only once the sink accepted it, else FAILED.
     *
     * @param failureRecorded whether the store already counted this failure (else it is counted if parking
     *                        fails, which also releases a held lease)
     * @param touchMarker     whether to write the record's marker (false when the key is done already)
     */
    void parkOrFail(Slot<R, T> s, Throwable error, int attempts, String leaseToken, boolean failureRecorded,
                    boolean touchMarker) {
        Throwable reported = error instanceof RetriesExhaustedException && error.getCause() != null
                ? error.getCause() : error;
        Exception sinkError = null;
        if (run.sink == null) {
            sinkError = new StreamProcessingException("no failureSink is configured (set "
                    + "ProcessingConfig.failureSink(...), or a poison record blocks its shard until it expires)");
        } else {
            try {
                run.sink.park(run.reporter.parked(s.raw, run.store == null ? null : s.id, reported, attempts,
                        run.now()));
            } catch (Exception e) {
                sinkError = e;
            }
        }
        if (sinkError != null) {
            if (run.store != null && touchMarker && !failureRecorded) {
                Instant exp = run.expiresAt(run.now());
                run.storeCall(() -> run.store.recordFailure(s.id, leaseToken, exp), "record failure");
            }
            StreamProcessingException e = new StreamProcessingException("Could not park " + s.raw.describe()
                    + ": " + sinkError.getMessage() + ". It stays FAILED and will be redelivered. Original error: "
                    + BatchReporter.errorClassOf(error) + ": " + error.getMessage(), sinkError);
            e.addSuppressed(error); // callers can still test the original failure's type
            s.set(Outcome.FAILED, e, attempts);
            logFailure(s);
            return;
        }
        if (run.store != null && touchMarker && (run.mode != DedupMode.WATERMARK || s.payloadKeyed)) {
            Instant exp = run.expiresAt(run.now());
            boolean kept;
            try {
                kept = run.storeCall(() -> run.store.markParked(s.id, leaseToken, exp), "mark parked");
            } catch (CallDeadlineException e) {
                // The sink has it, so it is PARKED whatever the marker says: reported FAILED, its redelivery would
                // take the ended lease over, count this attempt again and park the record a second time. The
                // marker stays IN_PROGRESS until its lease ends (a producer duplicate then finds the attempts used
                // up); the deadline stop goes on from here.
                parked(s, reported, attempts);
                throw e;
            }
            if (!kept) {
                // As for a lost lease on completion: the record is where PARKED says (in the sink); the other
                // invocation's marker stands.
                logLeaseLost(s, "the lease expired before the record was marked parked and another invocation "
                        + "took it; the record is in the failure sink and may also be processed by that "
                        + "invocation");
            }
        }
        parked(s, reported, attempts);
    }

    /** The sink accepted it: PARKED, whatever its marker says. */
    private void parked(Slot<R, T> s, Throwable reported, int attempts) {
        s.set(Outcome.PARKED, reported, attempts);
        run.reporter.logParked(s.raw, reported, attempts);
    }

    void logFailure(Slot<R, T> s) {
        run.reporter.logFailed(s.raw, s.error, s.attempts);
    }

    void logLeaseLost(Slot<R, T> s, String detail) {
        RECORD_LOG.warn("{\"event\":\"lease_lost\",\"consumer\":\"{}\",\"record\":\"{}\",\"detail\":\"{}. "
                + "Raise the function timeout or lower the batch size.\"}", run.config.consumerName(),
                s.raw.describe(), detail);
    }
}
