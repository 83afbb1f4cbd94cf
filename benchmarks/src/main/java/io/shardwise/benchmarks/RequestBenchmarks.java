package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.testkit.FakeContext;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs contenders through scenarios against the embedded DynamoDB engine (over HTTP on loopback) with injected
 * latency, and measures wall time, requests by operation, capacity units by table and operation, and caller CPU.
 * Runs are interleaved (run 1 of every contender, then run 2…), so a burst of load on the machine spreads over
 * contenders instead of hitting one. Each run uses a fresh contender with its own consumer name, so it starts from
 * empty dedup state.
 */
public final class RequestBenchmarks {
    /** Lambda's maximum timeout: the deadline never stops a measured batch. */
    private static final Duration INVOCATION_TIMEOUT = Duration.ofMinutes(15);
    private static final AtomicInteger RUN_IDS = new AtomicInteger();

    private final Dynamo dynamo;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final String runTag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    public RequestBenchmarks(Dynamo dynamo) {
        this.dynamo = dynamo;
    }

    /**
     * Measures every contender in the scenario at one latency, {@code runs} times each.
     *
     * @param progress receives one line per measured run
     */
    public List<Measurement> measure(Scenario scenario, List<ContenderSpec> specs, Dynamo.HttpClientKind kind,
                                     long latencyMs, int runs, java.util.function.Consumer<String> progress) {
        Dynamo.Clients clients = dynamo.clients(kind);
        Map<ContenderSpec, List<Double>> wall = new LinkedHashMap<>();
        Map<ContenderSpec, List<Double>> cpu = new HashMap<>();
        Map<ContenderSpec, Map<String, Long>> storeOps = new HashMap<>();
        Map<ContenderSpec, Map<String, Long>> userOps = new HashMap<>();
        Map<ContenderSpec, List<Map<String, Double>>> service = new HashMap<>();
        Map<ContenderSpec, RunOutcome> outcomes = new HashMap<>();
        Map<ContenderSpec, Map<CapacityMeter.Use, CapacityMeter.Units>> capacity = new HashMap<>();
        for (int run = 0; run < runs; run++) {
            for (ContenderSpec spec : specs) {
                String namespace = "b" + runTag + "-" + RUN_IDS.incrementAndGet();
                Effects effects = new Effects(clients.user(), dynamo.userTable, namespace, scenario.waitMillis());
                dynamo.latency.set(0);
                try (Contender c = create(spec, clients, namespace, effects, scenario.payloadKey())) {
                    if (scenario.prepare() != null) {
                        RunOutcome prepared = c.handle(scenario.prepare(), context());
                        if (!prepared.allDone()) {
                            throw new IllegalStateException(spec.label() + ": preparing " + scenario.id()
                                    + " left records not done: " + prepared);
                        }
                    }
                    clients.resetCounts();
                    dynamo.latency.set(latencyMs);
                    Context ctx = context();
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    RunOutcome outcome = c.handle(scenario.event(), ctx);
                    long t1 = System.nanoTime();
                    long cpu1 = threads.getCurrentThreadCpuTime();
                    dynamo.latency.set(0);
                    double ms = (t1 - t0) / 1e6;
                    wall.computeIfAbsent(spec, k -> new ArrayList<>()).add(ms);
                    cpu.computeIfAbsent(spec, k -> new ArrayList<>()).add((cpu1 - cpu0) / 1e6);
                    storeOps.put(spec, clients.storeRequests().snapshot());
                    userOps.put(spec, clients.userRequests().snapshot());
                    service.computeIfAbsent(spec, k -> new ArrayList<>()).add(clients.serviceTime().snapshotMillis());
                    outcomes.put(spec, outcome);
                    capacity.put(spec, byRole(clients.capacity().snapshot()));
                    progress.accept(String.format("%-16s %2d ms  run %d/%d  %-58s %10.1f ms  %s", scenario.id(),
                            latencyMs, run + 1, runs, spec.label().replace("**", ""), ms, outcome));
                } finally {
                    dynamo.latency.set(0);
                }
            }
        }
        List<Measurement> out = new ArrayList<>();
        for (ContenderSpec spec : specs) {
            out.add(new Measurement(scenario, spec, kind, latencyMs, wall.get(spec), cpu.get(spec),
                    storeOps.get(spec), userOps.get(spec), service.get(spec), outcomes.get(spec), capacity.get(spec)));
        }
        return out;
    }

    /** The meter's figures with each table named by its role, so that runs on differently named tables compare. */
    private Map<CapacityMeter.Use, CapacityMeter.Units> byRole(Map<CapacityMeter.Use, CapacityMeter.Units> units) {
        Map<CapacityMeter.Use, CapacityMeter.Units> out = new TreeMap<>();
        units.forEach((use, u) -> out.merge(new CapacityMeter.Use(dynamo.role(use.table()), use.operation()), u,
                CapacityMeter.Units::plus));
        return out;
    }

    private Contender create(ContenderSpec spec, Dynamo.Clients clients, String namespace, Effects effects,
                             boolean payloadKey) {
        return switch (spec.kind()) {
            case PER_RECORD_BASELINE -> new PerRecordIdempotencyBaseline(clients.store(), dynamo.idempotencyTable,
                    namespace, effects);
            case HAND_WRITTEN_LOOP -> new HandWrittenLoop(effects::apply);
            case SHARDWISE -> new ShardwiseContender(spec, namespace, spec.mode() == null ? null
                    : DynamoDbDedupStore.builder(clients.store(), dynamo.dedupTable).build(), effects, payloadKey,
                    clients.user());
        };
    }

    private static Context context() {
        return FakeContext.withTimeout(INVOCATION_TIMEOUT);
    }
}
