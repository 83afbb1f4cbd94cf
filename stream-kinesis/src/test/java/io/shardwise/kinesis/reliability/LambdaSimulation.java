package io.shardwise.kinesis.reliability;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shardwise.core.BatchResult;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.sink.FailureSink;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import io.shardwise.kinesis.reliability.Scenario.Fault;
import io.shardwise.kinesis.reliability.Scenario.StreamRec;
import io.shardwise.kinesis.reliability.Scenario.Unit;
import io.shardwise.testkit.FakeContext;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Lambda's Kinesis event source mapping, simulated around the whole shardwise path: events built as Lambda's JSON
 * and read with the Java runtime's serializer, {@link KinesisBatchHandler} (adapter, engine, dedup store, failure
 * sink), and Lambda's redelivery rules — checkpoint just before the lowest reported sequence number, redeliver
 * the whole batch after a thrown exception, a crash or a timeout, forever (MaximumRetryAttempts -1).
 *
 * <p>Each shard is split into {@code ParallelizationFactor} slots by a hash of the partition key, each with its own
 * checkpoint and batch in flight; several slots may be invoked at once. Each invocation runs in an
 * <em>execution environment</em> (a handler instance with its own fault-injecting processor, store and sink
 * wrappers, like one Lambda sandbox): a crashed environment is thrown away, and concurrent invocations never share
 * one, as in Lambda.
 *
 * <p>Faults (see {@link Scenario.Fault}) come from {@link Faults}; after each invocation the response and every
 * record's outcome are checked against the {@link Ledger}, and {@link #verify()} checks the end state. Violations
 * are collected, not thrown, so one run reports all it found.
 */
final class LambdaSimulation implements AutoCloseable {

    static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(60);
    static final String USER_TABLE = "reliability-effects";
    static final int MAX_INVOCATIONS = 6_000;
    /** The invocation a store call is made for; set by the store wrapper for backends (interceptors, hooks). */
    static final ThreadLocal<Invocation> CURRENT = new ThreadLocal<>();

    private static final PojoSerializer<KinesisEvent> EVENT_SERIALIZER =
            LambdaEventSerializers.serializerFor(KinesisEvent.class, LambdaSimulation.class.getClassLoader());

    /** How effects and faults reach the dedup store: in memory, or the DynamoDB engine behind an SDK interceptor. */
    interface Backend {
        /** The store all environments share, or null for {@link Scenario.Store#NONE}. */
        DedupStore store();

        /** Whether the environments' store wrappers inject store faults (else the backend does, e.g. in the SDK). */
        boolean wrapperInjectsFaults();

        /** Runs a commit for {@code inv}; a backend that sees committed writes itself just calls it. */
        default List<DedupStore.CommitResult> commit(Invocation inv, Supplier<List<DedupStore.CommitResult>> commit) {
            return commit.get();
        }

        /** The table the transactional processor writes its effects to. */
        default String userTable() {
            return USER_TABLE;
        }
    }

