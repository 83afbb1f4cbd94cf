package io.shardwise.testkit.esm;

import io.shardwise.testkit.esm.DynamoDbStreamRecord.UserIdentity;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A stream in memory with Kinesis' shard model, for fast, deterministic tests of the runner and of handlers:
 * shards own ranges of the 128-bit MD5 hash key space, a record goes to the open shard whose range holds the MD5
 * of its partition key (or item key), sequence numbers are {@code 1, 2, 3, …} across the stream, a split closes
 * the parent and creates two children that name it, and a closed shard's iterator ends ({@code null}
 * {@code NextShardIterator}) once its records are read. Arrival times come from the given {@link Clock}, so a
 * settable clock makes record age and tumbling windows exact.
 *
 * <p>Either a Kinesis stream ({@link #kinesis}) or a DynamoDB stream ({@link #dynamoDb}) whose records carry
 * only the images the stream view type allows. Iterators never expire. Thread-safe: every method is
 * synchronized.
 */
public final class InMemoryStream implements StreamSource {

    private static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(128);

    private final Type type;
    private final String name;
    private final String arn;
    private final String streamViewType;
    private final Clock clock;
    private final Map<String, MemShard> shards = new LinkedHashMap<>();
    private long nextSequence = 1;
    private int nextShardIndex;
    private int getRecordsCalls;

    private InMemoryStream(Type type, String name, String arn, String streamViewType, int shardCount, Clock clock) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shardCount must be at least 1, was " + shardCount);
        }
        this.type = type;
        this.name = name;
        this.arn = arn;
        this.streamViewType = streamViewType;
        this.clock = Objects.requireNonNull(clock, "clock");
        BigInteger width = HASH_SPACE.divide(BigInteger.valueOf(shardCount));
        for (int i = 0; i < shardCount; i++) {
            BigInteger start = width.multiply(BigInteger.valueOf(i));
            BigInteger end = i == shardCount - 1 ? HASH_SPACE.subtract(BigInteger.ONE) : start.add(width).subtract(BigInteger.ONE);
            addShard(List.of(), start, end);
        }
    }

    /** A Kinesis stream with {@code shardCount} shards whose arrival times come from {@code clock}. */
    public static InMemoryStream kinesis(String name, int shardCount, Clock clock) {
        return new InMemoryStream(
                Type.KINESIS, name, "arn:aws:kinesis:us-east-1:000000000000:stream/" + name, null, shardCount, clock);
    }

    /** A Kinesis stream with {@code shardCount} shards on the system clock. */
    public static InMemoryStream kinesis(String name, int shardCount) {
        return kinesis(name, shardCount, Clock.systemUTC());
    }

    /**
     * A DynamoDB stream of table {@code tableName} with one shard.
     *
     * @param streamViewType {@code KEYS_ONLY}, {@code NEW_IMAGE}, {@code OLD_IMAGE} or {@code NEW_AND_OLD_IMAGES}
     */
    public static InMemoryStream dynamoDb(String tableName, String streamViewType, Clock clock) {
        if (!List.of("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES").contains(streamViewType)) {
            throw new IllegalArgumentException("unknown stream view type " + streamViewType);
        }
        return new InMemoryStream(
                Type.DYNAMODB,
                tableName,
                "arn:aws:dynamodb:us-east-1:000000000000:table/" + tableName + "/stream/2024-01-01T00:00:00.000",
                streamViewType,
                1,
                clock);
    }

    // ---------------------------------------------------------------- writing

    /** Appends a Kinesis record with UTF-8 {@code data} to the shard owning {@code partitionKey}. */
    public synchronized KinesisStreamRecord put(String partitionKey, String data) {
        return put(partitionKey, data.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends a Kinesis record to the shard owning {@code partitionKey}. */
    public synchronized KinesisStreamRecord put(String partitionKey, byte[] data) {
        return putToShard(shardFor(partitionKey).id, partitionKey, data);
    }

    /** Appends a Kinesis record to a given open shard, whatever its partition key hashes to. */
    public synchronized KinesisStreamRecord putToShard(String shardId, String partitionKey, byte[] data) {
        requireType(Type.KINESIS);
        MemShard shard = openShard(shardId);
        KinesisStreamRecord record =
                new KinesisStreamRecord(nextSequence(), partitionKey, SdkBytes.fromByteArray(data), clock.instant());
        shard.records.add(record);
        return record;
    }

    /** Appends an {@code INSERT} of an item (its keys are {@code keys}). */
    public synchronized DynamoDbStreamRecord insert(Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage) {
        return change("INSERT", keys, newImage, null, null);
    }

    /** Appends a {@code MODIFY} of an item. */
    public synchronized DynamoDbStreamRecord modify(
            Map<String, AttributeValue> keys, Map<String, AttributeValue> oldImage, Map<String, AttributeValue> newImage) {
        return change("MODIFY", keys, newImage, oldImage, null);
    }

    /** Appends a user's {@code REMOVE} of an item. */
    public synchronized DynamoDbStreamRecord remove(Map<String, AttributeValue> keys, Map<String, AttributeValue> oldImage) {
        return change("REMOVE", keys, null, oldImage, null);
    }

    /** Appends a {@code REMOVE} made by Time to Live: {@code userIdentity} is {@link UserIdentity#TTL}. */
    public synchronized DynamoDbStreamRecord ttlRemove(
            Map<String, AttributeValue> keys, Map<String, AttributeValue> oldImage) {
        return change("REMOVE", keys, null, oldImage, UserIdentity.TTL);
    }

    private DynamoDbStreamRecord change(
            String eventName,
            Map<String, AttributeValue> keys,
            Map<String, AttributeValue> newImage,
            Map<String, AttributeValue> oldImage,
            UserIdentity identity) {
        requireType(Type.DYNAMODB);
        boolean keepNew = streamViewType.equals("NEW_IMAGE") || streamViewType.equals("NEW_AND_OLD_IMAGES");
        boolean keepOld = streamViewType.equals("OLD_IMAGE") || streamViewType.equals("NEW_AND_OLD_IMAGES");
        Map<String, AttributeValue> keptNew = keepNew ? newImage : null;
        Map<String, AttributeValue> keptOld = keepOld ? oldImage : null;
        String sequence = nextSequence();
        String itemKey = new TreeMap<>(keys).toString();
        long size = itemKey.length() + (keptNew == null ? 0 : keptNew.toString().length())
                + (keptOld == null ? 0 : keptOld.toString().length());
        DynamoDbStreamRecord record =
                new DynamoDbStreamRecord(
                        HexFormat.of().formatHex(md5(arn + "#" + sequence)),
                        eventName,
                        "1.1",
                        sequence,
                        clock.instant(),
                        keys,
                        keptNew,
                        keptOld,
                        size,
                        streamViewType,
                        identity);
        shardFor(itemKey).records.add(record);
        return record;
    }

    // ---------------------------------------------------------------- resharding

    /**
     * Splits an open shard in two at the middle of its hash key range: the parent is closed (its iterator ends
     * after its last record) and two new open shards name it as parent.
     *
     * @return the two children's ids, lower hash range first
     * @throws IllegalArgumentException if the shard is unknown or closed
     */
    public synchronized List<String> split(String shardId) {
        MemShard parent = openShard(shardId);
        parent.closed = true;
        BigInteger middle = parent.start.add(parent.end).shiftRight(1);
        MemShard low = addShard(List.of(shardId), parent.start, middle);
        MemShard high = addShard(List.of(shardId), middle.add(BigInteger.ONE), parent.end);
        return List.of(low.id, high.id);
    }

    /**
     * Merges two open shards with adjacent hash ranges: both close and one child names both as parents.
     *
     * @return the child's id
     */
    public synchronized String merge(String shardId, String adjacentShardId) {
        MemShard a = openShard(shardId);
        MemShard b = openShard(adjacentShardId);
        if (!a.end.add(BigInteger.ONE).equals(b.start) && !b.end.add(BigInteger.ONE).equals(a.start)) {
            throw new IllegalArgumentException(shardId + " and " + adjacentShardId + " are not adjacent");
        }
        a.closed = true;
        b.closed = true;
        return addShard(List.of(shardId, adjacentShardId), a.start.min(b.start), a.end.max(b.end)).id;
    }

    /** Every shard id, in creation order. */
    public synchronized List<String> shardIds() {
        return List.copyOf(shards.keySet());
    }

    /** The open shards' ids, in creation order. */
    public synchronized List<String> openShardIds() {
        return shards.values().stream().filter(s -> !s.closed).map(s -> s.id).toList();
    }

    /** Every record of a shard, in order. */
    public synchronized List<SourceRecord> records(String shardId) {
        return List.copyOf(shard(shardId).records);
    }

    /** How many {@code GetRecords} calls were made. */
    public synchronized int getRecordsCalls() {
        return getRecordsCalls;
    }

    // ---------------------------------------------------------------- StreamSource

    @Override
    public Type type() {
        return type;
    }

    @Override
    public String streamArn() {
        return arn;
    }

    @Override
    public synchronized List<Shard> listShards() {
        return shards.values().stream().map(s -> new Shard(s.id, s.parents)).toList();
    }

    @Override
    public synchronized String shardIterator(String shardId, Position position) {
        MemShard shard = shard(shardId);
        int index =
                switch (position.type()) {
                    case TRIM_HORIZON -> 0;
                    case LATEST -> shard.records.size();
                    case AT_TIMESTAMP -> {
                        if (type == Type.DYNAMODB) {
                            throw new UnsupportedOperationException(
                                    "DynamoDB Streams has no AT_TIMESTAMP iterator; use TRIM_HORIZON or LATEST");
                        }
                        int i = 0;
                        while (i < shard.records.size()
                                && shard.records.get(i).approximateArrivalTimestamp().isBefore(position.timestamp())) {
                            i++;
                        }
                        yield i;
                    }
                    case AFTER_SEQUENCE_NUMBER -> {
                        BigInteger after = new BigInteger(position.sequenceNumber());
                        int i = 0;
                        while (i < shard.records.size()
                                && new BigInteger(shard.records.get(i).sequenceNumber()).compareTo(after) <= 0) {
                            i++;
                        }
                        yield i;
                    }
                };
        return shardId + "@" + index;
    }

    @Override
    public synchronized Page getRecords(String shardIterator, int limit) {
        getRecordsCalls++;
        int at = shardIterator.lastIndexOf('@');
        MemShard shard = shard(shardIterator.substring(0, at));
        int from = Integer.parseInt(shardIterator.substring(at + 1));
        int to = Math.min(shard.records.size(), from + limit);
        List<SourceRecord> page = new ArrayList<>(shard.records.subList(from, to));
        boolean atEnd = to == shard.records.size();
        String next = atEnd && shard.closed ? null : shard.id + "@" + to;
        return new Page(page, next, page.isEmpty() && atEnd);
    }

    @Override
    public String toString() {
        return "InMemoryStream{" + type + " " + name + "}";
    }

    // ---------------------------------------------------------------- internals

    private String nextSequence() {
        return Long.toString(nextSequence++);
    }

    private MemShard addShard(List<String> parents, BigInteger start, BigInteger end) {
        String id = String.format("shardId-%012d", nextShardIndex++);
        MemShard shard = new MemShard(id, parents, start, end);
        shards.put(id, shard);
        return shard;
    }

    private MemShard shardFor(String key) {
        BigInteger hash = new BigInteger(1, md5(key));
        for (MemShard s : shards.values()) {
            if (!s.closed && s.start.compareTo(hash) <= 0 && s.end.compareTo(hash) >= 0) {
                return s;
            }
        }
        throw new IllegalStateException("no open shard owns hash " + hash);
    }

    private MemShard shard(String shardId) {
        MemShard shard = shards.get(shardId);
        if (shard == null) {
            throw new IllegalArgumentException("no shard " + shardId + " in " + name + "; shards: " + shards.keySet());
        }
        return shard;
    }

    private MemShard openShard(String shardId) {
        MemShard shard = shard(shardId);
        if (shard.closed) {
            throw new IllegalArgumentException("shard " + shardId + " is closed");
        }
        return shard;
    }

    private void requireType(Type expected) {
        if (type != expected) {
            throw new IllegalStateException(name + " is a " + type + " stream, not " + expected);
        }
    }

    private static byte[] md5(String text) {
        try {
            return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class MemShard {
        final String id;
        final List<String> parents;
        final BigInteger start;
        final BigInteger end;
        final List<SourceRecord> records = new ArrayList<>();
        boolean closed;

        MemShard(String id, List<String> parents, BigInteger start, BigInteger end) {
            this.id = id;
            this.parents = List.copyOf(parents);
            this.start = start;
            this.end = end;
        }
    }
}
