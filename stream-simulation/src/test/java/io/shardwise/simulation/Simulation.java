package io.shardwise.simulation;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.dedup.SimStores;
import io.shardwise.core.internal.Hashing;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import io.shardwise.testkit.FakeContext;
import io.shardwise.ddb.DynamoDbStreamHandler;
import io.shardwise.testkit.esm.DynamoDbStreamRecord;
import io.shardwise.testkit.esm.KinesisStreamRecord;
import io.shardwise.testkit.fixtures.DynamoDbEvents;
import io.shardwise.kinesis.KinesisWindowHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.TimeWindow;
import com.fasterxml.jackson.core.type.TypeReference;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import io.shardwise.testkit.fixtures.KinesisEvents;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * One schedule: a shard, Lambda's event source mapping over it (batches per ParallelizationFactor lane, retries
 * from the reported checkpoint, bisect, retry limits and record age, timeouts whose invocation keeps running beside
 * its retry, clock skew between containers), the real {@link KinesisBatchHandler} and {@link DynamoDbDedupStore} in
 * each container, all against one embedded DynamoDB engine with faults at every call. Every choice comes from the
 * scenario's seed, so a schedule replays exactly. {@link #run()} returns what the invariants found.
 *
 * <p>Two phases: chaos (faults on) until the shard is drained or a virtual-time budget is spent, then quiet (no
 * new faults; what still runs finishes), after which every record must have ended as documented.
 */
final class Simulation implements SimProcessor.World {

    static final String DEDUP_TABLE = "sim-dedup";
    static final String CONSUMER = "sim-consumer";
    static final long FUNCTION_TIMEOUT = 6_000;
    static final long CHAOS_BUDGET = 120_000;
    static final long QUIET_BUDGET = 3 * 3_600_000L;
    /** MaximumRecordAgeInSeconds when MaximumRetryAttempts is -1 (a record is given up at that age). */
    static final long MAX_RECORD_AGE = 3_600_000L;
    static final int MAX_TURNS = 200_000;

    /** One invocation of the function (a zombie once Lambda timed it out: it may still run). */
    final class Invocation {
        final int number;
        final Lane lane;
        final List<Shard.Outer> batch;
        final Container container;
        final long deadline;
        Baton.SimThread thread;
        volatile StreamsEventResponse response;
        volatile Throwable thrown;
        volatile boolean crashed;
        boolean timedOut;
        boolean settled;
        /** Window handler: the state Lambda carried in, the state returned, whether it is the window's last. */
        Map<String, String> carried;
        volatile Map<String, String> returnedState;
        boolean finalInvoke;
        /** The lease tokens this invocation's claims wrote. */
        final Set<String> tokens = new HashSet<>();

        Invocation(int number, Lane lane, List<Shard.Outer> batch, Container container, long deadline) {
            this.number = number;
            this.lane = lane;
            this.batch = batch;
            this.container = container;
            this.deadline = deadline;
        }

        String name() {
            return "inv" + number + "@lane" + lane.index;
        }
    }

    /** One ParallelizationFactor lane of the shard: its own records (by outer key) and checkpoint. */
    final class Lane {
        final int index;
        final List<Shard.Outer> outers = new ArrayList<>();
        int checkpoint;
        int attempts;
        int limit;
        long notBefore;
        Invocation inflight;

        Lane(int index) {
            this.index = index;
            this.limit = scenario.batchSize();
        }

        /** Window handler: the state the last successful invocation returned; whether the window has ended. */
        Map<String, String> windowState;
        boolean windowClosed;

        boolean drained() {
            return checkpoint >= outers.size() && inflight == null
                    && (scenario.handler() != Scenario.Handler.WINDOW || windowClosed);
        }
    }

    /** A Lambda execution environment: its handler, store and clock (skewed), reused by later invocations. */
    final class Container {
        final int number;
        final Clock clock;
        final java.util.function.BiFunction<Invocation, com.amazonaws.services.lambda.runtime.Context,
                StreamsEventResponse> handler;
        Invocation current;

        Container(int number, long skew) {
            this.number = number;
            this.clock = this.clockOf(skew);
            ProcessingConfig.Builder config = ProcessingConfig.builder(CONSUMER)
                    .failureMode(scenario.failureMode())
                    .maxConcurrency(scenario.maxConcurrency())
                    .failureSink(new SimProcessor.Sink(Simulation.this))
                    .metrics(false)
                    .clock(clock)
                    // The overrun watch's timer on virtual time, through the baton: a simulated hang trips it, and
                    // it fires at the same point of every replay of a seed.
                    .overrunTimer(baton.timer());
            if (scenario.maxConcurrency() > 1) {
                config.executor(baton.laneExecutor());
            }
            if (scenario.store() != null) {
                DynamoDbDedupStore.Builder store = DynamoDbDedupStore.builder(client, DEDUP_TABLE)
                        .clock(clock).readConcurrency(1);
                SimStores.virtualBackoff(store, ms -> baton.sleep(random.between(1, 60)));
                config.dedupStore(store.build()).dedupMode(scenario.store());
                if (scenario.store() == DedupMode.GUARDED) {
                    config.guardedClient(client); // the same faulted client: the guarded write gets every fault
                }
            }
            if (scenario.handler() == Scenario.Handler.DYNAMODB) {
                DynamoDbStreamHandler<SimItem> ddb = DynamoDbStreamHandler.builder(TableSchema.fromBean(SimItem.class))
                        .processor(processor.forChanges())
                        .config(config.build())
                        .build();
                this.handler = (inv, context) -> ddb.handleRequest(DynamoDbEvents.builder()
                        .streamArn(Shard.TABLE_STREAM_ARN).records(ddbRecords(inv.batch)).build(), context);
            } else if (scenario.handler() == Scenario.Handler.WINDOW) {
                KinesisWindowHandler<String, Map<String, Integer>> window = KinesisWindowHandler
                        .builder(new Folds(), new TypeReference<Map<String, Integer>>() {})
                        .decoder(KinesisDecoders.utf8())
                        .config(config.build())
                        .build();
                this.handler = (inv, context) -> windowResponse(inv, window.handleRequest(windowEvent(inv), context));
            } else {
                KinesisBatchHandler<String> kinesis = KinesisBatchHandler.builder(processor.forRecords())
                        .decoder(KinesisDecoders.utf8())
                        .config(config.build())
                        .build();
                this.handler = (inv, context) -> kinesis.handleRequest(KinesisEvents.builder()
                        .shardId(Shard.SHARD_ID).streamArn(Shard.STREAM_ARN).records(kinesisRecords(inv.batch))
                        .build(), context);
            }
        }

