package io.shardwise.kinesis.internal;

import io.shardwise.kinesis.internal.ProtoReader.WireFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the KPL aggregated record format: magic {@code F3 89 9A C2}, a protobuf {@code AggregatedRecord}, then the
 * 16-byte MD5 of the protobuf bytes.
 *
 * <pre>
 * message AggregatedRecord {
 *   repeated string partition_key_table     = 1;
 *   repeated string explicit_hash_key_table = 2;
 *   repeated Record records                 = 3;
 * }
 * message Record {
 *   required uint64 partition_key_index     = 1;
 *   optional uint64 explicit_hash_key_index = 2;
 *   required bytes  data                    = 3;
 *   repeated Tag    tags                    = 4;
 * }
 * </pre>
 *
 * Parsed with a small wire-format reader ({@link ProtoReader}) rather than generated classes or protobuf-java, so
 * no {@code .proto} build step, no KCL dependency and no 1.9 MB jar. Strict where KCL is lenient: a record that
 * carries the magic but fails the MD5 check or does not parse is reported as corrupt (KCL would hand it over as
 * one opaque record), because shardwise parks it with its raw bytes instead of passing protobuf bytes to a JSON
 * decoder.
 *
 * @see <a href="https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md">KPL
 *      aggregation format</a>
 */
public final class KplAggregate {

