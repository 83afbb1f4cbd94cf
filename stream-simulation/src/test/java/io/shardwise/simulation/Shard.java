package io.shardwise.simulation;

import io.shardwise.testkit.fixtures.KinesisEvents;
import io.shardwise.testkit.fixtures.KplAggregate;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Kinesis shard as the producer filled it: outer records (plain, or KPL aggregates of user records), each user
 * record carrying a record id in its payload. Producer duplicates repeat an earlier payload under a new sequence
 * number; replayed parked records are appended at the end. Driver thread only.
 */
final class Shard {
    static final String SHARD_ID = "shardId-000000000000";
    static final String STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/sim-stream";
    static final String TABLE_STREAM_ARN =
            "arn:aws:dynamodb:us-east-1:000000000000:table/sim-table/stream/2030-01-01T00:00:00.000";
    private static final BigInteger FIRST = new BigInteger(KinesisEvents.FIRST_SEQUENCE_NUMBER);
    private static final String[] KEYS = {"k1", "k2", "k3", "k4"};

    /** One record the processor sees (a plain record, or one user record of an aggregate). */
    record Unit(String id, String seq, long sub, String outerKey, String innerKey, byte[] payload, boolean replayed,
                boolean duplicate) {
        /** The engine's default dedup key, minus the stream ARN: the position. */
        String position() {
            return seq + (sub >= 0 ? "/" + sub : "");
        }

        /** Lambda keeps order per outer key; the engine per lane key inside it. */
        String orderScope() {
            return outerKey + "|" + innerKey;
        }
    }

    /** One Kinesis record on the shard. */
    record Outer(int index, String seq, String key, byte[] data, List<Unit> units, long arrival) {}

    private final List<Outer> outers = new ArrayList<>();
    private int nextId = 1;

    static Shard generate(Scenario s, SimRandom r, long now) {
        Shard shard = new Shard();
        List<Unit> plain = new ArrayList<>();
        for (int i = 0; i < s.records(); i++) {
            String key = KEYS[r.below(KEYS.length)];
            if (s.duplicates() && !plain.isEmpty() && r.chance(0.25)) {
                Unit original = r.pick(plain);
                shard.addPlain(original.outerKey(), original.id(), original.payload(), false, true, now);
            } else if (s.kpl() && r.chance(0.5)) {
                int n = r.between(1, 4);
                List<String[]> users = new ArrayList<>();
                for (int u = 0; u < n; u++) {
                    String inner = r.chance(0.5) ? key : KEYS[r.below(KEYS.length)];
                    users.add(new String[] {inner, "r" + shard.nextId++});
                }
                shard.addAggregate(key, users, now);
            } else {
                String id = "r" + shard.nextId++;
                plain.add(shard.addPlain(key, id, payload(id, key), false, false, now));
            }
        }
        return shard;
    }

    /** The DynamoDB stream record's eventID for a sequence number: fixed, as the stream keeps it. */
    static String eventId(String seq) {
        return "ev" + seq.substring(seq.length() - 30);
    }

    static byte[] payload(String id, String key) {
        return ("{\"id\":\"" + id + "\",\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** The record id in a payload this class made. */
    static String idOf(String payload) {
        int start = payload.indexOf("\"id\":\"") + 6;
        return payload.substring(start, payload.indexOf('"', start));
    }

    Unit addPlain(String key, String id, byte[] payload, boolean replayed, boolean duplicate, long now) {
        String seq = FIRST.add(BigInteger.valueOf(outers.size() * 10L)).toString();
        Unit u = new Unit(id, seq, -1, key, key, payload, replayed, duplicate);
        outers.add(new Outer(outers.size(), seq, key, payload, List.of(u), now));
        return u;
    }

    private void addAggregate(String key, List<String[]> users, long now) {
        String seq = FIRST.add(BigInteger.valueOf(outers.size() * 10L)).toString();
        KplAggregate.Builder agg = KplAggregate.builder();
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            byte[] p = payload(users.get(i)[1], users.get(i)[0]);
            agg.record(users.get(i)[0], p);
            units.add(new Unit(users.get(i)[1], seq, i, key, users.get(i)[0], p, false, false));
        }
        outers.add(new Outer(outers.size(), seq, key, agg.build(), List.copyOf(units), now));
    }

    List<Outer> outers() {
        return outers;
    }

    List<Unit> units() {
        List<Unit> all = new ArrayList<>();
        for (Outer o : outers) {
            all.addAll(o.units());
        }
        return all;
    }

    Outer bySeq(String seq) {
        for (Outer o : outers) {
            if (o.seq().equals(seq)) {
                return o;
            }
        }
        return null;
    }
}
