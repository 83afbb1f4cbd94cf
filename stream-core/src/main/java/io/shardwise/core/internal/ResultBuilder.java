package io.shardwise.core.internal;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.RecordOutcome;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch's result: every record's outcome in input order, and a response naming the lowest record that is not
 * done (or nothing when all are done). Only sequence numbers of the batch are ever named.
 */
final class ResultBuilder {
    private ResultBuilder() {
    }

    static <R, T> BatchResult result(List<Slot<R, T>> slots, Duration duration) {
        List<RecordOutcome> outcomes = new ArrayList<>(slots.size());
        Slot<R, T> lowest = null;
        for (Slot<R, T> s : slots) {
            if (s.outcome == null) {
                // Staged but never committed (cannot happen after finishLane; be conservative).
                s.set(Outcome.NOT_ATTEMPTED, null, 0);
            }
            outcomes.add(new RecordOutcome(s.raw.sequenceNumber(), s.raw.subSequenceNumber(),
                    s.raw.partitionKey(), s.outcome, s.error, s.attempts));
            if (!s.outcome.isDone() && (lowest == null || compareSequence(s, lowest) < 0)) {
                lowest = s;
            }
        }
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>(1);
        if (lowest != null) {
            failures.add(new StreamsEventResponse.BatchItemFailure(lowest.raw.sequenceNumber()));
        }
        return new BatchResult(outcomes, new StreamsEventResponse(failures), duration);
    }

    private static int compareSequence(Slot<?, ?> a, Slot<?, ?> b) {
        try {
            int c = a.position().sequenceNumber().compareTo(b.position().sequenceNumber());
            return c != 0 ? c : Integer.compare(a.index, b.index);
        } catch (NumberFormatException e) {
            return Integer.compare(a.index, b.index);
        }
    }
}
