package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.testkit.FakeContext;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * CPU of shardwise (no dedup) against the hand-written loop, measured paired: blocks of batches alternate between
 * the two in one JVM, and each block's ratio is taken against its neighbour. On a shared machine whose speed drifts
 * (other VMs, turbo, thermal), this cancels the drift that separate JMH runs of the two absorb into their ratio;
 * thread CPU time (not wall time) also leaves out time the thread was not running. What it leaves out: the GC
 * threads' work, so allocation shows only as the calling thread's TLAB refills (the JMH table has the bytes).
 */
final class PairedCpu {

    /**
     * @param loopUs      median thread CPU per record of the hand-written loop, µs
     * @param shardwiseUs median thread CPU per record of shardwise, µs
     * @param ratio       median over block pairs of shardwise / loop; {@code q1}, {@code q3} its quartiles
     */
    record Result(int records, int payloadBytes, int blocks, int batchesPerBlock, double loopUs, double shardwiseUs,
                  double ratio, double q1, double q3) {
    }

    private PairedCpu() {
    }

    /**
     * @param batchesPerBlock batches per timed block (a block should last tens of milliseconds)
     * @param warmBlocks      untimed block pairs first (JIT warm-up)
     * @param blocks          timed block pairs
     */
    static Result measure(int records, int keys, int payloadBytes, int batchesPerBlock, int warmBlocks, int blocks) {
        KinesisEvent event = Workload.event(records, keys, payloadBytes, 0);
        Context context = FakeContext.withTimeout(Duration.ofHours(1));
        CpuBenchmarks.Sink sink = new CpuBenchmarks.Sink(); // a heap field both write: the work cannot be dropped
        HandWrittenLoop loop = new HandWrittenLoop(sink::take);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> loopUs = new ArrayList<>();
        List<Double> shardwiseUs = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        try (KinesisBatchHandler<Order> shardwise = CpuBenchmarks.handler(sink,
                ProcessingConfig.builder("paired-cpu").metrics(false).build())) {
            for (int b = 0; b < warmBlocks + blocks; b++) {
                long t0 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < batchesPerBlock; i++) {
                    loop.handleRequest(event);
                }
                long t1 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < batchesPerBlock; i++) {
                    shardwise.handleRequest(event, context);
                }
                long t2 = threads.getCurrentThreadCpuTime();
                if (b >= warmBlocks) {
                    double l = (t1 - t0) / 1e3 / batchesPerBlock / records;
                    double s = (t2 - t1) / 1e3 / batchesPerBlock / records;
                    loopUs.add(l);
                    shardwiseUs.add(s);
                    ratios.add(s / l);
                }
            }
        }
        return new Result(records, payloadBytes, blocks, batchesPerBlock, quantile(loopUs, 0.5),
                quantile(shardwiseUs, 0.5), quantile(ratios, 0.5), quantile(ratios, 0.25), quantile(ratios, 0.75));
    }

    private static double quantile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((int) Math.round(q * (sorted.size() - 1)));
    }
}
