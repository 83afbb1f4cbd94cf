package io.shardwise.kinesis.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.core.FailureMode;
import io.shardwise.kinesis.KplEncoder;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One randomly generated run, fully determined by its seed: the handler's configuration, the stream (several
 * shards, several partition keys, plain JSON records, KPL aggregates, producer-side duplicates, undecodable and
 * corrupt records), each record's scripted processor failures, and the fault plan (which faults, how likely, how
 * many in all).
 *
 * <p>Vocabulary: a <em>unit</em> is what the engine processes (a plain record, or one user record of a KPL
 * aggregate), addressed by its {@link Position}; a <em>logical event</em> is what must take effect once: with
 * payload-derived dedup keys the producer's {@code eventId} (a producer duplicate is a second unit of the same
 * event), otherwise the unit's stream position.
 */
final class Scenario {
    static final ObjectMapper JSON = new ObjectMapper();
    static final BigInteger BASE_SEQ = new BigInteger("49590338271490256608559692538361571095921575989136588800");

    enum Store { NONE, PER_RECORD, WATERMARK, TRANSACTIONAL }

    /** Where a fault can be injected. */
    enum Fault {
        PROCESSOR_CRASH_BEFORE_EFFECT,
        PROCESSOR_CRASH_AFTER_EFFECT,
        PROCESSOR_TRANSIENT_FAILURE,
        STORE_FAILURE_BEFORE_WRITE,
        STORE_FAILURE_AFTER_WRITE,
        STORE_CRASH_BEFORE_WRITE,
        STORE_CRASH_AFTER_WRITE,
        COMMIT_CRASH_MID_TRANSACTION,
        COMMIT_CONDITION_FAILURE,
        SINK_FAILURE,
        SINK_CRASH_BEFORE_ACCEPT,
        SINK_CRASH_AFTER_ACCEPT,
        /** Lambda invokes the same batch again although the first invocation succeeded. */
        DUPLICATE_DELIVERY,
        /** The invocation pauses, "times out", and its retry races it while it resumes. */
        RETRY_RACES_TIMED_OUT_INVOCATION,
        /** Records take seconds each, so the deadline margin (or the timeout itself) is reached. */
        SLOW_INVOCATION,
        /** Several slots (ParallelizationFactor, or several shards) are invoked at once. */
        CONCURRENT_INVOCATIONS
    }

    /** A unit's place in its shard. */
    record Position(String shardId, String sequenceNumber, long subSequenceNumber) {
    }

    /** One unit. {@code eventId} is null for undecodable units. */
    record Unit(Position position, String logicalId, String partitionKey, String eventId, int failCount,
                boolean badData) {
    }

    /** One record as it sits in the stream. */
    record StreamRec(String shardId, String sequenceNumber, String partitionKey, byte[] data, long arrivalMillis,
                     List<Unit> units) {
    }

    final long seed;
    final String runId;
    final String streamArn;
    final Store store;
    final FailureMode failureMode;
    final int maxConcurrency;
    final int batchSize;
    final int parallelizationFactor;
    /** Watermark mode: one watermark per shard (only drawn where valid). */
    final boolean shardWatermark;
    final int watermarkGroupSize;
    final boolean payloadKeys;
    final int maxAttempts = 3;
    /** Shard id to its records, in sequence order. */
    final Map<String, List<StreamRec>> shards = new LinkedHashMap<>();
    final Map<Position, Unit> units = new LinkedHashMap<>();
    /** Logical id to the partition key and stream order of its first unit. */
    final Map<String, String> keyOfEvent = new LinkedHashMap<>();
    final List<String> eventOrder = new ArrayList<>();
    /** Secrets (stand-ins for personal data) carried in payloads: must never be logged. */
    final List<String> secrets = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();
    final Map<Fault, Double> probability = new EnumMap<>(Fault.class);
    final int faultBudget;

    private Scenario(long seed, Random rnd, Options options) {
        this.seed = seed;
        this.runId = Long.toHexString(seed & 0xffffffffL) + "-" + Integer.toHexString(rnd.nextInt() & 0xffff);
        this.streamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/reliability-" + runId;
        this.store = options.store != null ? options.store : pick(rnd, Store.values());
        boolean dedup = store != Store.NONE;
        this.failureMode = dedup && rnd.nextInt(3) == 0 ? FailureMode.ISOLATE_PARTITION_KEY
                : FailureMode.STOP_AT_FIRST_FAILURE;
        this.maxConcurrency = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(3) : 1;
        this.batchSize = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 30);
        this.parallelizationFactor = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(3) : 1;
        // A shard-wide watermark is declared only where it is valid (ParallelizationFactor 1, sequential, stop).
        this.shardWatermark = store == Store.WATERMARK && parallelizationFactor == 1 && maxConcurrency == 1
                && failureMode == FailureMode.STOP_AT_FIRST_FAILURE && rnd.nextBoolean();
        this.watermarkGroupSize = store == Store.WATERMARK && failureMode == FailureMode.STOP_AT_FIRST_FAILURE
                && rnd.nextBoolean() ? 2 + rnd.nextInt(4) : 1;
        boolean drawnPayloadKeys = rnd.nextBoolean();
        this.payloadKeys = dedup && (options.payloadKeys != null ? options.payloadKeys : drawnPayloadKeys);
        boolean producerDuplicates = rnd.nextInt(3) > 0;

