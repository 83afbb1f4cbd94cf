package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.RecordContext;

/** Runs the user's processor for one record and catches what it throws. */
final class ProcessorCall<R, T> {
    private final BatchRun<R, T> run;
    private final FailureHandling<R, T> failures;

    ProcessorCall(BatchRun<R, T> run, FailureHandling<R, T> failures) {
        this.run = run;
        this.failures = failures;
    }

    /**
     * Runs the processor for one record. On success sets PROCESSED and returns true; on failure records the
     * failure (park or fail) and returns false.
     */
    boolean runProcessor(Slot<R, T> s, int attempt, String leaseToken, LaneState<R, T> state) {
        Throwable error = invoke(s, attempt, null, state);
        if (error == null) {
            return true;
        }
        failures.fail(s, error, attempt, leaseToken, true);
        return false;
    }

    /**
     * Runs the processor; sets PROCESSED and returns null on success, else returns the failure (unrecorded).
     *
     * <p>An interrupt (an {@link InterruptedException}, or the flag a processor restored before returning or
     * throwing) is taken off the thread and noted in the lane: the AWS SDK aborts calls made on an interrupted
     * thread, so with the flag set this record's failure count, parking or commit would be lost, or the batch
     * failed for the wrong reason. {@link LaneScheduler} stops the batch after this record and sets the flag again
     * once the lane's store calls are done.
     */
    Throwable invoke(Slot<R, T> s, int attempt, StagingWrites writes, LaneState<R, T> state) {
        return invoke(s, attempt, writes, null, state);
    }

    /** As above, with the handle for a GUARDED record's one write (null in other modes). */
    Throwable invoke(Slot<R, T> s, int attempt, StagingWrites writes, GuardedStaging guarded,
                     LaneState<R, T> state) {
        RecordContext rc = run.store != null ? new RecordContext(attempt, s.dedupKey, run.context, writes, guarded)
                : RecordContext.withDeferredDedupKey(attempt, s, run.context, writes);
        Throwable failure = null;
        OverrunWatch watch = run.overrunWatch;
        if (watch != null) {
            watch.entered(s);
        }
        try {
            run.processor.process(s.decoded, rc);
        } catch (StackOverflowError e) {
            // The stack has unwound: the thread and the JVM are fine. A record that overflows the stack is a
            // failed attempt like any other (counted, parked when out of attempts), not a crash that would replay
            // the batch forever. Other VirtualMachineErrors (out of memory, internal errors) leave the JVM unsafe.
            failure = e;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            failure = e;
        } finally {
            if (watch != null) {
                watch.left(s);
            }
        }
        if (Thread.interrupted() || failure instanceof InterruptedException) {
            state.interrupted = true;
        }
        if (failure == null) {
            s.set(Outcome.PROCESSED, null, attempt);
        }
        return failure;
    }
}
