package io.shardwise.kinesis;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent KPL aggregate encoder for tests, written from the format description (magic, protobuf
 * {@code AggregatedRecord}, MD5 of the protobuf) with {@link CodedOutputStream}; it shares no code with the
 * production parser. It also writes deliberately broken aggregates.
 */
public final class KplEncoder {
    static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

    /** A user record to aggregate; {@code explicitHashKey} may be null. */
    public record UserRecord(String partitionKey, String explicitHashKey, byte[] data) {
        static UserRecord of(String partitionKey, String data) {
            return new UserRecord(partitionKey, null, data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private KplEncoder() {
    }

    /** A valid aggregate: tables deduplicated in first-use order, as the KPL writes them. */
    public static byte[] aggregate(List<UserRecord> records) {
        return frame(body(records));
    }

    /** The protobuf {@code AggregatedRecord} bytes. */
    public static byte[] body(List<UserRecord> records) {
        Map<String, Integer> pks = new LinkedHashMap<>();
        Map<String, Integer> ehks = new LinkedHashMap<>();
        for (UserRecord r : records) {
            pks.putIfAbsent(r.partitionKey(), pks.size());
            if (r.explicitHashKey() != null) {
                ehks.putIfAbsent(r.explicitHashKey(), ehks.size());
            }
        }
        return write(out -> {
            for (String pk : pks.keySet()) {
                out.writeString(1, pk);
            }
            for (String ehk : ehks.keySet()) {
                out.writeString(2, ehk);
            }
            for (UserRecord r : records) {
                byte[] rec = write(o -> {
                    o.writeUInt64(1, pks.get(r.partitionKey()));
                    if (r.explicitHashKey() != null) {
                        o.writeUInt64(2, ehks.get(r.explicitHashKey()));
                    }
                    o.writeByteArray(3, r.data());
                    // One tag (key "k", value "v") per record: the parser must step over it.
                    o.writeByteArray(4, write(t -> {
                        t.writeString(1, "k");
                        t.writeString(2, "v");
                    }));
                });
                out.writeByteArray(3, rec);
            }
        });
    }

    /** Magic + body + MD5(body). */
    static byte[] frame(byte[] body) {
        return concat(MAGIC, body, md5(body));
    }

    /** Magic + body + a given trailer (for bad-MD5 cases). */
    public static byte[] frame(byte[] body, byte[] trailer) {
        return concat(MAGIC, body, trailer);
    }

    public static byte[] md5(byte[] body) {
        try {
            return MessageDigest.getInstance("MD5").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Raw protobuf writing, for hand-made (possibly invalid) bodies. */
    static byte[] write(Writer writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            writer.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A length-delimited field holding {@code bytes}. */
    static void writeMessage(CodedOutputStream out, int field, byte[] bytes) throws IOException {
        out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(bytes.length);
        out.writeRawBytes(bytes);
    }

    static List<UserRecord> numbered(int n, int keys) {
        List<UserRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(UserRecord.of("key-" + (i % keys), "{\"n\":" + i + "}"));
        }
        return out;
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @FunctionalInterface
    interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }
}
