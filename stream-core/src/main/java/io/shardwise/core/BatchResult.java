package io.shardwise.core;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one batch: every record's outcome, in the order the records were given, and the response to
 * return to Lambda.
 *
 * <p>The response is always valid for Lambda: it names only sequence numbers from the batch, and names the
 * lowest record that must be redelivered (empty when everything is done).
 *
 * @param outcomes one per input record, in input order
 * @param response the {@code batchItemFailures} response for Lambda
 * @param duration time spent in the engine
 */
public record BatchResult(List<RecordOutcome> outcomes, StreamsEventResponse response, Duration duration) {

    /** Copies {@code outcomes}, so the result stays as the engine made it. */
    public BatchResult {
        outcomes = List.copyOf(outcomes);
    }

    /** How many records ended with the given outcome. */
    public long count(Outcome outcome) {
        long n = 0;
        for (RecordOutcome o : outcomes) {
            if (o.outcome() == outcome) {
                n++;
            }
        }
        return n;
    }

    /** Counts per outcome (every outcome present, zero included). */
    public Map<Outcome, Long> counts() {
        Outcome[] all = Outcome.values();
        long[] n = new long[all.length];
        for (RecordOutcome o : outcomes) {
            n[o.outcome().ordinal()]++;
        }
        Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
        for (Outcome o : all) {
            counts.put(o, n[o.ordinal()]);
        }
        return counts;
    }

    /** Whether every record is done (the response has no failures). */
    public boolean allDone() {
        return response.getBatchItemFailures() == null || response.getBatchItemFailures().isEmpty();
    }
}
