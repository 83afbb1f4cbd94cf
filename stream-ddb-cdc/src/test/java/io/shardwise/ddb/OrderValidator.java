package io.shardwise.ddb;

import io.shardwise.core.StreamRecord;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the order in which a consumer's effects happen, the way KCL's {@code RecordValidatorQueue} checks the order
 * records arrive in. A processor calls {@link #effect} when a change's effect happens (it returned normally); the
 * validator requires strictly increasing sequence numbers per item key ({@link StreamRecord#partitionKey()}, the
 * item's canonical primary key) and, with {@link #wholeShard()}, per shard ({@link StreamRecord#shardId()}: the
 * stream label, since Lambda's DynamoDB events name no shard; the engine's streams have one shard). A second
 * effect of one change breaks the order too, so it is reported. Thread-safe.
 */
final class OrderValidator {

    private final boolean wholeShard;
    private final Map<String, BigInteger> lastPerShard = new HashMap<>();
    private final Map<String, BigInteger> lastPerKey = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private int effects;

    private OrderValidator(boolean wholeShard) {
        this.wholeShard = wholeShard;
    }

    /** Effects in sequence order for the whole shard, and so per item. */
    static OrderValidator wholeShard() {
        return new OrderValidator(true);
    }

    /** Effects in sequence order per item only (failure isolation per key, key-parallel processing). */
    static OrderValidator perKey() {
        return new OrderValidator(false);
    }

    /** Notes that {@code record}'s effect happened. */
    synchronized void effect(StreamRecord<?> record) {
        effects++;
        BigInteger at = new BigInteger(record.sequenceNumber());
        if (wholeShard) {
            check(lastPerShard, record.shardId(), at, "shard " + record.shardId());
        }
        check(lastPerKey, record.partitionKey(), at, "item " + record.partitionKey());
    }

    private void check(Map<String, BigInteger> last, String scope, BigInteger at, String what) {
        BigInteger previous = last.put(scope, at);
        if (previous != null && at.compareTo(previous) <= 0) {
            violations.add(what + ": sequence number " + at + " took effect after " + previous);
        }
    }

    /** How many effects were noted. */
    synchronized int effects() {
        return effects;
    }

    /** Fails with every violation seen, if any. */
    synchronized void assertOrdered() {
        assertThat(violations).as("order violations among %d effects", effects).isEmpty();
    }
}