        private Clock clockOf(long skew) {
            return baton.clock().skewed(skew);
        }
    }

    private final Scenario scenario;
    private final VirtualClock clock = new VirtualClock();
    private final Baton baton = new Baton(clock);
    private final SimRandom random;
    private final Trace trace = new Trace(clock);
    private final Ledger ledger = new Ledger();
    private final SimDynamo dynamo;
    private final DynamoDbClient client;
    private final Shard shard;
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Container> containers = new ArrayList<>();
    private final List<Invocation> invocations = new ArrayList<>();
    private final Set<String> replayed = new HashSet<>();
    private final SimProcessor processor;
    private final long start;
    private boolean quiet;
    private final Map<String, Integer> processorFaults = new LinkedHashMap<>();

    Simulation(Scenario scenario) {
        this.scenario = scenario;
        this.random = new SimRandom(scenario.seed());
        this.dynamo = new SimDynamo(baton, random, trace, scenario, scenario.seed(), this::sdkFailure);
        this.client = dynamo.client();
        if (scenario.knownDefectsOut()) {
            dynamo.allow(KnownDefects::allowed);
        }
        dynamo.onApplied(this::afterApplied);
        dynamo.onToken(token -> {
            Baton.SimThread t = baton.current();
            if (t != null) {
                invocationOf(t).tokens.add(token);
            }
        });
        this.start = clock.now();
        this.shard = Shard.generate(scenario, random, clock.now());
        Set<String> poison = new HashSet<>();
        for (Shard.Unit u : shard.units()) {
            if (random.chance(0.15)) {
                poison.add(u.id());
            }
        }
        this.processor = new SimProcessor(this, poison);
        for (int i = 0; i < scenario.parallelization(); i++) {
            lanes.add(new Lane(i));
        }
        for (Shard.Outer o : shard.outers()) {
            laneOf(o).outers.add(o);
        }
    }

    /** What one schedule found. */
    record Result(Scenario scenario, Map<String, String> violations, String trace, Map<String, Integer> faults,
                  int invocations, int effects, boolean refused) {
        boolean ok() {
            return violations.isEmpty();
        }
    }

    Result run() {
        LogTap.listen(this::logged);
        try {
            createTables();
            try {
                newContainer();
            } catch (IllegalArgumentException | IllegalStateException refused) {
                return new Result(scenario, Map.of(), "refused: " + refused.getMessage(), Map.of(), 0, 0, true);
            }
            trace.add("scenario " + scenario);
            trace.add("shard " + describeShard());
            dynamo.faults(true);
            loop();
            baton.killAll();
            check();
            Map<String, Integer> faults = new LinkedHashMap<>(trace.faults());
            return new Result(scenario, new LinkedHashMap<>(ledger.violations), trace.text(), faults,
                    invocations.size(), ledger.effects.size(), false);
        } finally {
            LogTap.listen(null);
            baton.killAll();
            dynamo.engine().close();
            client.close();
        }
    }

    // ---------------------------------------------------------------------------------------------- the ESM

    private void loop() {
        int turns = 0;
        while (true) {
            baton.settle(); // first: a thread joining its lanes may end or come back, which poll() must see
            poll();
            if (!quiet && (allDrained() || clock.now() - start > CHAOS_BUDGET)) {
                goQuiet();
            }
            if (quiet && allDrained() && !anyLive()) {
                return;
            }
            if (clock.now() - start > CHAOS_BUDGET + QUIET_BUDGET) {
                stuck("the schedule did not drain the shard within " + (QUIET_BUDGET / 60_000)
                        + " virtual minutes after the faults stopped");
                return;
            }
            List<Baton.SimThread> runnable = baton.runnable();
            if (!runnable.isEmpty()) {
                if (++turns > MAX_TURNS) {
                    stuck("more than " + MAX_TURNS + " scheduling turns");
                    return;
                }
                baton.run(random.pick(runnable));
                continue;
            }
            long next = Math.min(baton.nextWake(), nextTimer());
            if (next == Long.MAX_VALUE) {
                if (!quiet) {
                    goQuiet();
                    continue;
                }
                stuck("nothing left to run or wait for, but the shard is not drained");
                return;
            }
            clock.advanceTo(next);
            baton.wakeDue();
        }
    }

    private void goQuiet() {
        quiet = true;
        dynamo.faults(false);
        trace.add("---- quiet: no new faults from here on");
    }

    private void stuck(String why) {
        StringBuilder b = new StringBuilder(why + "; lanes:");
        for (Lane l : lanes) {
            if (!l.drained()) {
                b.append(" lane").append(l.index).append(" at ").append(l.checkpoint).append('/')
                        .append(l.outers.size()).append(" attempts ").append(l.attempts);
            }
        }
        b.append("; threads not done:");
        for (Invocation i : invocations) {
            if (!i.thread.done()) {
                b.append(' ').append(i.thread.name).append('=').append(i.thread.state).append('/')
                        .append(i.thread.thread.getState()).append(" detached=").append(i.thread.detached);
                for (Baton.SimThread c : i.thread.children) {
                    b.append(" [").append(c.name).append('=').append(c.state).append('/').append(c.thread.getState())
                            .append(']');
                }
            }
        }
        ledger.violation("STUCK", b.toString());
    }