    final Scenario sc;
    /** Starts at the real time: the engine must not see the markers' TTLs as long past. */
    final MutableClock clock = new MutableClock(Instant.now());
    final Faults faults;
    final Ledger ledger = new Ledger();
    final List<String> violations = new ArrayList<>();
    final List<ParkedRecord> parked = new ArrayList<>();
    final List<Invocation> invocations = new ArrayList<>();
    /** Written by invocations running at once (two environments can crash together): guarded by {@code this}. */
    final List<String> narrative = new ArrayList<>();
    private Backend backend;
    /** Handler settings for the log checks: payloads in failure lines, EMF metrics on standard output. */
    volatile boolean logPayloads;
    volatile boolean metrics;
    private final Map<Scenario.Position, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Deque<Environment> idle = new ArrayDeque<>();
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicLong invocationIds = new AtomicLong();
    private final AtomicInteger environmentIds = new AtomicInteger();
    private final ExecutorService invokers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lambda-invoker");
        t.setDaemon(true);
        return t;
    });

    LambdaSimulation(Scenario scenario) {
        this.sc = scenario;
        this.faults = new Faults(scenario);
        for (Map.Entry<String, List<StreamRec>> shard : scenario.shards.entrySet()) {
            for (int slot = 0; slot < scenario.parallelizationFactor; slot++) {
                List<StreamRec> mine = new ArrayList<>();
                for (StreamRec r : shard.getValue()) {
                    if (scenario.slotOf(r) == slot) {
                        mine.add(r);
                    }
                }
                if (!mine.isEmpty()) {
                    slots.add(new Slot(shard.getKey(), slot, mine));
                }
            }
        }
    }

    /** The in-memory profile: {@link InMemoryDedupStore} on the run's clock, faults injected by the wrappers. */
    static LambdaSimulation inMemory(Scenario scenario) {
        LambdaSimulation sim = new LambdaSimulation(scenario);
        sim.backend = scenario.store == Scenario.Store.NONE ? new Backend() {
            @Override
            public DedupStore store() {
                return null;
            }

            @Override
            public boolean wrapperInjectsFaults() {
                return true;
            }
        } : new InMemoryBackend(sim);
        return sim;
    }

    LambdaSimulation backend(Backend b) {
        this.backend = b;
        return this;
    }

    String backendUserTable() {
        return backend.userTable();
    }

    /**
     * The in-memory store, with a mid-commit hook (its staged-write condition predicate runs inside a transaction,
     * so a crash thrown there leaves earlier transactions of the same commit applied and this one not) and effects
     * read from the writes it commits, in commit order.
     */
    static final class InMemoryBackend implements Backend {
        private final LambdaSimulation sim;
        private final InMemoryDedupStore store;
        private final Object commitOrder = new Object();

        InMemoryBackend(LambdaSimulation sim) {
            this.sim = sim;
            this.store = new InMemoryDedupStore(sim.clock);
            store.failConditionsWhen(item -> {
                Invocation inv = CURRENT.get();
                if (inv == null) {
                    return false;
                }
                if (sim.faults.inject(Fault.COMMIT_CRASH_MID_TRANSACTION, "invocation " + inv.id)) {
                    inv.env.crash("in the middle of a TransactWriteItems");
                }
                return sim.faults.inject(Fault.COMMIT_CONDITION_FAILURE, "invocation " + inv.id);
            });
        }

        @Override
        public DedupStore store() {
            return store;
        }

        @Override
        public boolean wrapperInjectsFaults() {
            return true;
        }

        @Override
        public List<DedupStore.CommitResult> commit(Invocation inv, Supplier<List<DedupStore.CommitResult>> commit) {
            synchronized (commitOrder) {
                int before = store.committedWrites().size();
                try {
                    return commit.get();
                } finally {
                    List<TransactWriteItem> all = store.committedWrites();
                    for (TransactWriteItem w : all.subList(before, all.size())) {
                        String id = effectId(w);
                        if (id != null) {
                            sim.ledger.effect(id, inv.id);
                        }
                    }
                }
            }
        }
    }

    /** The logical event a committed staged write is the effect of, or null for the per-key totals. */
    static String effectId(TransactWriteItem w) {
        if (w.update() == null || !w.update().hasKey()) {
            return null;
        }
        String pk = w.update().key().get("pk").s();
        return pk.startsWith("total#") ? null : pk;
    }

    // ------------------------------------------------------------------------------------------------- driving

    /** Runs invocations until every slot is consumed (or the invocation cap is hit, a violation). */
    LambdaSimulation run() {
        int steps = 0;
        while (true) {
            List<Slot> ready = slots.stream().filter(s -> !s.drained()).toList();
            if (ready.isEmpty()) {
                break;
            }
            if (invocations.size() > MAX_INVOCATIONS) {
                violation("did not converge after " + invocations.size() + " invocations; slots: " + slots);
                break;
            }
            steps++;
            if (ready.size() > 1 && faults.chance(Fault.CONCURRENT_INVOCATIONS)) {
                List<Slot> chosen = new ArrayList<>();
                for (Slot s : ready) {
                    if (chosen.isEmpty() || faults.nextBoolean()) {
                        chosen.add(s);
                    }
                }
                List<Future<?>> running = new ArrayList<>();
                for (Slot s : chosen) {
                    running.add(invokers.submit(() -> invokeAndApply(s)));
                }
                for (Future<?> f : running) {
                    join(f);
                }
            } else {
                Slot s = ready.get(faults.nextInt(ready.size()));
                if (faults.inject(Fault.RETRY_RACES_TIMED_OUT_INVOCATION, s.toString())) {
                    raceRetryWithTimedOutInvocation(s);
                } else {
                    invokeAndApply(s);
                }
            }
            // Time passes between polls: leases of abandoned invocations run out.
            clock.advance(Duration.ofMillis(faults.nextInt(30_000)));
        }
        synchronized (this) {
            narrative.add("run ended after " + steps + " steps, " + invocations.size() + " invocations, faults "
                    + faults.injected());
        }
        return this;
    }

    private void invokeAndApply(Slot slot) {
        List<StreamRec> batch = slot.nextBatch(sc.batchSize);
        Invocation inv = invoke(slot, batch, faults.inject(Fault.SLOW_INVOCATION, slot.toString()), null);
        if (inv.clean() && faults.inject(Fault.DUPLICATE_DELIVERY, slot.toString())) {
            // Lambda did not get the response (or delivered twice): the same batch again; its response counts.
            checkResponse(inv);
            inv = invoke(slot, batch, false, null);
        }
        apply(slot, inv);
    }

    /**
     * The invocation stops inside the processor; Lambda times it out (the clock moves past its deadline, so its
     * leases are over) and retries the batch in another environment, while the first one resumes and races it.
     */
    private void raceRetryWithTimedOutInvocation(Slot slot) {
        List<StreamRec> batch = slot.nextBatch(sc.batchSize);
        int units = batch.stream().mapToInt(r -> r.units().size()).sum();
        Pause pause = new Pause(1 + faults.nextInt(Math.min(3, units)));
        Invocation[] first = new Invocation[1];
        Future<?> a = invokers.submit(() -> first[0] = invoke(slot, batch, false, pause));
        boolean paused = pause.awaitPaused(a);
        if (!paused) {
            join(a);
            apply(slot, first[0]);
            return;
        }
        clock.advance(FUNCTION_TIMEOUT.plusSeconds(1));
        pause.abandoned = true;
        boolean releaseEarly = faults.nextBoolean();
        Invocation[] retry = new Invocation[1];
        Future<?> b = invokers.submit(() -> retry[0] = invoke(slot, batch, false, null));
        if (releaseEarly) {
            pause.release();
            join(b);
        } else {
            join(b);
            pause.release();
        }
        join(a);
        synchronized (this) {
            narrative.add("invocation " + first[0].id + " timed out and raced its retry " + retry[0].id);
        }
        apply(slot, retry[0]);
    }

    private Invocation invoke(Slot slot, List<StreamRec> batch, boolean slow, Pause pause) {
        Invocation inv = new Invocation(invocationIds.incrementAndGet(), slot, batch, slow, pause);
        synchronized (this) {
            invocations.add(inv);
        }
        Environment env = acquire();
        inv.env = env;
        env.current = inv;
        inv.start = clock.instant();
        inv.deadline = inv.start.plus(FUNCTION_TIMEOUT);
        FakeContext context = FakeContext.of("reliability", clock, FUNCTION_TIMEOUT);
        try {
            KinesisEvent event = EVENT_SERIALIZER.fromJson(eventJson(slot.shardId, batch));
            BatchResult result = env.handler.process(event, context);
            inv.result = result;
            if (pause != null && pause.abandoned) {
                inv.outcome = InvocationOutcome.ABANDONED;
            } else if (clock.instant().isAfter(inv.deadline)) {
                inv.outcome = InvocationOutcome.TIMED_OUT;
            } else {
                inv.outcome = InvocationOutcome.RETURNED;
            }
        } catch (Crash c) {
            env.dead = true;
            inv.outcome = InvocationOutcome.CRASHED;
            inv.error = c;
        } catch (StreamProcessingException e) {
            inv.outcome = InvocationOutcome.THREW;
            inv.error = e;
            if (!env.storeFaultSeen) {
                violation("invocation " + inv.id + " threw although no store fault happened (a record-level problem "
                        + "must never fail the batch): " + e);
            }
        } catch (Throwable t) {
            inv.outcome = InvocationOutcome.THREW;
            inv.error = t;
            violation("invocation " + inv.id + " threw " + t + " (only StreamProcessingException may escape)");
        } finally {
            if (pause != null && pause.abandoned) {
                inv.outcome = InvocationOutcome.ABANDONED; // Lambda gave up on it, whatever it did afterwards
            }
            env.current = null;
            env.storeFaultSeen = false;
            if (env.dead) {
                env.discard();
            } else {
                release(env);
            }
        }
        return inv;
    }

    private void apply(Slot slot, Invocation inv) {
        if (!inv.clean()) {
            return; // the whole batch is redelivered from the same checkpoint
        }
        int lowest = checkResponse(inv);
        slot.checkpoint += lowest;
    }

    /**
     * Checks one returned invocation: the response is valid for Lambda (at most one identifier, of this batch), every
     * record before the named one is done and the named one is not, and each outcome agrees with the ledger.
     *
     * @return how many of the batch's records Lambda may checkpoint past
     */
    private int checkResponse(Invocation inv) {
        List<StreamRec> batch = inv.batch;
        List<RecordOutcome> outcomes = inv.result.outcomes();
        List<Unit> expected = new ArrayList<>();
        batch.forEach(r -> expected.addAll(r.units()));
        if (outcomes.size() != expected.size()) {
            violation("invocation " + inv.id + ": " + outcomes.size() + " outcomes for " + expected.size() + " units");
            return 0;
        }
        for (int i = 0; i < outcomes.size(); i++) {
            RecordOutcome o = outcomes.get(i);
            Unit u = expected.get(i);
            if (!o.sequenceNumber().equals(u.position().sequenceNumber())
                    || o.subSequenceNumber() != u.position().subSequenceNumber()) {
                violation("invocation " + inv.id + ": outcome " + i + " is for " + o.sequenceNumber() + "/"
                        + o.subSequenceNumber() + ", expected " + u.position());
                return 0;
            }
            checkOutcome(inv, u, o);
        }
        StreamsEventResponse response = inv.result.response();
        List<StreamsEventResponse.BatchItemFailure> failures = response.getBatchItemFailures();
        if (failures == null || failures.isEmpty()) {
            for (int i = 0; i < outcomes.size(); i++) {
                if (!outcomes.get(i).outcome().isDone()) {
                    violation("invocation " + inv.id + ": empty response but " + expected.get(i).position() + " is "
                            + outcomes.get(i).outcome());
                }
            }
            return batch.size();
        }
        if (failures.size() != 1) {
            violation("invocation " + inv.id + ": " + failures.size() + " batchItemFailures, the library names one");
        }
        String id = failures.get(0) == null ? null : failures.get(0).getItemIdentifier();
        int at = -1;
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).sequenceNumber().equals(id)) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            violation("invocation " + inv.id + ": itemIdentifier '" + id + "' is not a sequence number of the batch; "
                    + "Lambda would fail the whole batch");
            return 0;
        }
        String named = batch.get(at).sequenceNumber();
        boolean namedUndone = false;
        for (int i = 0; i < outcomes.size(); i++) {
            RecordOutcome o = outcomes.get(i);
            int recordIndex = indexOf(batch, o.sequenceNumber());
            if (recordIndex < at && !o.outcome().isDone()) {
                violation("invocation " + inv.id + ": " + expected.get(i).position() + " is " + o.outcome()
                        + " but comes before the reported " + named + ": Lambda checkpoints past it (lost)");
            }
            if (o.sequenceNumber().equals(named) && !o.outcome().isDone()) {
                namedUndone = true;
            }
        }
        if (!namedUndone) {
            violation("invocation " + inv.id + ": reported " + named + " although all of it is done");
        }
        return at;
    }

    private static int indexOf(List<StreamRec> batch, String seq) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).sequenceNumber().equals(seq)) {
                return i;
            }
        }
        return -1;
    }

    private void checkOutcome(Invocation inv, Unit u, RecordOutcome o) {
        String id = u.logicalId();
        switch (o.outcome()) {
            case PROCESSED -> {
                if (!ledger.hasEntry(id, Ledger.Kind.EFFECT, inv.id)) {
                    violation("invocation " + inv.id + ": " + u.position() + " is PROCESSED but its effect did not "
                            + "happen in that invocation");
                }
            }
            case PARKED -> {
                if (!ledger.hasEntry(id, Ledger.Kind.PARKED, inv.id)) {
                    violation("invocation " + inv.id + ": " + u.position() + " is PARKED but the sink did not accept "
                            + "it in that invocation");
                }
            }
            case SKIPPED_DUPLICATE -> {
                if (sc.store == Scenario.Store.NONE) {
                    violation("invocation " + inv.id + ": SKIPPED_DUPLICATE without a dedup store");
                } else if (!ledger.isDone(id)) {
                    violation("invocation " + inv.id + ": " + u.position() + " (event " + id + ") is SKIPPED_DUPLICATE "
                            + "but was never processed nor parked: silently dropped");
                }
            }
            case FAILED, NOT_ATTEMPTED -> {
                // redelivered
            }
            default -> violation("unknown outcome " + o.outcome());
        }
    }

    // ------------------------------------------------------------------------------------------------- verifying

    /** The end-state invariants; call after {@link #run()}. */
    LambdaSimulation verify() {
        Map<String, List<Ledger.Entry>> byEvent = ledger.byEvent();
        Map<Long, Invocation> byId = new HashMap<>();
        for (Invocation inv : invocations) {
            byId.put(inv.id, inv);
        }
        boolean dedup = sc.store != Scenario.Store.NONE;
        for (String event : sc.eventOrder) {
            List<Ledger.Entry> entries = byEvent.getOrDefault(event, List.of());
            if (entries.isEmpty()) {
                violation("event " + event + " was neither processed nor parked: lost");
            }
            long effects = entries.stream().filter(e -> e.kind() == Ledger.Kind.EFFECT).count();
            if (sc.store == Scenario.Store.TRANSACTIONAL && effects > 1) {
                violation("event " + event + " took effect " + effects + " times in TRANSACTIONAL mode");
            }
            if (dedup) {
                long clean = entries.stream().filter(e -> e.kind() == Ledger.Kind.EFFECT
                        && byId.get(e.invocation()).clean()).count();
                if (clean > 1) {
                    violation("event " + event + " took effect in " + clean + " invocations that returned normally");
                }
            }
        }
        if (dedup && sc.store != Scenario.Store.TRANSACTIONAL) {
            checkReplayBound(byEvent, byId);
        }
        checkOrder(true);
        checkOrder(false);
        return this;
    }

    /**
     * The documented replay bound (docs/dedup.md): a crash (or a failed store write) between an effect and its
     * marker replays that one record in PER_RECORD mode, at most one group in WATERMARK mode; key-parallel
     * processing has one such record (group) in flight per worker. An abandoned (timed-out) invocation that resumes
     * and races its retry may also re-apply what it was working on: twice the bound.
     *
     * <p>Each re-application of an event (two consecutive effects of it) must be blamed on an invocation involved in
     * it that did not return normally; the check passes if some assignment keeps every invocation within its bound
     * (a bipartite matching: re-applications on one side, each invocation's allowance on the other).
     */
    private void checkReplayBound(Map<String, List<Ledger.Entry>> byEvent, Map<Long, Invocation> byId) {
        int bound = sc.maxConcurrency * (sc.store == Scenario.Store.WATERMARK ? sc.watermarkGroupSize : 1);
        List<long[]> replays = new ArrayList<>(); // candidates (invocation ids) per re-application
        List<String> what = new ArrayList<>();
        byEvent.forEach((event, entries) -> {
            List<Ledger.Entry> effects = entries.stream().filter(e -> e.kind() == Ledger.Kind.EFFECT).toList();
            for (int k = 0; k + 1 < effects.size(); k++) {
                Invocation before = byId.get(effects.get(k).invocation());
                Invocation after = byId.get(effects.get(k + 1).invocation());
                long[] candidates = java.util.stream.Stream.of(before, after).filter(i -> !i.clean())
                        .mapToLong(i -> i.id).distinct().toArray();
                if (candidates.length == 0) {
                    violation("event " + event + " took effect in invocations " + before.id + " and " + after.id
                            + ", both of which returned normally");
                } else {
                    replays.add(candidates);
                    what.add(event + " (invocations " + before.id + ", " + after.id + ")");
                }
            }
        });
        Map<Long, Integer> capacity = new HashMap<>();
        for (long[] c : replays) {
            for (long id : c) {
                capacity.put(id, byId.get(id).outcome == InvocationOutcome.ABANDONED ? 2 * bound : bound);
            }
        }
        Map<Long, List<Integer>> assigned = new HashMap<>();
        for (int r = 0; r < replays.size(); r++) {
            if (!augment(r, replays, capacity, assigned, new java.util.HashSet<>())) {
                violation("re-application of " + what.get(r) + " cannot be blamed on any of its abandoned, crashed "
                        + "or failed invocations " + Arrays.toString(replays.get(r)) + " without exceeding the "
                        + "documented bound of " + bound + " per invocation (" + 2 * bound + " if abandoned); "
                        + "assignments " + assigned);
            }
        }
    }

    /** Kuhn's augmenting path, with per-invocation capacities. */
    private static boolean augment(int r, List<long[]> replays, Map<Long, Integer> capacity,
                                   Map<Long, List<Integer>> assigned, java.util.Set<Long> visited) {
        for (long id : replays.get(r)) {
            if (!visited.add(id)) {
                continue;
            }
            List<Integer> mine = assigned.computeIfAbsent(id, k -> new ArrayList<>());
            if (mine.size() < capacity.get(id)) {
                mine.add(r);
                return true;
            }
            for (int i = 0; i < mine.size(); i++) {
                if (augment(mine.get(i), replays, capacity, assigned, visited)) {
                    mine.set(i, r);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Per partition key, the first effect of each event happens in stream order ({@code effectsOnly}: among events
     * whose first outcome was an effect; a parked event may legitimately be replayed and applied later, after a
     * crash), or the first effect-or-parking ("done") does.
     */
    private void checkOrder(boolean effectsOnly) {
        Map<String, Long> lastPerKey = new HashMap<>();
        Map<String, String> lastEventPerKey = new HashMap<>();
        for (String event : sc.eventOrder) {
            Ledger.Entry first = ledger.first(event, effectsOnly);
            if (first == null || (effectsOnly && ledger.first(event, false).kind() != Ledger.Kind.EFFECT)) {
                continue;
            }
            String key = sc.keyOfEvent.get(event);
            Long previous = lastPerKey.get(key);
            if (previous != null && first.order() < previous) {
                violation("key " + key + ": event " + event + " was " + (effectsOnly ? "first applied" : "done")
                        + " (#" + first.order() + ") before the earlier event " + lastEventPerKey.get(key) + " (#"
                        + previous + ")");
            }
            lastPerKey.put(key, first.order());
            lastEventPerKey.put(key, event);
        }
    }

    synchronized void violation(String message) {
        violations.add(message);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    String report() {
        StringBuilder b = new StringBuilder();
        b.append(sc).append('\n');
        b.append("faults: ").append(faults.injected()).append('\n');
        for (String v : violations()) {
            b.append("  VIOLATION ").append(v).append('\n');
        }
        int n = 0;
        for (String line : faults.log()) {
            if (n++ > 40) {
                b.append("  …\n");
                break;
            }
            b.append("  fault ").append(line).append('\n');
        }
        synchronized (this) {
            for (Invocation inv : invocations.subList(Math.max(0, invocations.size() - 40), invocations.size())) {
                b.append("  ").append(inv).append('\n');
            }
            narrative.forEach(l -> b.append("  ").append(l).append('\n'));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------------------------------------- events

    private String eventJson(String shardId, List<StreamRec> batch) {
        ObjectNode event = Scenario.JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (StreamRec r : batch) {
            ObjectNode node = records.addObject();
            ObjectNode k = node.putObject("kinesis");
            k.put("kinesisSchemaVersion", "1.0");
            k.put("partitionKey", r.partitionKey());
            k.put("sequenceNumber", r.sequenceNumber());
            k.put("data", Base64.getEncoder().encodeToString(r.data()));
            k.put("approximateArrivalTimestamp", BigDecimal.valueOf(r.arrivalMillis(), 3));
            node.put("eventSource", "aws:kinesis");
            node.put("eventVersion", "1.0");
            node.put("eventID", shardId + ":" + r.sequenceNumber());
            node.put("eventName", "aws:kinesis:record");
            node.put("invokeIdentityArn", "arn:aws:iam::123456789012:role/reliability");
            node.put("awsRegion", "us-east-1");
            node.put("eventSourceARN", sc.streamArn);
        }
        return event.toString();
    }

    // ------------------------------------------------------------------------------------------------- environments

    private synchronized Environment acquire() {
        Environment env = idle.poll();
        return env != null ? env : new Environment(environmentIds.incrementAndGet());
    }

    private synchronized void release(Environment env) {
        idle.push(env);
    }

    @Override
    public void close() {
        synchronized (this) {
            idle.forEach(Environment::discard);
            idle.clear();
        }
        invokers.shutdownNow();
    }

    private static void join(Future<?> f) {
        try {
            f.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("simulated invocation did not finish", e);
        }
    }

    /** One Lambda execution environment: a handler instance and its fault-injecting wrappers. */
    final class Environment {
        final int id;
        volatile boolean dead;
        volatile boolean storeFaultSeen;
        volatile Invocation current;
        final ThreadPoolExecutor executor;
        final KinesisBatchHandler<Payload> handler;

        Environment(int id) {
            this.id = id;
            this.executor = sc.maxConcurrency > 1 ? new ThreadPoolExecutor(sc.maxConcurrency, sc.maxConcurrency,
                    1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "env-" + id + "-lane");
                t.setDaemon(true);
                return t;
            }) : null;
            ProcessingConfig.Builder config = ProcessingConfig.builder("rel-" + sc.runId)
                    .failureMode(sc.failureMode)
                    .maxConcurrency(sc.maxConcurrency)
                    .maxAttempts(sc.maxAttempts)
                    .failureSink(new Sink(this))
                    .metrics(metrics)
                    .logPayloads(logPayloads)
                    .clock(clock);
            if (executor != null) {
                config.executor(executor);
            }
            DedupStore base = backend.store();
            if (base != null) {
                config.dedupStore(new Store(this, base)).dedupMode(switch (sc.store) {
                    case PER_RECORD -> DedupMode.PER_RECORD;
                    case WATERMARK -> DedupMode.WATERMARK;
                    case TRANSACTIONAL -> DedupMode.TRANSACTIONAL;
                    case NONE -> throw new IllegalStateException();
                }).watermarkGroupSize(sc.watermarkGroupSize).shardWatermark(sc.shardWatermark);
            }
            this.handler = KinesisBatchHandler.builder(new Processor(this))
                    .decoder(KinesisDecoders.json(Payload.class))
                    .config(config.build())
                    .build();
        }

        void checkAlive(String where) {
            if (dead) {
                throw new Crash(where + ": the environment is gone");
            }
        }

        Crash crash(String where) {
            dead = true;
            synchronized (LambdaSimulation.this) {
                narrative.add("environment " + id + " crashed " + where + (current == null ? ""
                        : " (invocation " + current.id + ")"));
            }
            throw new Crash(where);
        }

        void discard() {
            if (executor != null) {
                executor.shutdown();
                try {
                    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                        violation("environment " + id + ": key-parallel lanes still running 30 s after the crash");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            handler.close();
        }

        long invocationId() {
            Invocation inv = current;
            return inv == null ? -1 : inv.id;
        }
    }

    /** The user's processor: scripted failures, one effect per success, and the processor-side faults. */
    final class Processor extends RecordProcessor<Payload> {
        private final Environment env;

        Processor(Environment env) {
            this.env = env;
        }

        @Override
        public void process(StreamRecord<Payload> record, RecordContext context) {
            env.checkAlive("processor");
            Invocation inv = env.current;
            if (inv.pause != null) {
                inv.pause.onProcessorCall();
            }
            clock.advance(Duration.ofMillis(inv.slow ? 4_000 + faults.nextInt(3_000) : faults.nextInt(200)));
            env.checkAlive("processor");
            if (faults.inject(Fault.PROCESSOR_CRASH_BEFORE_EFFECT, "invocation " + inv.id)) {
                env.crash("in the processor, before the effect");
            }
            Unit u = sc.unitAt(record.shardId(), record.sequenceNumber(), record.subSequenceNumber());
            if (!Objects.equals(u.eventId(), record.payload().eventId())) {
                violation("processor got payload of " + record.payload().eventId() + " for " + u.position());
            }
            if (!context.dedupKey().equals(u.logicalId())) {
                violation("dedup key " + context.dedupKey() + " for " + u.position() + ", expected " + u.logicalId());
            }
            if (u.badData()) {
                throw new NonRetryableException("order rule rejected event " + u.eventId());
            }
            int attempt = attempts.computeIfAbsent(u.position(), p -> new AtomicInteger()).incrementAndGet();
            if (attempt <= u.failCount()) {
                throw new IllegalStateException("downstream unavailable (scripted failure " + attempt + " of "
                        + u.failCount() + ")");
            }
            if (faults.inject(Fault.PROCESSOR_TRANSIENT_FAILURE, "invocation " + inv.id)) {
                throw new IllegalStateException("downstream timeout (injected)");
            }
            if (sc.store == Scenario.Store.TRANSACTIONAL) {
                String table = backend.userTable();
                context.transaction().update(Update.builder().tableName(table)
                        .key(Map.of("pk", AttributeValue.fromS(u.logicalId())))
                        .updateExpression("ADD n :one")
                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                        .build());
                context.transaction().update(Update.builder().tableName(table)
                        .key(Map.of("pk", AttributeValue.fromS("total#" + u.partitionKey())))
                        .updateExpression("ADD n :one")
                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                        .build());
            } else {
                ledger.effect(u.logicalId(), inv.id);
            }
            if (faults.inject(Fault.PROCESSOR_CRASH_AFTER_EFFECT, "invocation " + inv.id)) {
                env.crash("in the processor, after the effect");
            }
        }

        @Override
        public String dedupKey(StreamRecord<Payload> record) {
            return sc.payloadKeys ? "evt:" + record.payload().eventId() : super.dedupKey(record);
        }
    }

    /** The failure sink: a durable list, behind failures and crashes. */
    final class Sink implements FailureSink {
        private final Environment env;

        Sink(Environment env) {
            this.env = env;
        }

        @Override
        public void park(ParkedRecord record) {
            env.checkAlive("failure sink");
            String where = "invocation " + env.invocationId();
            if (faults.inject(Fault.SINK_CRASH_BEFORE_ACCEPT, where)) {
                env.crash("while handing a record to the failure sink");
            }
            if (faults.inject(Fault.SINK_FAILURE, where)) {
                throw new IllegalStateException("failure queue unavailable (injected)");
            }
            Unit u = sc.unitAt(record.shardId(), record.sequenceNumber(), record.subSequenceNumber());
            synchronized (LambdaSimulation.this) {
                parked.add(record);
            }
            ledger.parked(u.logicalId(), env.invocationId());
            if (faults.inject(Fault.SINK_CRASH_AFTER_ACCEPT, where)) {
                env.crash("after the failure sink accepted a record");
            }
        }
    }

    /** The dedup store as one environment sees it: its crashes, and (in memory) injected store failures. */
    final class Store implements DedupStore {
        private final Environment env;
        private final DedupStore delegate;

        Store(Environment env, DedupStore delegate) {
            this.env = env;
            this.delegate = delegate;
        }

        private <X> X call(String op, Supplier<X> action) {
            env.checkAlive("dedup store " + op);
            Invocation inv = env.current;
            String where = op + " in invocation " + (inv == null ? -1 : inv.id);
            boolean inject = backend.wrapperInjectsFaults() && inv != null;
            if (inject && faults.inject(Fault.STORE_CRASH_BEFORE_WRITE, where)) {
                env.crash("before dedup store " + op);
            }
            if (inject && faults.inject(Fault.STORE_FAILURE_BEFORE_WRITE, where)) {
                env.storeFaultSeen = true;
                throw new StreamProcessingException("DynamoDB dedup table 'in-memory': " + op + " failed: Throughput "
                        + "exceeds the current capacity of your table (injected throttling, nothing written). "
                        + "The batch is failed and will be redelivered.");
            }
            Invocation previous = CURRENT.get();
            CURRENT.set(inv);
            X result;
            try {
                result = action.get();
            } catch (StreamProcessingException e) {
                env.storeFaultSeen = true; // an SDK-level fault injected by the backend
                throw e;
            } finally {
                CURRENT.set(previous);
            }
            if (inject && faults.inject(Fault.STORE_CRASH_AFTER_WRITE, where)) {
                env.crash("after dedup store " + op + " was applied");
            }
            if (inject && faults.inject(Fault.STORE_FAILURE_AFTER_WRITE, where)) {
                env.storeFaultSeen = true;
                throw new StreamProcessingException("DynamoDB dedup table 'in-memory': " + op + " failed: Unable to "
                        + "execute HTTP request: Read timed out (injected; the request was applied). The batch is "
                        + "failed and will be redelivered.");
            }
            return result;
        }

        @Override
        public void checkReady() {
            delegate.checkReady();
        }

        @Override
        public Map<String, Entry> read(Collection<String> ids) {
            return call("read", () -> delegate.read(ids));
        }

        @Override
        public ClaimResult claim(String id, String validation, Instant leaseUntil, Instant expiresAt) {
            return call("claim", () -> delegate.claim(id, validation, leaseUntil, expiresAt));
        }

        @Override
        public boolean complete(String id, String leaseToken, Instant expiresAt) {
            return call("complete", () -> delegate.complete(id, leaseToken, expiresAt));
        }

        @Override
        public int recordFailure(String id, String leaseToken, Instant expiresAt) {
            return call("recordFailure", () -> delegate.recordFailure(id, leaseToken, expiresAt));
        }

        @Override
        public boolean markParked(String id, String leaseToken, Instant expiresAt) {
            return call("markParked", () -> delegate.markParked(id, leaseToken, expiresAt));
        }

        @Override
        public Map<String, Watermark> readWatermarks(Collection<String> ids) {
            return call("readWatermarks", () -> delegate.readWatermarks(ids));
        }

        @Override
        public boolean advanceWatermark(String id, Watermark expected, Watermark next, Instant expiresAt) {
            return call("advanceWatermark", () -> delegate.advanceWatermark(id, expected, next, expiresAt));
        }

        @Override
        public List<CommitResult> commit(List<Staged> records, Instant expiresAt) {
            Invocation inv = env.current;
            return call("commit", () -> backend.commit(inv, () -> delegate.commit(records, expiresAt)));
        }
    }

    // ------------------------------------------------------------------------------------------------- model

    enum InvocationOutcome { RETURNED, THREW, CRASHED, TIMED_OUT, ABANDONED }

    /** One invocation of the function. */
    final class Invocation {
        final long id;
        final Slot slot;
        final List<StreamRec> batch;
        final boolean slow;
        final Pause pause;
        volatile Environment env;
        volatile Instant start;
        volatile Instant deadline;
        volatile InvocationOutcome outcome;
        volatile BatchResult result;
        volatile Throwable error;

        Invocation(long id, Slot slot, List<StreamRec> batch, boolean slow, Pause pause) {
            this.id = id;
            this.slot = slot;
            this.batch = List.copyOf(batch);
            this.slow = slow;
            this.pause = pause;
        }

        /** Whether Lambda got a response it uses (a returned invocation, within its timeout). */
        boolean clean() {
            return outcome == InvocationOutcome.RETURNED;
        }

        @Override
        public String toString() {
            String first = batch.get(0).sequenceNumber();
            String last = batch.get(batch.size() - 1).sequenceNumber();
            String tail = result == null ? "" : " " + result.counts() + " -> " + result.response()
                    .getBatchItemFailures().stream().map(StreamsEventResponse.BatchItemFailure::getItemIdentifier)
                    .map(s -> "…" + s.substring(s.length() - 6)).toList();
            return "#" + id + " env " + (env == null ? "?" : env.id) + " " + slot + " [" + first.substring(
                    first.length() - 6) + ".." + last.substring(last.length() - 6) + "] " + outcome + tail
                    + (error != null ? " (" + error.getMessage() + ")" : "");
        }
    }

    /** Pauses an invocation at its n-th processor call until the harness releases it. */
    static final class Pause {
        final int atCall;
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        volatile boolean abandoned;

        Pause(int atCall) {
            this.atCall = atCall;
        }

        void onProcessorCall() {
            if (calls.incrementAndGet() == atCall) {
                paused.countDown();
                try {
                    released.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        boolean awaitPaused(Future<?> invocation) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < until) {
                try {
                    if (paused.await(2, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (invocation.isDone()) {
                    return paused.getCount() == 0;
                }
            }
            return false;
        }

        void release() {
            released.countDown();
        }
    }

    /** One slot of one shard: its records in order and Lambda's checkpoint in them. */
    static final class Slot {
        final String shardId;
        final int index;
        final List<StreamRec> records;
        int checkpoint;

        Slot(String shardId, int index, List<StreamRec> records) {
            this.shardId = shardId;
            this.index = index;
            this.records = List.copyOf(records);
        }

        boolean drained() {
            return checkpoint >= records.size();
        }

        List<StreamRec> nextBatch(int size) {
            return records.subList(checkpoint, Math.min(records.size(), checkpoint + size));
        }

        @Override
        public String toString() {
            return shardId.substring(shardId.length() - 2) + "/" + index + "@" + checkpoint + "/" + records.size();
        }
    }

    /** Every ledger entry, for replaying one seed by hand. */
    String ledgerDump() {
        StringBuilder b = new StringBuilder("ledger:\n");
        for (Ledger.Entry e : ledger.entries()) {
            b.append("  #").append(e.order()).append(' ').append(e.kind()).append(' ').append(e.logicalId())
                    .append(" inv ").append(e.invocation()).append('\n');
        }
        synchronized (this) {
            for (Invocation inv : invocations) {
                b.append("  ").append(inv).append('\n');
            }
        }
        return b.toString();
    }

    /** Counts for a summary line. */
    Map<String, Long> summary() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("invocations", (long) invocations.size());
        for (InvocationOutcome o : InvocationOutcome.values()) {
            m.put(o.name(), invocations.stream().filter(i -> i.outcome == o).count());
        }
        m.put("faults", (long) faults.total());
        m.put("parked", (long) parked.size());
        return m;
    }
}
