package io.shardwise.examples.demo;

import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.RecordOutcome;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Tallies the outcomes of every invocation, for the progress lines and the report. Records are identified as
 * {@code shardId/sequenceNumber}. Thread-safe.
 */
final class OutcomeTally {

    private final Map<Outcome, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private final List<String> processedInOrder = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> attemptsWhenProcessed = new ConcurrentHashMap<>();
    private final AtomicLong invocations = new AtomicLong();

    OutcomeTally() {
        for (Outcome o : Outcome.values()) {
            counts.put(o, new AtomicLong());
        }
    }

    /**
     * Adds one invocation's outcomes.
     *
     * @param shardOf the shard of a sequence number of this batch
     */
    void add(BatchResult result, Function<String, String> shardOf) {
        invocations.incrementAndGet();
        for (RecordOutcome o : result.outcomes()) {
            counts.get(o.outcome()).incrementAndGet();
            String position = shardOf.apply(o.sequenceNumber()) + "/" + o.sequenceNumber();
            if (o.outcome().isDone()) {
                done.add(position);
            }
            if (o.outcome() == Outcome.PROCESSED) {
                processedInOrder.add(position);
                attemptsWhenProcessed.put(position, o.attempts());
            }
        }
    }

    long count(Outcome outcome) {
        return counts.get(outcome).get();
    }

    long invocations() {
        return invocations.get();
    }

    /** Distinct records that reached a done outcome. */
    Set<String> done() {
        return Set.copyOf(done);
    }

    /** Records that were processed, in the order their invocations finished. */
    List<String> processedInOrder() {
        synchronized (processedInOrder) {
            return List.copyOf(processedInOrder);
        }
    }

    /** The attempt on which a record was processed, or null. */
    Integer attemptsWhenProcessed(String position) {
        return attemptsWhenProcessed.get(position);
    }
}
