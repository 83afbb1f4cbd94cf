package io.shardwise.kinesis;

import io.shardwise.core.StreamRecord;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the order in which a consumer's effects happen, the way KCL's {@code RecordValidatorQueue} checks the order
 * records arrive in. A processor calls {@link #effect} when a record's effect happens (it returned normally); the
 * validator then requires:
 * <ul>
 *   <li>per partition key: effects in the order the producer wrote them (a per-key counter the producer puts in
 *       the payload), which stays meaningful across a reshard, when a key moves from the parent shard to a child;</li>
 *   <li>per shard and partition key: effects in (sequence number, sub-sequence number) order;</li>
 *   <li>per shard, when built with {@link #wholeShard()}: the same for the whole shard, which only
 *       {@code STOP_AT_FIRST_FAILURE} without key-parallelism promises (with {@code ISOLATE_PARTITION_KEY} a later
 *       key's record may take effect before an earlier, failing key's retry).</li>
 * </ul>
 * Each order is strict, so a second effect of one record is reported as well. Violations are collected as they
 * happen (from any thread) and reported together by {@link #assertOrdered()}. Thread-safe.
 */
final class OrderValidator {

    private record Position(BigInteger sequenceNumber, long subSequenceNumber, String label) {
        static final Comparator<Position> ORDER = Comparator.comparing(Position::sequenceNumber)
                .thenComparingLong(Position::subSequenceNumber);
    }

    private final boolean wholeShard;
    private final Map<String, Position> lastPerShard = new HashMap<>();
    private final Map<String, Position> lastPerShardAndKey = new HashMap<>();
    private final Map<String, Long> lastPerKey = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private int effects;

    private OrderValidator(boolean wholeShard) {
        this.wholeShard = wholeShard;
    }

    /** Effects in shard order for the whole shard, and per key. */
    static OrderValidator wholeShard() {
        return new OrderValidator(true);
    }

    /** Effects in shard order per key only (failure isolation per key, key-parallel processing). */
    static OrderValidator perKey() {
        return new OrderValidator(false);
    }

    /**
     * Notes that {@code record}'s effect happened.
     *
     * @param label         how messages name the record
     * @param producerIndex the per-key counter the producer wrote into the record
     */
    synchronized void effect(StreamRecord<?> record, String label, long producerIndex) {
        effects++;
        Position at = new Position(new BigInteger(record.sequenceNumber()), record.subSequenceNumber(), label);
        String key = record.partitionKey();
        if (wholeShard) {
            check(lastPerShard, record.shardId(), at, "shard " + record.shardId());
        }
        check(lastPerShardAndKey, record.shardId() + "/" + key, at, "key " + key + " in shard " + record.shardId());
        Long previous = lastPerKey.put(key, producerIndex);
        if (previous != null && producerIndex <= previous) {
            violations.add("key " + key + ": " + label + " (written as #" + producerIndex + ") took effect after #"
                    + previous);
        }
    }

    private void check(Map<String, Position> last, String scope, Position at, String what) {
        Position previous = last.put(scope, at);
        if (previous != null && Position.ORDER.compare(at, previous) <= 0) {
            violations.add(what + ": " + at.label() + " took effect after " + previous.label());
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
