package io.shardwise.core.internal;

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
}