    /** The four bytes every KPL aggregate starts with. */
    private static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};
    private static final int DIGEST_LENGTH = 16;
    /** Magic plus MD5: anything shorter cannot be an aggregate and is a plain record. */
    public static final int MIN_LENGTH = MAGIC.length + DIGEST_LENGTH;

    private static final int PARTITION_KEY_TABLE = 1;
    private static final int EXPLICIT_HASH_KEY_TABLE = 2;
    private static final int RECORDS = 3;
    private static final int PARTITION_KEY_INDEX = 1;
    private static final int EXPLICIT_HASH_KEY_INDEX = 2;
    private static final int DATA = 3;
    private static final int TAGS = 4;

    /**
     * One user record unpacked from an aggregate.
     *
     * @param partitionKey    its partition key (from the table)
     * @param explicitHashKey its explicit hash key, or null
     * @param data            its bytes: a read-only buffer positioned at zero
     */
    public record UserRecord(String partitionKey, String explicitHashKey, ByteBuffer data) {
    }

    private KplAggregate() {
    }

    /**
     * Whether {@code data} (from its position to its limit) starts with the KPL magic and is long enough to hold
     * the MD5 trailer. Does not move the buffer's position.
     */
    public static boolean looksAggregated(ByteBuffer data) {
        if (data == null || data.remaining() < MIN_LENGTH) {
            return false;
        }
        int p = data.position();
        for (int i = 0; i < MAGIC.length; i++) {
            if (data.get(p + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Unpacks an aggregate. The caller's buffer is not moved; the returned records share no memory with it.
     *
     * @param data bytes from position to limit, which must satisfy {@link #looksAggregated}
     * @return the user records, in order (never empty)
     * @throws KplFormatException if the MD5 does not match, the protobuf is truncated or malformed, a table index
     *                            is out of range, a required field is missing, or there are no user records
     */
    public static List<UserRecord> parse(ByteBuffer data) throws KplFormatException {
        if (!looksAggregated(data)) {
            throw new KplFormatException("not a KPL aggregate: it needs the magic bytes F3 89 9A C2 and at least "
                    + MIN_LENGTH + " bytes");
        }
        // One private copy: the MD5 needs the bytes anyway, and sub-records can then alias it safely.
        byte[] bytes = Buffers.copy(data);
        int bodyLength = bytes.length - MIN_LENGTH;
        checkDigest(bytes, bodyLength);
        try {
            return parseBody(bytes, bodyLength);
        } catch (ProtoReader.MalformedException e) {
            throw new KplFormatException("malformed protobuf body (" + bodyLength + " bytes): " + e.getMessage(), e);
        } catch (IOException e) {
            // ProtoReader only throws MalformedException; be safe anyway.
            throw new KplFormatException("unreadable protobuf body: " + e, e);
        }
    }

    private static void checkDigest(byte[] bytes, int bodyLength) throws KplFormatException {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JCA algorithm but is missing", e);
        }
        md5.update(bytes, MAGIC.length, bodyLength);
        byte[] computed = md5.digest();
        if (!MessageDigest.isEqual(computed, Arrays.copyOfRange(bytes, bytes.length - DIGEST_LENGTH,
                bytes.length))) {
            HexFormat hex = HexFormat.of();
            throw new KplFormatException("MD5 check failed: trailer is "
                    + hex.formatHex(bytes, bytes.length - DIGEST_LENGTH, bytes.length) + ", MD5 of the "
                    + bodyLength + "-byte body is " + hex.formatHex(computed)
                    + " (truncated or altered aggregate)");
        }
    }

    /** Parses fields in any order (protobuf allows it), then resolves table indices. */
    private static List<UserRecord> parseBody(byte[] bytes, int bodyLength) throws IOException, KplFormatException {
        ProtoReader in = ProtoReader.newInstance(bytes, MAGIC.length, bodyLength);
        List<String> partitionKeys = new ArrayList<>();
        List<String> hashKeys = new ArrayList<>();
        List<RawRecord> records = new ArrayList<>();
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case PARTITION_KEY_TABLE -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "AggregatedRecord.partition_key_table");
                    partitionKeys.add(in.readString());
                }
                case EXPLICIT_HASH_KEY_TABLE -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "AggregatedRecord.explicit_hash_key_table");
                    hashKeys.add(in.readString());
                }
                case RECORDS -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "AggregatedRecord.records");
                    int length = in.readRawVarint32();
                    int oldLimit = in.pushLimit(length);
                    records.add(parseRecord(in, records.size()));
                    in.popLimit(oldLimit);
                }
                default -> skipUnknown(in, tag, "AggregatedRecord");
            }
        }
        if (records.isEmpty()) {
            throw new KplFormatException("the aggregate holds no user records (a KPL producer never writes one); "
                    + "parked rather than dropped so that nothing disappears silently");
        }
        List<UserRecord> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            RawRecord r = records.get(i);
            String partitionKey = lookup(partitionKeys, r.partitionKeyIndex, "partition key", i);
            String hashKey = r.hashKeyIndex < 0 ? null : lookup(hashKeys, r.hashKeyIndex, "explicit hash key", i);
            out.add(new UserRecord(partitionKey, hashKey, r.data)); // read-only, positioned at zero
        }
        return out;
    }

    private static RawRecord parseRecord(ProtoReader in, int index) throws IOException, KplFormatException {
        long partitionKeyIndex = -1;
        boolean hasPartitionKeyIndex = false;
        long hashKeyIndex = -1;
        ByteBuffer data = null;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case PARTITION_KEY_INDEX -> {
                    expect(tag, WireFormat.WIRETYPE_VARINT, "Record.partition_key_index of user record " + index);
                    partitionKeyIndex = in.readUInt64();
                    hasPartitionKeyIndex = true;
                }
                case EXPLICIT_HASH_KEY_INDEX -> {
                    expect(tag, WireFormat.WIRETYPE_VARINT, "Record.explicit_hash_key_index of user record " + index);
                    hashKeyIndex = in.readUInt64();
                    if (hashKeyIndex < 0) {
                        throw new KplFormatException("user record " + index + " has explicit_hash_key_index "
                                + Long.toUnsignedString(hashKeyIndex) + ", beyond any table");
                    }
                }
                case DATA -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "Record.data of user record " + index);
                    data = in.readBytes();
                }
                case TAGS -> {
                    // Tags are KPL metadata the consumer has no use for; only their framing is checked.
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "Record.tags of user record " + index);
                    in.skipField(tag);
                }
                default -> skipUnknown(in, tag, "Record (user record " + index + ")");
            }
        }
        if (!hasPartitionKeyIndex) {
            throw new KplFormatException("user record " + index + " has no partition_key_index (a required field)");
        }
        if (data == null) {
            throw new KplFormatException("user record " + index + " has no data (a required field)");
        }
        return new RawRecord(partitionKeyIndex, hashKeyIndex, data);
    }

    private static String lookup(List<String> table, long index, String what, int record) throws KplFormatException {
        if (index < 0 || index >= table.size()) {
            throw new KplFormatException("user record " + record + " references " + what + " index "
                    + Long.toUnsignedString(index) + ", but the " + what + " table has " + table.size()
                    + (table.size() == 1 ? " entry" : " entries"));
        }
        return table.get((int) index);
    }

    private static void expect(int tag, int wireType, String field) throws KplFormatException {
        int actual = WireFormat.getTagWireType(tag);
        if (actual != wireType) {
            throw new KplFormatException("field " + field + " (number " + WireFormat.getTagFieldNumber(tag)
                    + ") has wire type " + actual + ", expected " + wireType);
        }
    }

    /** Unknown fields are skipped, as protobuf readers must; an unmatched end-group marker is corruption. */
    private static void skipUnknown(ProtoReader in, int tag, String message)
            throws IOException, KplFormatException {
        if (!in.skipField(tag)) {
            throw new KplFormatException("unexpected end-group marker (field "
                    + WireFormat.getTagFieldNumber(tag) + ") in " + message);
        }
    }

    private record RawRecord(long partitionKeyIndex, long hashKeyIndex, ByteBuffer data) {
    }
}
