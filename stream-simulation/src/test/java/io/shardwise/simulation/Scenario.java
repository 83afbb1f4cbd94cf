package io.shardwise.simulation;

import io.shardwise.core.FailureMode;
import io.shardwise.core.dedup.DedupMode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of one schedule. {@link #generate(long)} draws them from a seed; {@link #toString()} prints them
 * in the form {@link #parse(String)} reads, so a printed (or shrunk) scenario replays exactly:
 * {@code -Dsim.replay="seed=... records=... ..."}.
 *
 * @param seed            drives every choice of the schedule (interleaving, faults, clock)
 * @param store           the dedup mode, or null for no dedup store
 * @param payloadKey      the dedup key comes from the payload (absorbs producer duplicates) instead of the position
 * @param failureMode     the handler's failure mode
 * @param maxConcurrency  the handler's key-parallel lanes (inside one invocation)
 * @param parallelization the mapping's ParallelizationFactor (1-10)
 * @param records         outer Kinesis records put on the shard
 * @param kpl             some records are KPL aggregates
 * @param duplicates      the producer sends some records twice (same payload, new sequence number)
 * @param bisect          BisectBatchOnFunctionError
 * @param maxRetries      MaximumRetryAttempts (-1: until the record expires, never in a schedule)
 * @param batchSize       the mapping's BatchSize
 * @param skewMillis      the largest clock skew of a container (either way)
 * @param replay          parked records are replayed onto the shard
 * @param dynamoRate      the share of DynamoDB requests that get a fault
 * @param dynamoFaults    which faults a DynamoDB request can get
 * @param processorRate   the share of processor calls that get a fault
 * @param processorFaults which faults a processor (or sink) call can get
 * @param handler         the handler under test: KinesisBatchHandler, DynamoDbStreamHandler or KinesisWindowHandler
 * @param knownDefectsOut leave out the faults of defects pinned in {@link KnownDefects} (the default run does)
 */
record Scenario(long seed, DedupMode store, boolean payloadKey, FailureMode failureMode, int maxConcurrency,
                int parallelization, int records, boolean kpl, boolean duplicates, boolean bisect, int maxRetries,
                int batchSize, int skewMillis, boolean replay, double dynamoRate,
                Set<FaultPlan.DynamoFault> dynamoFaults, double processorRate,
                Set<FaultPlan.ProcessorFault> processorFaults, Handler handler, boolean knownDefectsOut)
        implements FaultPlan {

    /** The handler a schedule drives. */
    enum Handler { KINESIS, DYNAMODB, WINDOW }

    /** A scenario drawn from {@code seed}: every combination the handlers accept is reachable. */
    static Scenario generate(long seed) {
        return generate(seed, null);
    }

    /**
     * As {@link #generate(long)}, with the dedup mode forced ({@code -Dsim.store=GUARDED}; null: drawn). A forced
     * mode keeps every other draw of the seed, minus what the mode refuses (see below).
     */
    static Scenario generate(long seed, DedupMode forced) {
        SimRandom r = new SimRandom(seed ^ 0x5DEECE66DL);
        DedupMode[] modes = {null, DedupMode.PER_RECORD, DedupMode.WATERMARK, DedupMode.TRANSACTIONAL};
        DedupMode store = modes[r.below(modes.length)];
        boolean payloadKey = store != null && r.chance(0.5);
        FailureMode failureMode = store != null && r.chance(0.3) ? FailureMode.ISOLATE_PARTITION_KEY
                : FailureMode.STOP_AT_FIRST_FAILURE;
        int parallelization = r.chance(0.5) ? 1 : r.between(2, 10);
        Set<DynamoFault> dynamo = EnumSet.noneOf(DynamoFault.class);
        for (DynamoFault f : DynamoFault.values()) {
            if (r.chance(0.5)) {
                dynamo.add(f);
            }
        }
        Set<ProcessorFault> processor = EnumSet.noneOf(ProcessorFault.class);
        for (ProcessorFault f : ProcessorFault.values()) {
            if (r.chance(0.4)) {
                processor.add(f);
            }
        }
        int maxConcurrency = r.chance(0.6) ? 1 : r.between(2, 3);
        int records = r.between(1, 12);
        boolean kpl = r.chance(0.4);
        boolean duplicates = r.chance(0.4);
        boolean bisect = r.chance(0.5);
        int maxRetries = r.chance(0.3) ? -1 : r.between(0, 4);
        int batchSize = r.between(1, 6);
        int skew = r.chance(0.5) ? 0 : r.between(1, 3_000);
        boolean replay = r.chance(0.5);
        double dynamoRate = dynamo.isEmpty() ? 0 : r.between(1, 30) / 100.0;
        double processorRate = processor.isEmpty() ? 0 : r.between(1, 30) / 100.0;
        // Drawn last, so that adding it kept every earlier draw (and the pinned scenarios) as they were.
        int h = r.below(10);
        Handler handler = h < 2 ? Handler.DYNAMODB : h < 4 ? Handler.WINDOW : Handler.KINESIS;
        // GUARDED, drawn after everything else for the same reason: one schedule in five. What it refuses when the
        // handler is built is never generated (a schedule refused would test nothing), and each refusal is pinned
        // by SimulationTest.guardedRefusalsAreNotGeneratedAndAreRefused: payload-derived dedup keys
        // (GuardedModeCheck), DynamoDbStreamHandler (its events name no shard, and the guard compares positions
        // within one), and a dedup store in a window handler. Those schedules drive KinesisBatchHandler instead.
        boolean guardedFailureMode = r.chance(0.3);
        DedupMode mode = forced != null ? forced : r.below(5) == 0 ? DedupMode.GUARDED : null;
        if (mode != null) {
            if (store == null) {
                // the draws that depend on a store were skipped for this seed: make them for the mode
                failureMode = guardedFailureMode ? FailureMode.ISOLATE_PARTITION_KEY : FailureMode.STOP_AT_FIRST_FAILURE;
            }
            store = mode;
            if (mode == DedupMode.GUARDED) {
                payloadKey = false;
            }
            if (handler == Handler.WINDOW || mode == DedupMode.GUARDED && handler == Handler.DYNAMODB) {
                handler = Handler.KINESIS; // the window handler refuses every dedup store
            }
        }
        if (handler == Handler.WINDOW) {
            // KinesisWindowHandler refuses a dedup store and key-parallel lanes (the state is the effect); a
            // replayed record would land in a later window, which the model does not open.
            store = null;
            payloadKey = false;
            failureMode = FailureMode.STOP_AT_FIRST_FAILURE;
            maxConcurrency = 1;
            replay = false;
        }
        if (handler == Handler.DYNAMODB) {
            kpl = false; // DynamoDB stream records are never aggregated
            if (store == DedupMode.WATERMARK) {
                store = DedupMode.PER_RECORD; // refused by DynamoDbStreamHandler: its events carry no shard id
            }
        }
        return new Scenario(seed, store, payloadKey, failureMode, maxConcurrency, parallelization, records, kpl,
                duplicates, bisect, maxRetries, batchSize, skew, replay, dynamoRate, dynamo, processorRate, processor,
                handler, true);
    }

    @Override
    public double dynamoFaultRate() {
        return dynamoRate;
    }

    @Override
    public List<DynamoFault> dynamoFaultKinds() {
        return List.copyOf(dynamoFaults);
    }

    boolean has(ProcessorFault f) {
        return processorFaults.contains(f);
    }

    /** Smaller variants of this scenario, the most promising first (for shrinking a violation). */
    List<Scenario> smaller() {
        List<Scenario> out = new ArrayList<>();
        if (records > 1) {
            out.add(with("records", Integer.toString(records / 2)));
            out.add(with("records", Integer.toString(records - 1)));
        }
        for (DynamoFault f : dynamoFaults) {
            Set<DynamoFault> less = EnumSet.copyOf(dynamoFaults);
            less.remove(f);
            out.add(with("dynamoFaults", less.isEmpty() ? "" : join(less)).with("dynamoRate",
                    less.isEmpty() ? "0" : Double.toString(dynamoRate)));
        }
        for (ProcessorFault f : processorFaults) {
            Set<ProcessorFault> less = EnumSet.copyOf(processorFaults);
            less.remove(f);
            out.add(with("processorFaults", less.isEmpty() ? "" : join(less)).with("processorRate",
                    less.isEmpty() ? "0" : Double.toString(processorRate)));
        }
        if (parallelization > 1) {
            out.add(with("parallelization", "1"));
            out.add(with("parallelization", Integer.toString(parallelization - 1)));
        }
        if (maxConcurrency > 1) {
            out.add(with("maxConcurrency", "1"));
        }
        if (kpl) {
            out.add(with("kpl", "false"));
        }
        if (duplicates) {
            out.add(with("duplicates", "false"));
        }
        if (replay) {
            out.add(with("replay", "false"));
        }
        if (skewMillis > 0) {
            out.add(with("skewMillis", "0"));
        }
        if (bisect) {
            out.add(with("bisect", "false"));
        }
        if (batchSize > 1) {
            out.add(with("batchSize", Integer.toString(batchSize - 1)));
        }
        return out;
    }

    private static String join(Set<? extends Enum<?>> set) {
        StringBuilder b = new StringBuilder();
        for (Enum<?> e : set) {
            b.append(b.length() == 0 ? "" : ",").append(e.name());
        }
        return b.toString();
    }

    private Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seed", Long.toString(seed));
        m.put("store", store == null ? "NONE" : store.name());
        m.put("payloadKey", Boolean.toString(payloadKey));
        m.put("failureMode", failureMode.name());
        m.put("maxConcurrency", Integer.toString(maxConcurrency));
        m.put("parallelization", Integer.toString(parallelization));
        m.put("records", Integer.toString(records));
        m.put("kpl", Boolean.toString(kpl));
        m.put("duplicates", Boolean.toString(duplicates));
        m.put("bisect", Boolean.toString(bisect));
        m.put("maxRetries", Integer.toString(maxRetries));
        m.put("batchSize", Integer.toString(batchSize));
        m.put("skewMillis", Integer.toString(skewMillis));
        m.put("replay", Boolean.toString(replay));
        m.put("dynamoRate", Double.toString(dynamoRate));
        m.put("dynamoFaults", join(dynamoFaults));
        m.put("processorRate", Double.toString(processorRate));
        m.put("processorFaults", join(processorFaults));
        m.put("handler", handler.name());
        m.put("knownDefectsOut", Boolean.toString(knownDefectsOut));
        return m;
    }

    /** This scenario with one field changed (by its name in {@link #toString()}). */
    Scenario with(String field, String value) {
        Map<String, String> m = fields();
        if (!m.containsKey(field)) {
            throw new IllegalArgumentException("no scenario field " + field);
        }
        m.put(field, value);
        return fromFields(m);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        fields().forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }

    /**
     * Reads {@link #toString()}'s form. A lone seed ({@code seed=42}) gives {@link #generate}'s scenario; the fields
     * given override it.
     */
    static Scenario parse(String text) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String part : text.trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("scenario field '" + part + "' is not name=value");
            }
            given.put(part.substring(0, eq), part.substring(eq + 1));
        }
        if (!given.containsKey("seed")) {
            throw new IllegalArgumentException("a scenario needs seed=<number>, got: " + text);
        }
        Map<String, String> m = generate(Long.parseLong(given.get("seed"))).fields();
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!m.containsKey(e.getKey())) {
                throw new IllegalArgumentException("no scenario field " + e.getKey() + "; fields: " + m.keySet());
            }
            m.put(e.getKey(), e.getValue());
        }
        return fromFields(m);
    }

    private static Scenario fromFields(Map<String, String> m) {
        Set<DynamoFault> dynamo = EnumSet.noneOf(DynamoFault.class);
        for (String s : m.get("dynamoFaults").split(",")) {
            if (!s.isBlank()) {
                dynamo.add(DynamoFault.valueOf(s));
            }
        }
        Set<ProcessorFault> processor = EnumSet.noneOf(ProcessorFault.class);
        for (String s : m.get("processorFaults").split(",")) {
            if (!s.isBlank()) {
                processor.add(ProcessorFault.valueOf(s));
            }
        }
        String store = m.get("store");
        return new Scenario(Long.parseLong(m.get("seed")), store.equals("NONE") ? null : DedupMode.valueOf(store),
                Boolean.parseBoolean(m.get("payloadKey")), FailureMode.valueOf(m.get("failureMode")),
                Integer.parseInt(m.get("maxConcurrency")), Integer.parseInt(m.get("parallelization")),
                Integer.parseInt(m.get("records")), Boolean.parseBoolean(m.get("kpl")),
                Boolean.parseBoolean(m.get("duplicates")), Boolean.parseBoolean(m.get("bisect")),
                Integer.parseInt(m.get("maxRetries")), Integer.parseInt(m.get("batchSize")),
                Integer.parseInt(m.get("skewMillis")), Boolean.parseBoolean(m.get("replay")),
                Double.parseDouble(m.get("dynamoRate")), dynamo, Double.parseDouble(m.get("processorRate")),
                processor, Handler.valueOf(m.get("handler")), Boolean.parseBoolean(m.get("knownDefectsOut")));
    }
}
