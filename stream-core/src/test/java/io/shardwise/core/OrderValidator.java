package io.shardwise.core;

import io.shardwise.core.sink.ParkedRecord;

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
        done(scope(r), r.sequenceNumber(), r.subSequenceNumber(), r.describe());
    }

    /** Call when a failure sink accepted a record: parked counts as done. */
    synchronized void parked(ParkedRecord r) {
        done(r.shardId() + "|" + r.partitionKey(), r.sequenceNumber(), r.subSequenceNumber(), r.describe());
    }

    private void done(String scope, String sequenceNumber, long subSequenceNumber, String describe) {
        List<StreamRecord<?>> list = expected.get(scope);
        if (list == null) {
            throw new AssertionError("unknown record " + describe);
        }
        int n = next.getOrDefault(scope, 0);
        int pos = indexOf(list, sequenceNumber, subSequenceNumber, describe);
        if (pos < n) {
            return; // a replay of something already done
        }
        if (pos != n) {
            violations.add("key " + list.get(pos).partitionKey() + ": " + describe + " done before "
                    + list.get(n).describe());
        }
        next.put(scope, pos + 1);
    }

    private static int indexOf(List<StreamRecord<?>> list, String sequenceNumber, long subSequenceNumber,
                               String describe) {
        for (int i = 0; i < list.size(); i++) {
            StreamRecord<?> x = list.get(i);
            if (new BigInteger(x.sequenceNumber()).equals(new BigInteger(sequenceNumber))
                    && x.subSequenceNumber() == subSequenceNumber) {
                return i;
            }
        }
        throw new AssertionError("unknown record " + describe);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** Whether every record of every key is done. */
    synchronized boolean complete() {
        return expected.entrySet().stream().allMatch(e -> next.getOrDefault(e.getKey(), 0) == e.getValue().size());
    }
}