    private boolean allDrained() {
        for (Lane l : lanes) {
            if (!l.drained()) {
                return false;
            }
        }
        return true;
    }

    private boolean anyLive() {
        for (Invocation i : invocations) {
            if (!i.thread.done()) {
                return true;
            }
        }
        return false;
    }

    private long nextTimer() {
        long min = Long.MAX_VALUE;
        for (Lane l : lanes) {
            if (l.inflight != null && !l.inflight.timedOut) {
                min = Math.min(min, l.inflight.deadline);
            } else if (l.inflight == null && l.checkpoint < l.outers.size()) {
                min = Math.min(min, l.notBefore);
            }
        }
        return min;
    }

    private void poll() {
        replayParked();
        for (Lane lane : lanes) {
            Invocation inv = lane.inflight;
            if (inv != null) {
                if (inv.thread.done() || inv.crashed) {
                    settle(inv);
                } else if (clock.now() >= inv.deadline) {
                    inv.timedOut = true;
                    ledger.disruption(inv.number, "Lambda timed it out");
                    trace.add(inv.name() + " TIMED OUT (keeps running as a zombie)");
                    functionError(lane, inv, "timeout");
                }
            }
            if (lane.inflight == null && lane.checkpoint < lane.outers.size() && clock.now() >= lane.notBefore) {
                startInvocation(lane, false);
            } else if (scenario.handler() == Scenario.Handler.WINDOW && quiet && lane.inflight == null
                    && lane.checkpoint >= lane.outers.size() && !lane.windowClosed && clock.now() >= lane.notBefore) {
                startInvocation(lane, true); // the window's last invocation, once the lane has no records left
            }
        }
        for (Invocation inv : invocations) {
            if (inv.timedOut && inv.thread.done() && !inv.settled) {
                inv.settled = true;
                inv.container.current = null;
                trace.add(inv.name() + " zombie ended" + (inv.thrown != null ? " by throwing " + inv.thrown : ""));
            }
        }
    }

    private void settle(Invocation inv) {
        Lane lane = inv.lane;
        inv.settled = true;
        lane.inflight = null;
        if (inv.thread.done()) {
            inv.container.current = null;
        }
        if (inv.crashed) {
            trace.add(inv.name() + " CRASHED (runtime exited)");
            functionError(lane, inv, "crash");
            return;
        }
        if (inv.thrown != null) {
            ledger.disruption(inv.number, "threw " + inv.thrown);
            trace.add(inv.name() + " threw " + inv.thrown);
            functionError(lane, inv, "error");
            return;
        }
        List<StreamsEventResponse.BatchItemFailure> failures = inv.response == null ? null
                : inv.response.getBatchItemFailures();
        int named = inv.batch.size();
        if (failures != null && !failures.isEmpty()) {
            if (failures.size() > 1) {
                ledger.violation("RESPONSE_INVALID", inv.name() + " named " + failures.size() + " records");
            }
            named = Integer.MAX_VALUE;
            for (StreamsEventResponse.BatchItemFailure f : failures) {
                int idx = indexIn(inv.batch, f.getItemIdentifier());
                if (idx < 0) {
                    ledger.violation("RESPONSE_INVALID", inv.name() + " named '" + f.getItemIdentifier()
                            + "', not a sequence number of its batch");
                    functionError(lane, inv, "invalid response");
                    return;
                }
                named = Math.min(named, idx);
            }
        }
        trace.add(inv.name() + " returned " + (named == inv.batch.size() ? "all done"
                : "checkpoint at " + inv.batch.get(named).seq()));
        if (!ledger.disruptedBefore(inv.number, Long.MAX_VALUE)) {
            for (String lease : liveLeasesOf(inv)) {
                ledger.violation("LEASE_LEFT_BEHIND", inv.name() + " returned normally, holding a live lease on "
                        + lease + ": its redelivery fails as 'lease held' until the lease ends");
            }
        }
        for (int i = 0; i < named; i++) {
            for (Shard.Unit u : inv.batch.get(i).units()) {
                if (!done(u)) {
                    ledger.violation("RESPONSE_SKIPS_UNDONE", inv.name() + " reported " + u.position() + " ("
                            + u.id() + ") done (before its checkpoint) but it has no effect, is not parked and was "
                            + "not given up");
                }
            }
        }
        lane.checkpoint += named;
        if (scenario.handler() == Scenario.Handler.WINDOW) {
            if (inv.finalInvoke) {
                lane.windowClosed = true;
            } else {
                lane.windowState = inv.returnedState;
            }
        }
        if (named == inv.batch.size()) {
            lane.attempts = 0;
            lane.limit = scenario.batchSize();
            lane.notBefore = clock.now();
        } else {
            lane.attempts = named > 0 ? 1 : lane.attempts + 1;
            retryOrGiveUp(lane, inv.batch.subList(named, inv.batch.size()), "partial failure");
        }
    }

    private void functionError(Lane lane, Invocation inv, String why) {
        lane.inflight = null;
        inv.settled = !inv.timedOut || inv.thread.done();
        lane.attempts++;
        if (scenario.bisect() && inv.batch.size() > 1) {
            lane.limit = Math.max(1, inv.batch.size() / 2);
        }
        retryOrGiveUp(lane, inv.batch, why);
    }

