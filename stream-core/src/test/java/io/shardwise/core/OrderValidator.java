package io.shardwise.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the ordering guarantee per shard and key (KCL's RecordValidatorQueue idea): the first successful
 * processing of each record happens only after every earlier record of the same key was processed or parked.
 * Replays of already-processed records are allowed (at-least-once); out-of-order first effects are not.
 * Thread-safe.
 */
final class OrderValidator {
    private final Map<String, List<StreamRecord<?>>> expected = new HashMap<>();
    private final Map<String, Integer> next = new HashMap<>();
    private final List<String> violations = new ArrayList<>();

    OrderValidator(List<? extends StreamRecord<?>> shard) {
        for (StreamRecord<?> r : shard) {
            expected.computeIfAbsent(scope(r), k -> new ArrayList<>()).add(r);
        }
    }

    private static String scope(StreamRecord<?> r) {
        return r.shardId() + "|" + r.partitionKey();
    }

    /** Call when a record's effect is done (processed successfully or parked). */
    synchronized void done(StreamRecord<?> r) {
        String scope = scope(r);
        List<StreamRecord<?>> list = expected.get(scope);
        int n = next.getOrDefault(scope, 0);
        int pos = indexOf(list, r);
        if (pos < n) {
            return; // a replay of something already done
        }
        if (pos != n) {
            violations.add("key " + r.partitionKey() + ": " + r.describe() + " done before "
                    + list.get(n).describe());
        }
        next.put(scope, pos + 1);
    }

    private static int indexOf(List<StreamRecord<?>> list, StreamRecord<?> r) {
        for (int i = 0; i < list.size(); i++) {
            StreamRecord<?> x = list.get(i);
            if (new BigInteger(x.sequenceNumber()).equals(new BigInteger(r.sequenceNumber()))
                    && x.subSequenceNumber() == r.subSequenceNumber()) {
                return i;
            }
        }
        throw new AssertionError("unknown record " + r.describe());
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** Whether every record of every key is done. */
    synchronized boolean complete() {
        return expected.entrySet().stream().allMatch(e -> next.getOrDefault(e.getKey(), 0) == e.getValue().size());
    }
}
