package io.shardwise.core;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds test shards: records with realistic, strictly increasing sequence numbers. */
final class Records {
    static final String ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/test";
    static final String SHARD = "shardId-000000000000";
    private static final BigInteger BASE = new BigInteger("49590338271490256608559692538361571095921575989136588898");

    private Records() {
    }

    static String seq(int i) {
        return BASE.add(BigInteger.valueOf(1000L * i)).toString();
    }

    static StreamRecord<String> record(int i, String key, String payload) {
        return new StreamRecord<>(payload, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)), key, SHARD, ARN,
                seq(i), StreamRecord.NO_SUB_SEQUENCE, Instant.parse("2026-11-22T10:00:00Z").plusSeconds(i),
                SHARD + ":" + seq(i));
    }

    /** n records, payload "r{i}", keys k{i % keys}. */
    static List<StreamRecord<String>> shard(int n, int keys) {
        List<StreamRecord<String>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(record(i, "k" + (i % keys), "r" + i));
        }
        return out;
    }
}