    private void retryOrGiveUp(Lane lane, List<Shard.Outer> failed, String why) {
        if (failed.isEmpty()) {
            lane.notBefore = clock.now() + Math.min(60_000L, 200L << Math.min(lane.attempts, 10));
            return; // a window's final invocation: retried with the state it carried in
        }
        Shard.Outer first = lane.outers.get(lane.checkpoint);
        boolean tooOld = scenario.maxRetries() < 0 && clock.now() - first.arrival() > MAX_RECORD_AGE;
        boolean tooMany = scenario.maxRetries() >= 0 && lane.attempts > scenario.maxRetries();
        if (tooOld || tooMany) {
            for (Shard.Outer o : failed) {
                ledger.givenUp(clock.now(), o.seq(), why);
            }
            trace.add("lane" + lane.index + " GIVES UP " + failed.size() + " record(s) from " + first.seq() + " ("
                    + (tooOld ? "record age" : "retry attempts") + "): on-failure destination");
            lane.checkpoint += failed.size();
            lane.attempts = 0;
            lane.limit = scenario.batchSize();
            lane.notBefore = clock.now();
            return;
        }
        lane.notBefore = clock.now() + Math.min(60_000L, 200L << Math.min(lane.attempts, 10));
    }

    private void startInvocation(Lane lane, boolean finalInvoke) {
        int end = finalInvoke ? lane.checkpoint : Math.min(lane.outers.size(), lane.checkpoint + Math.max(1, lane.limit));
        List<Shard.Outer> batch = List.copyOf(lane.outers.subList(lane.checkpoint, end));
        Container c = idleContainer();
        Invocation inv = new Invocation(invocations.size() + 1, lane, batch, c,
                clock.now() + FUNCTION_TIMEOUT);
        invocations.add(inv);
        inv.carried = lane.windowState;
        inv.finalInvoke = finalInvoke;
        lane.inflight = inv;
        c.current = inv;
        // Remaining time counts down on the container's clock from the function timeout, as the runtime's does.
        FakeContext context = FakeContext.of("sim", c.clock, java.time.Duration.ofMillis(FUNCTION_TIMEOUT));
        trace.add(inv.name() + " START in container " + c.number + (finalInvoke ? " (final invoke of the window)"
                : " with " + batch.size() + " record(s) " + batch.get(0).seq().substring(batch.get(0).seq().length() - 4)
                + ".." + batch.get(batch.size() - 1).seq().substring(batch.get(batch.size() - 1).seq().length() - 4))
                + (inv.carried == null ? "" : " state " + inv.carried));
        inv.thread = baton.spawn(inv.name(), () -> {
            try {
                inv.response = c.handler.apply(inv, context);
            } catch (Baton.Killed k) {
                throw k;
            } catch (RuntimeException e) {
                inv.thrown = e;
            }
        });
    }

    /** The window handler's aggregator: folds each record's position once (the count is what the checks read). */
    private final class Folds extends KinesisWindowHandler.Aggregator<String, Map<String, Integer>> {
        @Override
        public Map<String, Integer> initialState(KinesisWindowHandler.Window window) {
            return new java.util.TreeMap<>();
        }

        @Override
        public Map<String, Integer> fold(Map<String, Integer> state, io.shardwise.core.StreamRecord<String> record)
                throws Exception {
            Shard.Unit u = unit(record.sequenceNumber(), record.subSequenceNumber());
            // The processor's faults and ledger entry, then the fold itself.
            processor.process(record, new io.shardwise.core.RecordContext(1, u.position(), null, null));
            state.merge(u.position(), 1, Integer::sum);
            return state;
        }

        @Override
        public void onWindowEnd(KinesisWindowHandler.Window window, Map<String, Integer> state) {
            Invocation inv = enter("onWindowEnd", 1, 3);
            windowEnds.put(inv.lane.index, new java.util.TreeMap<>(state));
            trace.add(inv.name() + "   window ends with " + state);
        }
    }

    private final Map<Integer, Map<String, Integer>> windowEnds = new HashMap<>();

    private static KinesisTimeWindowEvent windowEvent(Invocation inv) {
        KinesisTimeWindowEvent e = new KinesisTimeWindowEvent();
        e.setRecords(KinesisEvents.builder().shardId(Shard.SHARD_ID).streamArn(Shard.STREAM_ARN)
                .records(kinesisRecords(inv.batch)).build().getRecords());
        e.setWindow(new TimeWindow(Instant.ofEpochMilli(VirtualClock.START).toString(),
                Instant.ofEpochMilli(VirtualClock.START + 3_600_000L * 6).toString()));
        e.setState(inv.carried == null ? new LinkedHashMap<>() : new LinkedHashMap<>(inv.carried));
        e.setShardId(Shard.SHARD_ID);
        e.setEventSourceArn(Shard.STREAM_ARN);
        e.setIsFinalInvokeForWindow(inv.finalInvoke);
        e.setIsWindowTerminatedEarly(false);
        return e;
    }

    private static StreamsEventResponse windowResponse(Invocation inv, TimeWindowEventResponse r) {
        inv.returnedState = r.getState();
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        if (r.getBatchItemFailures() != null) {
            for (TimeWindowEventResponse.BatchItemFailure f : r.getBatchItemFailures()) {
                failures.add(new StreamsEventResponse.BatchItemFailure(f.getItemIdentifier()));
            }
        }
        return new StreamsEventResponse(failures);
    }

    private static List<KinesisStreamRecord> kinesisRecords(List<Shard.Outer> batch) {
        List<KinesisStreamRecord> records = new ArrayList<>();
        for (Shard.Outer o : batch) {
            records.add(new KinesisStreamRecord(o.seq(), o.key(), SdkBytes.fromByteArray(o.data()),
                    Instant.ofEpochMilli(o.arrival())));
        }
        return records;
    }

    /** The batch as DynamoDB stream records: an INSERT/MODIFY of item {@code pk = key} carrying the record id. */
    private static List<DynamoDbStreamRecord> ddbRecords(List<Shard.Outer> batch) {
        List<DynamoDbStreamRecord> records = new ArrayList<>();
        for (Shard.Outer o : batch) {
            Shard.Unit u = o.units().get(0);
            Map<String, AttributeValue> keys = Map.of("pk", AttributeValue.fromS(o.key()));
            Map<String, AttributeValue> image = new LinkedHashMap<>(keys);
            image.put("id", AttributeValue.fromS(u.id()));
            records.add(new DynamoDbStreamRecord(Shard.eventId(o.seq()), "INSERT", "1.1", o.seq(),
                    Instant.ofEpochMilli(o.arrival() / 1000 * 1000), keys, image, null, 40, "NEW_IMAGE", null));
        }
        return records;
    }

