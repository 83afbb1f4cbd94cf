package io.shardwise.core;

/**
 * What happened to one record of a batch. Every record ends in exactly one outcome.
 */
public enum Outcome {
    /** The processor ran and succeeded (and, with dedup, the record is marked completed). Done. */
    PROCESSED,
    /** The dedup store says this record's effect already happened; the processor did not run. Done. */
    SKIPPED_DUPLICATE,
    /** The processor (or decoding) failed; Lambda will redeliver the record. */
    FAILED,
    /** Handed to the failure sink after a non-retryable error or an exhausted retry budget. Done. */
    PARKED,
    /** Not started because an earlier record failed or the invocation ran short of time; redelivered. */
    NOT_ATTEMPTED;

    /** Whether Lambda may consider this record done (checkpoint past it). */
    public boolean isDone() {
        return this == PROCESSED || this == SKIPPED_DUPLICATE || this == PARKED;
    }
}
