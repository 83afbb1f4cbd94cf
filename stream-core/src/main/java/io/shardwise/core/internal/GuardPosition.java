package io.shardwise.core.internal;

import io.shardwise.core.StreamRecord;

import java.nio.charset.StandardCharsets;

/**
 * Where a record's position is kept on the item it writes in {@code GUARDED} mode, and how it is spelled so that
 * DynamoDB's string order is the stream's order. Stateless.
 *
 * <h2>Attribute</h2>
 * One top-level attribute per (consumer, stream, shard, ordering scope):
 * {@code _shardwise:<shardId>:<12 hex of sha256(consumer, stream ARN, scope)>}. The scope is
 * {@link WatermarkScope#of}: Lambda keeps order only per partition key when a shard has several batches in flight
 * ({@code ParallelizationFactor} &gt; 1), and the engine's lanes only per partition key, so a position is
 * comparable only with positions of its own scope. An entry per shard alone would let a record of another key,
 * later in the shard but applied first, make this one look done. Top-level rather than a map attribute because
 * {@code SET map.key} fails on an item that has no map yet, and a first write must not need a second request.
 *
 * <h2>Value</h2>
 * {@code <3-digit length><sequence digits>[.<10-digit sub-sequence>]#<attempt token>}. Sequence numbers exceed a
 * DynamoDB number's 38 digits (Kinesis: 56 digits, up to 129), so they are strings; the zero-padded length prefix
 * makes string order numeric order, as zero-padding to a fixed width would, without padding every 56-digit number
 * to 129. The condition compares with the value's prefix up to {@code #} (the position): the stored value of the
 * same record is longer than that prefix, so it compares greater (done); a later record's differs in a digit
 * before it. The token tells this attempt's own write (applied, response lost, SDK retried) from an earlier
 * delivery's.
 */
final class GuardPosition {
    static final String ATTRIBUTE_PREFIX = "_shardwise";
    /** A KPL sub-sequence is an index into one aggregate (at most 1 MB): far below this. */
    private static final long MAX_SUB_SEQUENCE = 9_999_999_999L;

    private GuardPosition() {
    }

    /** The attribute holding {@code record}'s scope's last applied position on an item. */
    static String attribute(String consumerName, StreamRecord<?> record) {
        String scope = consumerName + "\u0000" + (record.sourceArn() == null ? "" : record.sourceArn()) + "\u0000"
                + WatermarkScope.of(record);
        return ATTRIBUTE_PREFIX + ":" + record.shardId() + ":"
                + Hashing.sha256Hex(scope.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    /**
     * The position part of the value: compares (as a string) below every later position of the same shard.
     *
     * @throws IllegalArgumentException for a non-decimal sequence number or a sub-sequence too large
     */
    static String position(StreamRecord<?> record) {
        String digits = record.sequenceNumber();
        if (digits.isEmpty() || digits.length() > 999 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(record.describe() + " has a sequence number that is not a decimal "
                    + "number: GUARDED mode orders records by it");
        }
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
        }
        digits = digits.substring(lead);
        StringBuilder b = new StringBuilder(digits.length() + 16);
        b.append(String.format("%03d", digits.length())).append(digits);
        if (record.isSubRecord()) {
            if (record.subSequenceNumber() > MAX_SUB_SEQUENCE) {
                throw new IllegalArgumentException(record.describe() + " has a sub-sequence number above "
                        + MAX_SUB_SEQUENCE + ", which no KPL aggregate holds");
            }
            b.append('.').append(String.format("%010d", record.subSequenceNumber()));
        }
        return b.toString();
    }

    /** The stored value: position, then this attempt's token. */
    static String value(String position, String token) {
        return position + "#" + token;
    }

    /** Whether a stored value means the position was applied (by this or an earlier delivery). */
    static boolean reached(String stored, String position) {
        return stored != null && stored.compareTo(position) >= 0;
    }
}