    private Container idleContainer() {
        List<Container> idle = new ArrayList<>();
        for (Container c : containers) {
            if (c.current == null) {
                idle.add(c);
            }
        }
        if (!idle.isEmpty() && random.chance(0.8)) {
            return random.pick(idle);
        }
        return newContainer();
    }

    private Container newContainer() {
        long skew = scenario.skewMillis() == 0 ? 0 : random.between(-scenario.skewMillis(), scenario.skewMillis());
        Container c = new Container(containers.size() + 1, skew);
        containers.add(c);
        return c;
    }

    /**
     * The replay tool, as an operator runs it: takes each parked record from the sink, releases its PARKED marker
     * ({@code DedupStore.releaseParked}, as the replayer does) and puts the record back on the shard (new sequence
     * number, same key and payload). Once per record. Runs on the driver (its DynamoDB calls are not faulted).
     */
    private void replayParked() {
        if (!scenario.replay()) {
            return;
        }
        for (Ledger.Parked p : List.copyOf(ledger.parked)) {
            ParkedRecord r = p.record();
            if (!invocations.get(p.invocation() - 1).thread.done()) {
                continue; // an operator replays what the sink holds after the parking invocation ended
            }
            String position = r.sequenceNumber() + (r.subSequenceNumber() >= 0 ? "/" + r.subSequenceNumber() : "");
            if (!replayed.add(position)) {
                continue;
            }
            Shard.Unit original = unit(r.sequenceNumber(), r.subSequenceNumber());
            if (original == null || original.replayed()) {
                continue;
            }
            if (r.dedupId() != null && scenario.store() != null) {
                boolean released = replayStore().releaseParked(r.dedupId());
                trace.add("replay " + position + ": releaseParked " + released);
            }
            Shard.Unit u = shard.addPlain(original.outerKey(), original.id(), original.payload(), true, false,
                    clock.now());
            laneOf(shard.bySeq(u.seq())).outers.add(shard.bySeq(u.seq()));
            trace.add("replay " + position + " (" + original.id() + ") put back as " + u.seq());
        }
    }

    private DynamoDbDedupStore replayStore;

    private DynamoDbDedupStore replayStore() {
        if (replayStore == null) {
            replayStore = DynamoDbDedupStore.builder(dynamo.engine().client(), DEDUP_TABLE)
                    .clock(clock.skewed(0)).readConcurrency(1).build();
        }
        return replayStore;
    }

    private Lane laneOf(Shard.Outer o) {
        return lanes.get(Math.floorMod(o.key().hashCode(), lanes.size()));
    }

