package io.shardwise.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one run measured, handed to {@link Report} and {@link Chart}.
 *
 * @param allNew      the all-new scenario by injected latency
 * @param calibration the per-record baseline on each HTTP client, all-new scenario, at 0 ms and the headline latency
 * @param pairedCpu   CPU of shardwise against the hand-written loop, measured paired (1,000- and 10,000-record
 *                    batches)
 */
public record Results(Settings settings, Environment environment, Map<Long, List<Measurement>> allNew,
                      List<Measurement> redelivered, List<Measurement> duplicates, List<Measurement> keyParallel,
                      List<Measurement> calibration, List<LargeBatch.Result> large, double largeEventMb,
                      List<JmhRunner.JmhResult> jmh, List<PairedCpu.Result> pairedCpu,
                      List<AllocationBreakdown.Step> allocation, Duration elapsed) {

    /** The machine and its load, for the reader to judge the timings. */
    public record Environment(Instant started, int cores, String jvm, String os, double loadStart, double loadEnd,
                              long maxHeapMb) {
    }

    /** The measurement of {@code spec} in {@code list}, or null. */
    public static Measurement find(List<Measurement> list, ContenderSpec spec) {
        if (list == null) {
            return null;
        }
        for (Measurement m : list) {
            if (m.spec().equals(spec)) {
                return m;
            }
        }
        return null;
    }

    public List<Measurement> headline() {
        return allNew.get(settings.headline());
    }
}
