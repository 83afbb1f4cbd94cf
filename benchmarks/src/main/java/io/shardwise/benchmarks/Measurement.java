package io.shardwise.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One contender in one scenario at one injected latency: the wall time of each run, the requests of the last run
 * by operation (the same every run: the algorithms are deterministic for a given input), and what the batch's
 * records ended as.
 *
 * @param serviceMs   per run, milliseconds between sending each request and its response by operation
 *                    (the embedded engine's work and the loopback hop, without the injected latency)
 * @param capacity    capacity units of the last run by table role ({@link Dynamo#DEDUP_ROLE},
 *                    {@link Dynamo#USER_ROLE}) and operation (deterministic, as the requests are)
 * @param callerCpuMs CPU time of the calling thread per run (SDK marshalling, HTTP client, engine, decoding; not
 *                    the embedded engine's server threads, not worker threads of key-parallel runs)
 */
public record Measurement(Scenario scenario, ContenderSpec spec, Dynamo.HttpClientKind client, long latencyMs,
                          List<Double> wallMs, List<Double> callerCpuMs, Map<String, Long> storeOps,
                          Map<String, Long> userOps, List<Map<String, Double>> serviceMs, RunOutcome outcome,
                          Map<CapacityMeter.Use, CapacityMeter.Units> capacity) {

    public double medianMs() {
        return median(wallMs);
    }

    public double medianCpuMs() {
        return median(callerCpuMs);
    }

    /**
     * Median over runs of the wall time during which a call to the embedded DynamoDB engine was in flight (overlapping calls
     * counted once; older runs without that figure: the sum over operations).
     */
    public double medianServiceMs() {
        return median(serviceMs.stream().map(m -> m.containsKey(ServiceTimer.BUSY) ? m.get(ServiceTimer.BUSY)
                : m.entrySet().stream().mapToDouble(Map.Entry::getValue).sum()).toList());
    }

    /** Mean service time of one call of {@code operation}, over all runs; NaN if never called. */
    public double meanServiceMs(String operation, long callsPerRun) {
        double total = serviceMs.stream().mapToDouble(m -> m.getOrDefault(operation, 0.0)).sum();
        return callsPerRun == 0 ? Double.NaN : total / (callsPerRun * (double) serviceMs.size());
    }

    public int records() {
        return scenario.records();
    }

    /** Requests of the dedup store (or the baseline's idempotency records) per record. */
    public double storePerRecord() {
        return storeOps.values().stream().mapToLong(Long::longValue).sum() / (double) records();
    }

    /** Requests of the user's own code per record. */
    public double userPerRecord() {
        return userOps.values().stream().mapToLong(Long::longValue).sum() / (double) records();
    }

    public double totalPerRecord() {
        return storePerRecord() + userPerRecord();
    }

    /** Every operation, dedup and user together, per record. */
    public Map<String, Double> opsPerRecord() {
        Map<String, Double> all = new TreeMap<>();
        storeOps.forEach((k, v) -> all.merge(k, v / (double) records(), Double::sum));
        userOps.forEach((k, v) -> all.merge(k, v / (double) records(), Double::sum));
        return all;
    }

    /** Read and write units per record, every table and operation. */
    public CapacityMeter.Units unitsPerRecord() {
        return capacity.values().stream().reduce(CapacityMeter.Units.NONE, CapacityMeter.Units::plus)
                .per(records());
    }

    /** Read and write units per record on the tables of one role. */
    public CapacityMeter.Units unitsPerRecord(String role) {
        return capacity.entrySet().stream().filter(e -> e.getKey().table().equals(role)).map(Map.Entry::getValue)
                .reduce(CapacityMeter.Units.NONE, CapacityMeter.Units::plus).per(records());
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
