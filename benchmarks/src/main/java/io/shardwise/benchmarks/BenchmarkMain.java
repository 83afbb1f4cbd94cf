package io.shardwise.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import io.shardwise.core.FailureMode;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.testkit.LocalEmulators;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every benchmark and writes {@code benchmarks.md} and {@code benchmarks.png} (by default into the
 * repository's {@code docs/}):
 * <pre>{@code
 * mvn -B -ntp -q install -DskipTests && mvn -B -ntp -q -pl benchmarks exec:exec
 * mvn -B -ntp -q -pl benchmarks exec:exec -Dbench.args="profile=full"      # every latency and variant, ~30 min
 * }</pre>
 * Order: JMH first (its forked JVMs then have the machine to themselves), then the embedded DynamoDB engine
 * (stream-testkit) starts in this JVM, served over HTTP on loopback, for the request scenarios, then the large
 * batch. Progress goes to standard error. See {@link Settings} for the knobs.
 */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Settings settings = Settings.parse(args);
        run(settings, System.err::println);
        System.err.println("Wrote " + settings.output().resolve("benchmarks.md") + ", benchmarks.png and "
                + "benchmarks-cost.png");
        // The embedded DynamoDB engine's HTTP server threads would keep the JVM alive otherwise. A missed target is reported, not an error.
        LocalEmulators.stopAll();
        System.exit(0);
    }

    /** Runs everything with {@code settings}, writes the report and the chart, returns what was measured. */
    public static Results run(Settings settings, java.util.function.Consumer<String> progress) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Instant started = Instant.now();
        double loadStart = load();
        progress.accept("shardwise benchmarks: " + settings);
        Files.createDirectories(settings.output());

        List<JmhRunner.JmhResult> jmh = List.of();
        if (settings.jmh().enabled()) {
            Path log = Path.of("target", "jmh-output.txt").toAbsolutePath();
            Files.createDirectories(log.getParent());
            progress.accept("JMH (" + settings.jmh() + "), output in " + log);
            jmh = JmhRunner.run(settings.jmh(), log);
            jmh.forEach(j -> progress.accept(String.format("  %-45s %8.3f us/record %,8.0f B/record", j.benchmark(),
                    j.usPerRecord(), j.bytesPerRecord())));
        }

        // Paired CPU: blocks of tens of ms alternate between the two; full takes about 40 s, short about 10 s.
        boolean full = settings.fullPairedCpu();
        boolean smoke = "smoke".equals(settings.profile());
        List<PairedCpu.Result> pairedCpu = List.of(
                PairedCpu.measure(settings.records(), settings.keys(), settings.payload(), full ? 100 : smoke ? 5 : 50,
                        full ? 10 : smoke ? 2 : 5, full ? 40 : smoke ? 4 : 20),
                PairedCpu.measure(settings.large(), settings.keys(), settings.largePayload(), full ? 10 : smoke ? 1 : 5,
                        full ? 10 : smoke ? 2 : 5, full ? 40 : smoke ? 4 : 20));
        pairedCpu.forEach(p -> progress.accept(String.format("paired CPU %,d x %d B: loop %.3f, shardwise %.3f "
                + "us/record, ratio %.2f (quartiles %.2f-%.2f)", p.records(), p.payloadBytes(), p.loopUs(),
                p.shardwiseUs(), p.ratio(), p.q1(), p.q3())));

        Map<Long, List<Measurement>> allNew = new LinkedHashMap<>();
        List<Measurement> redelivered;
        List<Measurement> duplicates;
        List<Measurement> keyParallel;
        List<Measurement> calibration = new ArrayList<>();
        try (Dynamo dynamo = new Dynamo()) {
            RequestBenchmarks bench = new RequestBenchmarks(dynamo);
            int n = settings.records();
            var batch = Workload.event(n, settings.keys(), settings.payload(), 0);
            Scenario fresh = new Scenario("all-new", "all new", batch, null, false, 0);
            Scenario redelivery = new Scenario("redelivered", "redelivered", batch, Workload.head(batch, n - 1), false,
                    0);
            Scenario dups = new Scenario("duplicates", "10 % producer duplicates",
                    Workload.event(n, settings.keys(), settings.payload(), 10), null, true, 0);
            Scenario io = new Scenario("key-parallel", "key-parallel", batch, null, false, settings.waitMs());
            List<ContenderSpec> sequential = ContenderSpec.allSequential(settings.isolateAll());

            // Warm-up: class loading and JIT for every contender, small batch, no latency; not reported.
            Scenario warm = new Scenario("warm-up", "warm-up", Workload.head(batch, Math.min(n, 200)), null, false, 0);
            bench.measure(warm, sequential, Dynamo.HttpClientKind.APACHE, 0, 1, line -> { });
            bench.measure(warm, List.of(ContenderSpec.PER_RECORD_BASELINE), Dynamo.HttpClientKind.URL_CONNECTION, 0, 1,
                    line -> { });
            progress.accept("warm-up done");

            // The isolate-key variants make the same requests as their stop-at-first twins when nothing fails: they
            // run at the headline latency only, which keeps the full run near half an hour.
            List<ContenderSpec> sweep = sequential.stream()
                    .filter(c -> c.failureMode() != FailureMode.ISOLATE_PARTITION_KEY).toList();
            for (long latency : settings.latencies()) {
                allNew.put(latency, bench.measure(fresh, latency == settings.headline() ? sequential : sweep,
                        Dynamo.HttpClientKind.APACHE, latency, settings.runs(), progress));
            }
            redelivered = bench.measure(redelivery, sequential, Dynamo.HttpClientKind.APACHE, settings.headline(),
                    settings.runs(), progress);
            duplicates = bench.measure(dups, sequential.stream().filter(ContenderSpec::takesPayloadKeys).toList(),
                    Dynamo.HttpClientKind.APACHE, settings.headline(), settings.runs(), progress);
            List<ContenderSpec> parallel = new ArrayList<>();
            parallel.add(ContenderSpec.PER_RECORD_BASELINE);
            parallel.add(ContenderSpec.HAND_WRITTEN_LOOP);
            for (DedupMode mode : new DedupMode[]{null, DedupMode.TRANSACTIONAL}) {
                for (int c : settings.concurrency()) {
                    parallel.add(ContenderSpec.shardwise(mode, FailureMode.STOP_AT_FIRST_FAILURE, c));
                }
            }
            keyParallel = bench.measure(io, parallel, Dynamo.HttpClientKind.APACHE, settings.headline(),
                    settings.runs(), progress);
            if (settings.calibration()) {
                for (Dynamo.HttpClientKind kind : Dynamo.HttpClientKind.values()) {
                    for (long latency : java.util.stream.LongStream.of(0, settings.headline()).distinct().toArray()) {
                        List<Measurement> already = kind == Dynamo.HttpClientKind.APACHE ? allNew.get(latency) : null;
                        Measurement m = Results.find(already, ContenderSpec.PER_RECORD_BASELINE);
                        if (m == null) {
                            m = bench.measure(fresh, List.of(ContenderSpec.PER_RECORD_BASELINE), kind, latency,
                                    settings.runs(), progress).get(0);
                        }
                        if (calibration.stream().noneMatch(x -> x.client() == kind && x.latencyMs() == latency)) {
                            calibration.add(m);
                        }
                    }
                }
            }
        }

        progress.accept("large batch");
        LargeBatch.Input input = LargeBatch.build(settings.large(), settings.keys(), settings.largePayload());
        List<LargeBatch.Result> large = LargeBatch.run(input, settings.largeRuns(), settings.largeRuns());
        large.forEach(x -> progress.accept(String.format("  %-55s %8.1f ms  %6.1f MB allocated  %6.1f MB live",
                x.label(), x.medianMs(), x.medianAllocatedMb(), x.medianLiveMb())));

        progress.accept("allocation breakdown");
        List<AllocationBreakdown.Step> allocation = AllocationBreakdown.measure(Math.min(settings.records(), 1000),
                settings.keys(), settings.payload());
        allocation.forEach(x -> progress.accept(String.format("  %-70s %8.0f B/record %6.0f ns/record", x.step(),
                x.bytesPerRecord(), x.cpuNsPerRecord())));

        Results results = new Results(settings, new Results.Environment(started,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"), System.getProperty("os.name") + " "
                + System.getProperty("os.arch"), loadStart, load(), Runtime.getRuntime().maxMemory() >> 20),
                allNew, redelivered, duplicates, keyParallel, calibration, large, input.retainedMb(), jmh, pairedCpu, allocation,
                Duration.between(started, Instant.now()));
        Report report = new Report(results);
        Files.writeString(settings.output().resolve("benchmarks.md"), report.markdown("benchmarks.png",
                "benchmarks-cost.png"));
        Chart.write(results, settings.output().resolve("benchmarks.png"));
        Chart.writeCost(results, Pricing.US_EAST_1, settings.output().resolve("benchmarks-cost.png"));
        report.targets().forEach(t -> progress.accept((t.met() ? "MET     " : "MISSED  ") + t.target() + ": "
                + t.figure()));
        return results;
    }

    private static double load() {
        return ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getSystemLoadAverage();
    }
}
