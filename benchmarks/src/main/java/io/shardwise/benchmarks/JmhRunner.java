package io.shardwise.benchmarks;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Runs {@link CpuBenchmarks} with the GC profiler in forked JVMs and collects per-record figures. */
public final class JmhRunner {

    /**
     * @param benchmark   the method name, with its parameter when it has one (e.g. {@code shardwiseInMemoryDedup1k
     *                    [TRANSACTIONAL]})
     * @param usPerRecord the score
     * @param error       JMH's 99.9 % confidence half-width (NaN with a single iteration)
     * @param bytesPerRecord {@code gc.alloc.rate.norm}
     */
    public record JmhResult(String benchmark, double usPerRecord, double error, double bytesPerRecord) {
    }

    private JmhRunner() {
    }

    public static List<JmhResult> run(Settings.Jmh jmh, Path log) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(CpuBenchmarks.class.getName() + "\\.")
                .addProfiler(GCProfiler.class)
                .forks(jmh.forks())
                .warmupIterations(jmh.warmupIterations())
                .warmupTime(TimeValue.milliseconds(jmh.iterationMillis()))
                .measurementIterations(jmh.measurementIterations())
                .measurementTime(TimeValue.milliseconds(jmh.iterationMillis()))
                .output(log.toString());
        Collection<RunResult> results = new Runner(options.build()).run();
        List<JmhResult> out = new ArrayList<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            String mode = r.getParams().getParam("mode");
            if (mode != null) {
                name += " [" + mode + "]";
            }
            Result<?> primary = r.getPrimaryResult();
            double alloc = Double.NaN;
            for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
                if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                    alloc = e.getValue().getScore();
                }
            }
            out.add(new JmhResult(name, primary.getScore(), primary.getScoreError(), alloc));
        }
        return out;
    }
}
