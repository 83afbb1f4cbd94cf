package io.shardwise.testkit.esm;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One invocation of the function by an {@link EventSourceMappingRunner}, as the runner recorded it.
 *
 * @param index position in the runner's log (0, 1, 2, … in the order invocations finished)
 * @param requestId the {@code Context}'s request id
 * @param shardId the shard the batch came from
 * @param slot which of the shard's {@code ParallelizationFactor} slots ran it (0 when the factor is 1)
 * @param sequenceNumbers the batch's sequence numbers, in order (empty for a tumbling window's final invoke)
 * @param retryAttempt how many failed invocations of this batch's first record came before this one (0 on the
 *     first try; bisected halves start again at 0, as bisecting does not use up retries)
 * @param outcome what came of it
 * @param failedSequenceNumber for {@link Outcome#PARTIAL_FAILURE}: the lowest reported sequence number, where
 *     the runner checkpointed just before; otherwise null
 * @param error for the failure outcomes: the exception, the timeout or what was wrong with the response
 * @param startedAt when it started, on the mapping's clock
 * @param duration how long it ran (wall time)
 * @param window for tumbling-window mappings: the window fields of the event and the state returned; else null
 */
public record Invocation(
        long index,
        String requestId,
        String shardId,
        int slot,
        List<String> sequenceNumbers,
        int retryAttempt,
        Outcome outcome,
        String failedSequenceNumber,
        String error,
        Instant startedAt,
        Duration duration,
        Window window) {

    /** Copies the list. */
    public Invocation {
        sequenceNumbers = List.copyOf(sequenceNumbers);
    }

    /** The batch's first sequence number, or null if it had no records. */
    public String firstSequenceNumber() {
        return sequenceNumbers.isEmpty() ? null : sequenceNumbers.get(0);
    }

    /** The batch's last sequence number, or null if it had no records. */
    public String lastSequenceNumber() {
        return sequenceNumbers.isEmpty() ? null : sequenceNumbers.get(sequenceNumbers.size() - 1);
    }

    /** How many records the batch had. */
    public int size() {
        return sequenceNumbers.size();
    }

    /** Whether the whole batch counted as failed (error, timeout or invalid response). */
    public boolean failedWholeBatch() {
        return outcome == Outcome.ERROR || outcome == Outcome.TIMEOUT || outcome == Outcome.INVALID_RESPONSE;
    }

    /** A compact form for assertion messages: {@code shard[first..last]=OUTCOME}. */
    @Override
    public String toString() {
        return shardId + "#" + slot + sequenceNumbers + "=" + outcome
                + (failedSequenceNumber != null ? "@" + failedSequenceNumber : "")
                + (retryAttempt > 0 ? " retry " + retryAttempt : "")
                + (window != null ? " " + window : "")
                + (error != null ? " (" + error + ")" : "");
    }

    /** What came of an invocation. */
    public enum Outcome {
        /** Returned normally with no batch item failures: the whole batch is done. */
        SUCCESS,
        /** Returned valid batch item failures: done up to just before {@link #failedSequenceNumber()}. */
        PARTIAL_FAILURE,
        /**
         * Returned a response Lambda counts as a whole-batch failure: a null or empty item identifier, one that is
         * not in the batch (undocumented by AWS; the runner's conservative reading, with a warning), or a tumbling
         * window response without {@code state}.
         */
        INVALID_RESPONSE,
        /** Threw. */
        ERROR,
        /** Ran past the function timeout; it was interrupted and abandoned. */
        TIMEOUT
    }

    /**
     * The tumbling-window side of an invocation.
     *
     * @param start the window's start
     * @param end the window's end
     * @param finalInvoke {@code isFinalInvokeForWindow}
     * @param terminatedEarly {@code isWindowTerminatedEarly}
     * @param stateIn the state the event carried
     * @param stateOut the state the function returned (null if it failed or returned none)
     */
    public record Window(
            Instant start,
            Instant end,
            boolean finalInvoke,
            boolean terminatedEarly,
            Map<String, String> stateIn,
            Map<String, String> stateOut) {

        @Override
        public String toString() {
            return "window[" + start + ".." + end + (finalInvoke ? " final" : "")
                    + (terminatedEarly ? " terminatedEarly" : "") + " in=" + stateIn + " out=" + stateOut + "]";
        }
    }
}
