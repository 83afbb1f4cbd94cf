package io.shardwise.core.sink;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Base64;
import java.util.Random;

/** Builds parked records for the sink tests: realistic sequence numbers, payloads that are not valid UTF-8. */
public final class Parked {
    public static final String ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
    public static final String SHARD = "shardId-000000000000";
    public static final String CONSUMER = "order-totals";
    public static final Instant ARRIVAL = Instant.parse("2026-11-22T10:00:00.123Z");
    public static final Instant PARKED_AT = Instant.parse("2026-11-22T10:05:00.456789Z");
    private static final BigInteger BASE = new BigInteger("49590338271490256608559692538361571095921575989136588898");

    private Parked() {
    }

    public static String seq(int i) {
        return BASE.add(BigInteger.valueOf(1000L * i)).toString();
    }

    /**
     * Bytes that are not UTF-8: every byte value, 0x00 and 0xFF included, then a seeded random tail; {@code size}
     * bytes in all.
     */
    public static byte[] binaryPayload(int size, long seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < Math.min(size, 256); i++) {
            b[i] = (byte) i;
        }
        if (size > 256) {
            byte[] tail = new byte[size - 256];
            new Random(seed).nextBytes(tail);
            System.arraycopy(tail, 0, b, 256, tail.length);
        }
        return b;
    }

    public static ParkedRecord record(String shard, int i, long sub, String key, byte[] payload) {
        return new ParkedRecord(CONSUMER, ARN, shard, seq(i), sub, key, ARRIVAL.plusSeconds(i),
                shard + ":" + seq(i), Base64.getEncoder().encodeToString(payload),
                "com.example.OrderRejected", "amount must be positive: \u00e9\u4e2d\uD83D\uDE00 \"quoted\" \n line 2",
                3, PARKED_AT.plusSeconds(i));
    }

    public static ParkedRecord record(int i, String key, byte[] payload) {
        return record(SHARD, i, -1, key, payload);
    }

    /** The base64 length for n bytes. */
    public static int base64Length(int n) {
        return 4 * ((n + 2) / 3);
    }
}
