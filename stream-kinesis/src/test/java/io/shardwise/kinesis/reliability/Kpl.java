package io.shardwise.kinesis.reliability;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A KPL aggregate writer for the reliability tests, from the published format (magic {@code F3 89 9A C2},
 * protobuf {@code AggregatedRecord}, MD5 of the protobuf body); independent of the production parser.
 */
final class Kpl {
    static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

    record User(String partitionKey, byte[] data) {
    }

    private Kpl() {
    }

    static byte[] aggregate(List<User> records) {
        byte[] body = body(records);
        return concat(MAGIC, body, md5(body));
    }

    static byte[] body(List<User> records) {
        Map<String, Integer> keys = new LinkedHashMap<>();
        for (User u : records) {
            keys.putIfAbsent(u.partitionKey(), keys.size());
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            for (String k : keys.keySet()) {
                out.writeString(1, k);
            }
            for (User u : records) {
                ByteArrayOutputStream rec = new ByteArrayOutputStream();
                CodedOutputStream r = CodedOutputStream.newInstance(rec);
                r.writeUInt64(1, keys.get(u.partitionKey()));
                r.writeByteArray(3, u.data());
                r.flush();
                out.writeByteArray(3, rec.toByteArray());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] md5(byte[] body) {
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
}