    private static int indexIn(List<Shard.Outer> batch, String seq) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).seq().equals(seq)) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------- the world

    @Override
    public Invocation enter(String what, int minCost, int maxCost) {
        Invocation inv = invocationOf(baton.current());
        baton.point(random.between(minCost, maxCost));
        return inv;
    }

    private Invocation invocationOf(Baton.SimThread thread) {
        Baton.SimThread t = thread.parent != null ? thread.parent : thread; // a key-parallel lane: its invocation's
        for (Invocation i : invocations) {
            if (i.thread == t) {
                return i;
            }
        }
        throw new IllegalStateException("a processor or sink call on a thread the simulation does not schedule: "
                + Thread.currentThread().getName() + " (a pool the handler started?)");
    }

    @Override
    public Shard.Unit unit(String seq, long sub) {
        Shard.Outer o = shard.bySeq(seq);
        if (o == null) {
            return null;
        }
        for (Shard.Unit u : o.units()) {
            if (u.sub() == sub || (o.units().size() == 1 && u.sub() < 0 && sub < 0)) {
                return u;
            }
        }
        return null;
    }

    @Override
    public Scenario scenario() {
        return scenario;
    }

    @Override
    public Trace trace() {
        return trace;
    }

    @Override
    public Ledger ledger() {
        return ledger;
    }

    @Override
    public SimRandom random() {
        return random;
    }

    @Override
    public long now() {
        return clock.now();
    }

    @Override
    public FaultPlan.ProcessorFault processorFault() {
        if (quiet || !random.chance(scenario.processorRate())) {
            return null;
        }
        List<FaultPlan.ProcessorFault> kinds = new ArrayList<>();
        for (FaultPlan.ProcessorFault f : scenario.processorFaults()) {
            if (f != FaultPlan.ProcessorFault.POISON && f != FaultPlan.ProcessorFault.SINK_FAILS) {
                kinds.add(f);
            }
        }
        return kinds.isEmpty() ? null : random.pick(kinds);
    }

    @Override
    public void fault(Invocation inv, String where, FaultPlan.ProcessorFault f) {
        trace.fault(inv.name() + " " + where, f.name());
    }

    @Override
    public void hangPastDeadline(Invocation inv) {
        long left = inv.deadline - clock.now();
        baton.sleep(Math.max(0, left) + random.between(1, 20_000));
    }

    @Override
    public void crash(Invocation inv) {
        noteAbandonedClaims(inv);
        ledger.disruption(inv.number, "crashed");
        inv.crashed = true;
        inv.thread.kill(); // the runtime died: the invocation and every lane of it
        inv.thread.children.forEach(Baton.SimThread::kill);
        baton.killTimersOf(inv.thread);
        throw new Baton.Killed(inv.name());
    }

    /**
     * A request the engine applied, before its response goes back. GUARDED: the runtime may die right after the
     * guarded write applied (CRASH_AFTER_EFFECT, as the processor's own crash after its effect in the other modes:
     * here the effect is the write the engine sends after the processor returned).
     */
    private void afterApplied(String purpose) {
        Baton.SimThread t = baton.current();
        if (t == null || quiet || !"guardedWrite".equals(purpose)
                || !scenario.has(FaultPlan.ProcessorFault.CRASH_AFTER_EFFECT)
                || !random.chance(scenario.processorRate())) {
            return;
        }
        Invocation inv = invocationOf(t);
        trace.fault(inv.name() + " guardedWrite applied", CRASH_AFTER_GUARDED_WRITE);
        crash(inv);
    }

    /** The fault label of a crash right after the guarded write applied. */
    static final String CRASH_AFTER_GUARDED_WRITE = "CRASH_AFTER_GUARDED_WRITE";

    private void sdkFailure(String what) {
        Baton.SimThread t = baton.current();
        if (t == null) {
            return;
        }
        Invocation inv = invocationOf(t);
        ledger.disruption(inv.number, what);
        trace.add(inv.name() + "   " + what);
    }

    /**
     * Before the runtime dies: each of {@code inv}'s threads still on a record it claimed (its last claim's lease is
     * live) and not yet in the processor for it leaves an attempt the next claim counts without a processor call.
     * A lease the engine holds for a record it has moved on from is not one of them (that lease was the engine's
     * to release), nor is a Lambda timeout: the engine stops before the deadline and releases what it holds, so an
     * attempt counted without a call after a timeout is a defect (seed 47141's was).
     */
    private void noteAbandonedClaims(Invocation inv) {
        if (scenario.store() == null) {
            return;
        }
        Set<String> live = new HashSet<>();
        for (String lease : liveLeasesOf(inv)) {
            live.add(lease.substring(0, lease.indexOf(' ')));
        }
        List<Baton.SimThread> threads = new ArrayList<>(inv.thread.children);
        threads.add(inv.thread);
        threads:
        for (Baton.SimThread t : threads) {
            String claimed = t.state == Baton.State.DONE ? null : dynamo.lastClaimedId(t.thread);
            if (claimed == null || !live.contains(claimed)) {
                continue;
            }
            for (Lane lane : lanes) {
                for (Shard.Outer o : lane.outers) {
                    for (Shard.Unit u : o.units()) {
                        String identity = identity(u);
                        if (Hashing.dedupId(CONSUMER, identity).equals(claimed) && !ledger.called(inv.number, identity)) {
                            ledger.abandonedClaim(identity);
                            trace.add(inv.name() + "   " + t.name + " dies holding the claim of " + u.id()
                                    + " before its processor call");
                            continue threads;
                        }
                    }
                }
            }
        }
    }

    /** The dedup items INPROGRESS under a lease token {@code inv} wrote, whose lease has not ended. */
    private List<String> liveLeasesOf(Invocation inv) {
        List<String> live = new ArrayList<>();
        if (scenario.store() == null || inv.tokens.isEmpty()) {
            return live;
        }
        dynamo.quietly(() -> {
            for (Map<String, AttributeValue> item : dynamo.engine().client()
                    .scanPaginator(b -> b.tableName(DEDUP_TABLE)).items()) {
                AttributeValue status = item.get("status");
                AttributeValue token = item.get("lease_token");
                AttributeValue until = item.get("in_progress_expiration");
                if (status != null && "INPROGRESS".equals(status.s()) && token != null
                        && inv.tokens.contains(token.s()) && until != null
                        && Long.parseLong(until.n()) > clock.now()) {
                    live.add(item.get("id").s() + " (until t=" + (Long.parseLong(until.n()) - VirtualClock.START)
                            + ")");
                }
            }
            return null;
        });
        return live;
    }

    private void logged(String line) {
        Baton.SimThread t = baton.current();
        String who = t == null ? "driver" : t.name;
        trace.add(who + "   log " + line);
        if (t != null && line.contains("LeaseHeldException") && line.contains("by another invocation (lease")) {
            // Only the item this lane's claim was refused on: another lane of the same invocation may hold a
            // live lease on a different record meanwhile (key-parallel lanes), which is no violation. A refusal
            // that names a twin of this batch (same dedup key, another lane) is not "another invocation".
            String refused = dynamo.lastClaimedId();
            List<String> own = liveLeasesOf(invocationOf(t)).stream()
                    .filter(lease -> refused == null || lease.startsWith(refused + " ")).toList();
            if (!own.isEmpty()) {
                ledger.violation("LEASE_OWN", t.name + " reported a record FAILED as 'lease held by another "
                        + "invocation' while the live lease is its own: " + own);
            }
        }
        // lease_lost counts only with clock skew: without it a lease ends only with its invocation's time, which
        // the timeout and deadline_stop already count; a lease lost otherwise is what the invariant is there for.
        boolean leaseLost = line.contains("\"lease_lost\"") && scenario.skewMillis() > 0;
        if (t != null && (leaseLost || line.contains("\"deadline_stop\"") || line.contains("\"watermark_race\""))) {
            ledger.disruption(invocationOf(t).number, line);
        }
    }

    // ------------------------------------------------------------------------------------------ invariants

    private void createTables() {
        DynamoDbClient ddb = dynamo.engine().client();
        ddb.createTable(b -> b.tableName(DEDUP_TABLE)
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
                .billingMode("PAY_PER_REQUEST"));
        ddb.updateTimeToLive(b -> b.tableName(DEDUP_TABLE)
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiration")));
        ddb.createTable(b -> b.tableName(SimProcessor.EFFECTS_TABLE)
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
                .billingMode("PAY_PER_REQUEST"));
    }

    /** A committed staged effect (TRANSACTIONAL): how many times, and the ledger order of the run that committed last. */
    record Commit(int count, long run) {}

    /** Whether the mode promises exactly-once effects (checked on the engine's table, not on the ledger). */
    private boolean exactlyOnce() {
        return scenario.store() == DedupMode.TRANSACTIONAL || scenario.store() == DedupMode.GUARDED;
    }

    /**
     * The applied effects, by identity, from the engine's table: TRANSACTIONAL's committed staged writes (an item
     * per identity), GUARDED's guarded writes (per identity, a counter and a run on its key's item).
     */
    private Map<String, Commit> committed() {
        Map<String, Commit> counts = new HashMap<>();
        for (Map<String, AttributeValue> item : dynamo.engine().client()
                .scanPaginator(b -> b.tableName(SimProcessor.EFFECTS_TABLE)).items()) {
            if (scenario.store() != DedupMode.GUARDED) {
                counts.put(item.get("id").s(), new Commit(Integer.parseInt(item.get("n").n()),
                        Long.parseLong(item.get("run").n())));
                continue;
            }
            item.forEach((name, value) -> {
                if (name.startsWith(SimProcessor.GUARDED_COUNT)) {
                    String id = name.substring(SimProcessor.GUARDED_COUNT.length());
                    counts.put(id, new Commit(Integer.parseInt(value.n()),
                            Long.parseLong(item.get(SimProcessor.GUARDED_RUN + id).n())));
                }
            });
        }
        return counts;
    }

    private String identity(Shard.Unit u) {
        if (scenario.store() == null) {
            return u.position();
        }
        if (scenario.payloadKey()) {
            return "payload:" + u.id();
        }
        return scenario.handler() == Scenario.Handler.DYNAMODB ? Shard.eventId(u.seq())
                : Shard.STREAM_ARN + "/" + Shard.SHARD_ID + "/" + u.position();
    }

    /**
     * Whether a parked payload is the record's: its exact bytes (Kinesis, both handlers); the stream record's JSON with its
     * sequence number, item key and record id (DynamoDB, whose parked payload is the whole stream record).
     */
    private boolean samePayload(byte[] parked, Shard.Unit u) {
        if (scenario.handler() != Scenario.Handler.DYNAMODB) {
            return Arrays.equals(parked, u.payload());
        }
        String json = new String(parked, java.nio.charset.StandardCharsets.UTF_8);
        return json.contains(u.seq()) && json.contains("\"" + u.id() + "\"") && json.contains("\"" + u.outerKey() + "\"");
    }

    /** Whether the unit is done now: its effect happened (committed), it was parked, or Lambda gave it up. */
    private boolean done(Shard.Unit u) {
        return settledAt(u, exactlyOnce() ? committed() : null) < Long.MAX_VALUE;
    }

    /**
     * Ledger order at which the unit became settled, or Long.MAX_VALUE: its identity's effect (the committed run in
     * TRANSACTIONAL mode), the record parked with its payload (with a payload key: any record of that identity and
     * payload, since the marker is shared), or Lambda giving it up.
     */
    private long settledAt(Shard.Unit u, Map<String, Commit> committed) {
        long at = firstEffect(u, committed);
        String id = identity(u);
        for (Ledger.Parked p : ledger.parked) {
            Shard.Unit parked = unit(p.record().sequenceNumber(), p.record().subSequenceNumber());
            boolean same = parked == u || (scenario.payloadKey() && parked != null && identity(parked).equals(id));
            if (same && samePayload(p.record().payload(), parked)) {
                at = Math.min(at, p.order());
            }
        }
        for (Ledger.GivenUp g : ledger.givenUp) {
            if (g.seq().equals(u.seq())) {
                at = Math.min(at, g.order());
            }
        }
        return at;
    }

    /** The ledger order of the unit's identity's first effect (in TRANSACTIONAL mode: of the committed run). */
    private long firstEffect(Shard.Unit u, Map<String, Commit> committed) {
        String id = identity(u);
        if (committed != null) {
            Commit c = committed.get(id);
            return c == null ? Long.MAX_VALUE : c.run();
        }
        for (Ledger.Effect e : ledger.effects) {
            if (e.identity().equals(id)) {
                return e.order();
            }
        }
        return Long.MAX_VALUE;
    }

    private void check() {
        Map<String, Commit> committed = exactlyOnce() ? committed() : null;
        List<Shard.Unit> units = shard.units();
        // No record lost.
        for (Shard.Unit u : units) {
            if (settledAt(u, committed) == Long.MAX_VALUE) {
                ledger.violation("LOST", u.position() + " (" + u.id() + (u.replayed() ? ", replayed" : "")
                        + (u.duplicate() ? ", producer duplicate" : "") + ") has no effect, was not parked with its "
                        + "payload, and Lambda did not give it up");
            }
        }
        // A parked record carries its exact payload.
        for (Ledger.Parked p : ledger.parked) {
            Shard.Unit u = unit(p.record().sequenceNumber(), p.record().subSequenceNumber());
            if (u == null || !samePayload(p.record().payload(), u)) {
                ledger.violation("PARKED_WRONG_PAYLOAD", p.record().describe() + " was parked with a payload that "
                        + "is not the record's: " + new String(p.record().payload(), java.nio.charset.StandardCharsets.UTF_8)
                        + (u == null ? "" : " instead of " + new String(u.payload(), java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        // Exactly once (TRANSACTIONAL, GUARDED) or the documented bound (at least once, with a store).
        if (committed != null) {
            committed.forEach((id, c) -> {
                if (c.count() > 1) {
                    ledger.violation("EFFECT_TWICE", "the " + (scenario.store() == DedupMode.GUARDED ? "guarded write"
                            : "staged effect") + " of " + id + " applied " + c.count() + " times");
                }
            });
        } else if (scenario.store() != null) {
            Map<String, List<Ledger.Effect>> byId = new LinkedHashMap<>();
            for (Ledger.Effect e : ledger.effects) {
                byId.computeIfAbsent(e.identity(), k -> new ArrayList<>()).add(e);
            }
            byId.forEach((id, runs) -> {
                int allowed = 0;
                for (int i = 0; i < runs.size() - 1; i++) {
                    if (ledger.disruptedAfter(runs.get(i).invocation(), runs.get(i).order())) {
                        allowed++;
                    }
                }
                for (int i = 1; i < runs.size(); i++) {
                    if (ledger.disruptedBefore(runs.get(i).invocation(), runs.get(i).order())) {
                        allowed++; // a zombie's run: its lease ended while the processor still ran
                    }
                }
                if (runs.size() - 1 > allowed) {
                    StringBuilder b = new StringBuilder();
                    for (Ledger.Effect e : runs) {
                        b.append(" inv").append(e.invocation()).append("@t=").append(e.time() - VirtualClock.START);
                    }
                    ledger.violation("EXTRA_RUNS", id + " ran " + runs.size() + " times (" + b.toString().trim()
                            + "); the documented bound allows " + (allowed + 1) + " (one more per crash, timeout, "
                            + "lease lost or failed store call after a run)");
                }
            });
        }
        // An attempt counted is an attempt made: a record parked for running out of attempts had that many calls.
        if (scenario.store() != null) {
            for (Ledger.Parked p : ledger.parked) {
                Shard.Unit u = unit(p.record().sequenceNumber(), p.record().subSequenceNumber());
                if (u == null || p.record().errorClass() == null
                        || !p.record().errorClass().equals(IllegalStateException.class.getName())) {
                    continue; // parked at once (not retryable, payload mismatch, invalid): no budget involved
                }
                long calls = ledger.calls.getOrDefault(identity(u), 0);
                long abandoned = ledger.abandonedClaims.getOrDefault(identity(u), 0);
                if (p.record().attempts() > calls + abandoned) {
                    ledger.violation("ATTEMPTS_OVERCOUNTED", p.record().describe() + " (" + u.id() + ") was parked "
                            + "after " + p.record().attempts() + " counted attempts, but the processor was called "
                            + calls + " times for it" + (abandoned == 0 ? "" : " and " + abandoned + " claim(s) of "
                            + "it died with their runtime before the processor call"));
                }
            }
        }
        // Window: the final state folds every record once.
        if (scenario.handler() == Scenario.Handler.WINDOW) {
            for (Lane lane : lanes) {
                Map<String, Integer> state = windowEnds.get(lane.index);
                if (state == null) {
                    if (!lane.outers.isEmpty()) {
                        ledger.violation("WINDOW_FOLD", "lane" + lane.index + "'s window never ended");
                    }
                    continue;
                }
                for (Shard.Outer o : lane.outers) {
                    for (Shard.Unit u : o.units()) {
                        int n = state.getOrDefault(u.position(), 0);
                        boolean parked = ledger.parked.stream().anyMatch(p -> p.record().sequenceNumber()
                                .equals(u.seq()) && p.record().subSequenceNumber() == u.sub());
                        boolean givenUp = ledger.givenUp.stream().anyMatch(g -> g.seq().equals(u.seq()));
                        // Parked or given up: folded at most once (parked by an invocation that then failed, it is
                        // redelivered and may fold then); otherwise exactly once.
                        boolean settledElsewhere = parked || givenUp;
                        if (settledElsewhere ? n > 1 : n != 1) {
                            ledger.violation("WINDOW_FOLD", "the final state of lane" + lane.index + "'s window folds "
                                    + u.position() + " (" + u.id() + ") " + n + " times, expected "
                                    + (settledElsewhere ? "at most once" : "once")
                                    + (parked ? " (parked)" : givenUp ? " (given up)" : ""));
                        }
                    }
                }
            }
        }
        // Per-key order: a record runs only after every earlier record of its order scope is settled.
        Map<String, List<Shard.Unit>> scopes = new LinkedHashMap<>();
        for (Shard.Unit u : units) {
            if (!u.replayed()) {
                scopes.computeIfAbsent(u.orderScope(), k -> new ArrayList<>()).add(u);
            }
        }
        for (List<Shard.Unit> scope : scopes.values()) {
            for (int q = 1; q < scope.size(); q++) {
                long firstRun = firstRun(scope.get(q), committed);
                if (firstRun == Long.MAX_VALUE) {
                    continue;
                }
                for (int p = 0; p < q; p++) {
                    long settled = settledAt(scope.get(p), committed);
                    if (settled > firstRun && settled != Long.MAX_VALUE) {
                        ledger.violation("ORDER", scope.get(q).position() + " (" + scope.get(q).id() + ") ran before "
                                + "the earlier " + scope.get(p).position() + " (" + scope.get(p).id()
                                + ") of the same key was done");
                    }
                }
            }
        }
    }

    /** The unit's own first run (with a payload key, a duplicate's skipped run is none); committed if TRANSACTIONAL. */
    private long firstRun(Shard.Unit u, Map<String, Commit> committed) {
        if (committed != null) {
            Commit c = committed.get(identity(u));
            return c != null && ledger.effects.stream().anyMatch(e -> e.order() == c.run() && e.unit() == u)
                    ? c.run() : Long.MAX_VALUE;
        }
        for (Ledger.Effect e : ledger.effects) {
            if (e.unit() == u) {
                return e.order();
            }
        }
        return Long.MAX_VALUE;
    }

    private String describeShard() {
        StringBuilder b = new StringBuilder();
        for (Shard.Outer o : shard.outers()) {
            b.append("\n    ").append(o.seq()).append(" key=").append(o.key()).append(" lane")
                    .append(laneOf(o).index).append(':');
            for (Shard.Unit u : o.units()) {
                b.append(' ').append(u.id()).append(u.sub() >= 0 ? "/" + u.sub() + "(" + u.innerKey() + ")" : "")
                        .append(u.duplicate() ? "(dup)" : "");
            }
        }
        return b.toString();
    }
}