        int shardCount = 1 + rnd.nextInt(3);
        int keyCount = 1 + rnd.nextInt(5);
        for (int s = 0; s < shardCount; s++) {
            String shardId = String.format("shardId-%012d", s);
            int n = 1 + rnd.nextInt(options.maxRecordsPerShard);
            List<StreamRec> recs = new ArrayList<>();
            List<Payload> written = new ArrayList<>();
            Map<String, Integer> perKeyCounter = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String seq = BASE_SEQ.add(BigInteger.valueOf(10L * i + s * 1_000_000L)).toString();
                // Kinesis routes a partition key to one shard: keys are per shard here.
                String key = "k" + s + "." + rnd.nextInt(keyCount);
                long arrival = 1_700_000_000_000L + i * 10L;
                int kind = rnd.nextInt(100);
                if (kind < 8) {
                    // KPL aggregate of 2..4 user records. Inner keys may differ from the outer one only when all of
                    // the shard's records go to one slot: Lambda slots records by the outer key.
                    int m = 2 + rnd.nextInt(3);
                    List<KplEncoder.UserRecord> users = new ArrayList<>();
                    List<Unit> unitList = new ArrayList<>();
                    for (int sub = 0; sub < m; sub++) {
                        String inner = parallelizationFactor == 1 && rnd.nextBoolean()
                                ? "k" + s + "." + rnd.nextInt(keyCount) : key;
                        Payload p = newPayload(rnd, shardId, i * 10 + sub, inner, perKeyCounter);
                        written.add(p);
                        byte[] bytes = json(p);
                        payloads.add(bytes);
                        users.add(new KplEncoder.UserRecord(inner, null, bytes));
                        unitList.add(unit(rnd, new Position(shardId, seq, sub), p, inner));
                    }
                    byte[] agg = KplEncoder.aggregate(users);
                    recs.add(new StreamRec(shardId, seq, key, agg, arrival, unitList));
                } else if (kind < 11) {
                    // Undecodable: broken JSON that still carries a secret.
                    String secret = secret(rnd);
                    byte[] bytes = ("{\"eventId\":\"broken\",\"secret\":\"" + secret + "\",")
                            .getBytes(StandardCharsets.UTF_8);
                    payloads.add(bytes);
                    Position pos = new Position(shardId, seq, -1);
                    Unit u = new Unit(pos, positionKey(pos), key, null, 0, false);
                    register(u);
                    recs.add(new StreamRec(shardId, seq, key, bytes, arrival, List.of(u)));
                } else if (kind < 13) {
                    // A corrupt KPL aggregate (bad MD5 trailer): parked whole.
                    byte[] body = KplEncoder.body(List.of(new KplEncoder.UserRecord(key, null, json(newPayload(rnd, shardId, i * 10, key,
                            perKeyCounter)))));
                    byte[] trailer = KplEncoder.md5(body);
                    trailer[0] ^= 0x5a;
                    byte[] bytes = KplEncoder.frame(body, trailer);
                    payloads.add(bytes);
                    Position pos = new Position(shardId, seq, -1);
                    Unit u = new Unit(pos, positionKey(pos), key, null, 0, false);
                    register(u);
                    recs.add(new StreamRec(shardId, seq, key, bytes, arrival, List.of(u)));
                } else if (kind < 23 && producerDuplicates && !written.isEmpty()) {
                    // A producer-side duplicate: the same payload again, with a new sequence number.
                    Payload p = written.get(rnd.nextInt(written.size()));
                    byte[] bytes = json(p);
                    Position pos = new Position(shardId, seq, -1);
                    Unit u = unit(rnd, pos, p, p.key());
                    recs.add(new StreamRec(shardId, seq, p.key(), bytes, arrival, List.of(u)));
                } else {
                    Payload p = newPayload(rnd, shardId, i * 10, key, perKeyCounter);
                    written.add(p);
                    byte[] bytes = json(p);
                    payloads.add(bytes);
                    Position pos = new Position(shardId, seq, -1);
                    recs.add(new StreamRec(shardId, seq, key, bytes, arrival, List.of(unit(rnd, pos, p, key))));
                }
            }
            shards.put(shardId, Collections.unmodifiableList(recs));
        }

        this.faultBudget = options.faults ? rnd.nextInt(options.maxFaults + 1) : 0;
        for (Fault f : Fault.values()) {
            probability.put(f, options.faults && rnd.nextInt(3) > 0 ? 0.01 + rnd.nextDouble() * 0.12 : 0.0);
        }
        probability.put(Fault.CONCURRENT_INVOCATIONS, options.faults ? rnd.nextDouble() * 0.5 : 0.0);
        if (store != Store.TRANSACTIONAL) {
            probability.put(Fault.COMMIT_CRASH_MID_TRANSACTION, 0.0);
            probability.put(Fault.COMMIT_CONDITION_FAILURE, 0.0);
        }
        if (store == Store.NONE) {
            for (Fault f : List.of(Fault.STORE_FAILURE_BEFORE_WRITE, Fault.STORE_FAILURE_AFTER_WRITE,
                    Fault.STORE_CRASH_BEFORE_WRITE, Fault.STORE_CRASH_AFTER_WRITE)) {
                probability.put(f, 0.0);
            }
        }
        for (Map.Entry<Fault, Double> e : options.overrides.entrySet()) {
            probability.put(e.getKey(), e.getValue());
        }
    }

    /** Tuning of generation; the defaults are the CI profile's. */
    static final class Options {
        Store store;
        boolean faults = true;
        int maxFaults = 15;
        int maxRecordsPerShard = 30;
        Boolean payloadKeys;
        final Map<Fault, Double> overrides = new EnumMap<>(Fault.class);

        Options store(Store s) {
            this.store = s;
            return this;
        }

        Options withoutFaults() {
            this.faults = false;
            return this;
        }

        Options maxRecordsPerShard(int n) {
            this.maxRecordsPerShard = n;
            return this;
        }

        Options maxFaults(int n) {
            this.maxFaults = n;
            return this;
        }

        Options payloadKeys(boolean on) {
            this.payloadKeys = on;
            return this;
        }

        Options probability(Fault f, double p) {
            overrides.put(f, p);
            return this;
        }
    }

    static Scenario generate(long seed) {
        return generate(seed, new Options());
    }

    static Scenario generate(long seed, Options options) {
        return new Scenario(seed, new Random(seed), options);
    }

    private Unit unit(Random rnd, Position pos, Payload p, String key) {
        int failCount = rnd.nextInt(100) < 15 ? 1 + rnd.nextInt(4) : 0;
        boolean bad = Math.floorMod(p.eventId().hashCode() * 31 + (int) seed, 100) < 3;
        String logical = payloadKeys ? "evt:" + p.eventId() : positionKey(pos);
        Unit u = new Unit(pos, logical, key, p.eventId(), failCount, bad);
        register(u);
        return u;
    }

    private void register(Unit u) {
        units.put(u.position(), u);
        if (!keyOfEvent.containsKey(u.logicalId())) {
            keyOfEvent.put(u.logicalId(), u.partitionKey());
            eventOrder.add(u.logicalId());
        }
    }

    private Payload newPayload(Random rnd, String shardId, int index, String key, Map<String, Integer> counter) {
        int n = counter.merge(key, 1, Integer::sum);
        return new Payload("e-" + runId + "-" + shardId.substring(shardId.length() - 2) + "-" + index, key, n,
                secret(rnd));
    }

    private String secret(Random rnd) {
        String s = String.format("SSN%09d%s", rnd.nextInt(1_000_000_000), Long.toString(seed & 0xffff, 36));
        secrets.add(s);
        return s;
    }

    String positionKey(Position p) {
        String base = streamArn + "/" + p.shardId() + "/" + p.sequenceNumber();
        return p.subSequenceNumber() >= 0 ? base + "/" + p.subSequenceNumber() : base;
    }

    Unit unitAt(String shardId, String sequenceNumber, long sub) {
        Unit u = units.get(new Position(shardId, sequenceNumber, sub));
        if (u == null) {
            throw new AssertionError("unknown unit " + shardId + "/" + sequenceNumber + "/" + sub);
        }
        return u;
    }

    /** Which of the shard's ParallelizationFactor slots a record goes to: a hash of its partition key. */
    int slotOf(StreamRec r) {
        return Math.floorMod(r.partitionKey().hashCode() * 0x9E3779B1, parallelizationFactor);
    }

    static byte[] json(Payload p) {
        try {
            return JSON.writeValueAsBytes(p);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static <E> E pick(Random rnd, E[] values) {
        return values[rnd.nextInt(values.length)];
    }

    int recordCount() {
        return shards.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public String toString() {
        return "Scenario{seed=" + seed + ", store=" + store + ", failureMode=" + failureMode + ", maxConcurrency="
                + maxConcurrency + ", batchSize=" + batchSize + ", parallelizationFactor=" + parallelizationFactor
                + ", watermarkGroupSize=" + watermarkGroupSize + ", payloadKeys=" + payloadKeys + ", shards="
                + shards.size() + ", records=" + recordCount() + ", units=" + units.size() + ", events="
                + eventOrder.size() + ", faultBudget=" + faultBudget + "}";
    }
}
