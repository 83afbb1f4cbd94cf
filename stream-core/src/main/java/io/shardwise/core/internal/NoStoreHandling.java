package io.shardwise.core.internal;

/**
 * Without a dedup store: decode just before running (see {@link Decoding}), run, and leave failures FAILED for
 * Lambda to redeliver (attempts cannot be counted across invocations). At least once.
 */
final class NoStoreHandling<R, T> implements ModeHandling<R, T> {
    private final Decoding<R, T> decoding;
    private final ProcessorCall<R, T> call;
    private final FailureHandling<R, T> failures;

    NoStoreHandling(Decoding<R, T> decoding, ProcessorCall<R, T> call, FailureHandling<R, T> failures) {
        this.decoding = decoding;
        this.call = call;
        this.failures = failures;
    }

    @Override
    public void handle(Slot<R, T> s, LaneState<R, T> state) {
        decoding.decode(s);
        if (s.decodeError != null) {
            failures.fail(s, s.decodeError, 1, null, false);
        } else {
            call.runProcessor(s, 1, null, state);
        }
    }
}
