package io.shardwise.core.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers for dedup ids and payload validation hashes. Stateless, thread-safe. */
public final class Hashing {
    private Hashing() {
    }

    /** The dedup item id of a key: {@code consumer#sha256hex(key)}. Raw keys never reach the table. */
    public static String dedupId(String consumerName, String key) {
        return consumerName + "#" + sha256Hex(key.getBytes(StandardCharsets.UTF_8));
    }

    /** The dedup item id of a watermark scope (shard, optionally partition key). */
    public static String watermarkId(String consumerName, String sourceArn, String shardId, String partitionKey) {
        String scope = "watermark/" + (sourceArn == null ? "" : sourceArn) + "/" + shardId
                + (partitionKey == null ? "" : "/key/" + partitionKey);
        return dedupId(consumerName, scope);
    }

    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    public static String sha256Hex(ByteBuffer buffer) {
        MessageDigest md = digest();
        md.update(buffer.duplicate());
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
