package io.shardwise.core.sink;

import java.math.BigInteger;
import java.util.Comparator;
import java.util.Optional;

/**
 * S3 keys of parked records: {@code prefix/consumer/shardId/sequenceNumber[-subSequenceNumber].json}.
 *
 * <p>Deterministic, so parking the same record again (a retried park, a redelivered batch) overwrites the same
 * object instead of adding a second one. A null consumer name becomes {@value #NO_CONSUMER}.
 *
 * <p>Public so that tools reading parked objects back (stream-tools) list and order them as the sink wrote them.
 */
public final class ParkedObjectKeys {

    /** The consumer path segment of a record whose consumer has no name. */
    public static final String NO_CONSUMER = "unnamed-consumer";
    /** Every parked object's key ends in this. */
    public static final String SUFFIX = ".json";

    private ParkedObjectKeys() {
    }

    /** {@code "a/b/"} and {@code "/a/b"} become {@code "a/b"}; null and blank become {@code ""}. */
    public static String normalizePrefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        String p = prefix.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    static String key(String normalizedPrefix, ParkedRecord record) {
        String consumer = record.consumerName() == null || record.consumerName().isEmpty()
                ? NO_CONSUMER : record.consumerName();
        StringBuilder key = new StringBuilder();
        if (!normalizedPrefix.isEmpty()) {
            key.append(normalizedPrefix).append('/');
        }
        key.append(consumer).append('/').append(record.shardId()).append('/').append(record.sequenceNumber());
        if (record.subSequenceNumber() >= 0) {
            key.append('-').append(record.subSequenceNumber());
        }
        return key.append(SUFFIX).toString();
    }

    /**
     * Where a record sits in its shard, read back from a key this class made; empty when the key does not have
     * that shape (an object someone else put under the prefix).
     */
    public static Optional<Position> position(String key) {
        if (!key.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        String path = key.substring(0, key.length() - SUFFIX.length());
        int lastSlash = path.lastIndexOf('/');
        if (lastSlash <= 0) {
            return Optional.empty();
        }
        String file = path.substring(lastSlash + 1);
        String parent = path.substring(0, lastSlash);
        int shardSlash = parent.lastIndexOf('/');
        String shardId = parent.substring(shardSlash + 1);
        String consumerPath = shardSlash < 0 ? "" : parent.substring(0, shardSlash);
        String seq = file;
        long sub = -1;
        int dash = file.indexOf('-');
        if (dash >= 0) {
            seq = file.substring(0, dash);
            try {
                sub = Long.parseLong(file.substring(dash + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (seq.isEmpty() || shardId.isEmpty() || !seq.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        return Optional.of(new Position(consumerPath, shardId, new BigInteger(seq), sub));
    }

    /**
     * A record's place: consumer (with any prefix), shard, sequence number, sub-sequence number.
     *
     * @param consumerPath      the key's path before the shard: prefix and consumer
     * @param shardId           the shard
     * @param sequenceNumber    the sequence number
     * @param subSequenceNumber the sub-sequence number, or -1
     */
    public record Position(String consumerPath, String shardId, BigInteger sequenceNumber, long subSequenceNumber) {
        /** Groups by consumer and shard, then orders by sequence number as a number, then sub-sequence. */
        public static final Comparator<Position> ORDER = Comparator.comparing(Position::consumerPath)
                .thenComparing(Position::shardId)
                .thenComparing(Position::sequenceNumber)
                .thenComparingLong(Position::subSequenceNumber);
    }
}
