package io.shardwise.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run measures and how long it takes. Built from {@code key=value} words (the {@code bench.args} property
 * of the module's pom, or {@link BenchmarkMain}'s arguments). {@code profile} picks defaults; any key overrides:
 *
 * <pre>
 * profile      default | full | smoke   default (about 8 minutes on 2 cores): what docs/benchmarks.md shows;
 *              full (about half an hour): every latency, 3 runs, every isolate-key variant, full JMH
 * runs         measured runs per contender and latency (median reported)          default 1, full 3
 * latencies    injected DynamoDB latencies in ms for the all-new scenario         default 0,5, full 0,2,5,10
 * headline     the latency of the other scenarios, the chart and the targets      5
 * records      records of the 1,000-record scenarios                              1000
 * payload      bytes of each record's JSON                                        200
 * keys         partition keys                                                     100
 * waitMs       per-record wait of the I/O-bound processor (key-parallel)          10
 * concurrency  maxConcurrency values of the key-parallel scenario                 1,8,32
 * large        records of the large batch                                         10000
 * largePayload bytes of each large-batch record (10,000 x 600 = 6 MB)             600
 * largeRuns    timed runs of the large batch (after as many warm-up runs)         default 5, full 15
 * jmh          full | quick | short | off     full: 1 fork, 8 warm-up + 10 measured x 1 s; quick: 4 + 3;
 *              short (default): 3 + 2
 * isolate      all | exactly-once: the dedup modes also run with ISOLATE_PARTITION_KEY (they make the same
 *              requests as their stop-at-first twins when nothing fails)        default exactly-once, full all
 * paired       full | short: blocks of the paired CPU measurement (full about 40 s) default short, full full
 * calibration  on | off: the per-record baseline on both HTTP clients at 0 and headline ms  default off, full on
 * output       directory for benchmarks.md and benchmarks.png (default: -Dbench.output, else ./docs)
 * </pre>
 */
public record Settings(String profile, int runs, List<Long> latencies, long headline, int records, int payload,
                       int keys, long waitMs, List<Integer> concurrency, int large, int largePayload, int largeRuns,
                       Jmh jmh, boolean calibration, boolean isolateAll, boolean fullPairedCpu, Path output,
                       String args) {

    /** JMH iteration settings; {@code forks == 0} means JMH is not run. */
    public record Jmh(String name, int forks, int warmupIterations, int measurementIterations, long iterationMillis) {
        static Jmh of(String name) {
            return switch (name) {
                // The engine's path reaches steady state after about 4 s of warm-up (C2); give it 8.
                case "full" -> new Jmh(name, 1, 8, 10, 1_000);
                case "quick" -> new Jmh(name, 1, 4, 3, 1_000);
                case "short" -> new Jmh(name, 1, 3, 2, 1_000);
                case "off" -> new Jmh(name, 0, 0, 0, 0);
                default -> throw new IllegalArgumentException("jmh must be full, quick, short or off, was " + name);
            };
        }

        public boolean enabled() {
            return forks > 0;
        }
    }

    /** Each profile's defaults, as key=value words. */
    private static final Map<String, String> PROFILES = Map.of(
            "full", "runs=3 latencies=0,2,5,10 largeRuns=15 jmh=full isolate=all paired=full",
            "default", "runs=1 latencies=0,5 largeRuns=5 jmh=short calibration=off isolate=exactly-once paired=short",
            "smoke", "runs=1 latencies=0 headline=0 records=20 keys=4 waitMs=1 concurrency=1,4 large=200 largeRuns=2 "
                    + "jmh=off calibration=off isolate=all paired=short");

    public static Settings parse(String... args) {
        List<String> words = words(args);
        Map<String, String> given = pairs(words);
        String profile = given.getOrDefault("profile", "default");
        if (!PROFILES.containsKey(profile)) {
            throw new IllegalArgumentException("profile must be one of " + PROFILES.keySet() + ", was " + profile);
        }
        Map<String, String> v = pairs(words(PROFILES.get(profile)));
        v.putAll(given);
        long headline = Long.parseLong(v.getOrDefault("headline", "5"));
        List<Long> latencies = new ArrayList<>(Arrays.stream(v.get("latencies").split(",")).map(String::trim)
                .map(Long::parseLong).toList());
        if (!latencies.contains(headline)) {
            latencies.add(headline);
        }
        latencies.sort(Long::compare);
        String output = v.getOrDefault("output", System.getProperty("bench.output", "docs"));
        Settings s = new Settings(profile, Integer.parseInt(v.get("runs")), List.copyOf(latencies), headline,
                Integer.parseInt(v.getOrDefault("records", "1000")), Integer.parseInt(v.getOrDefault("payload", "200")),
                Integer.parseInt(v.getOrDefault("keys", "100")), Long.parseLong(v.getOrDefault("waitMs", "10")),
                Arrays.stream(v.getOrDefault("concurrency", "1,8,32").split(",")).map(String::trim)
                        .map(Integer::parseInt).toList(),
                Integer.parseInt(v.getOrDefault("large", "10000")),
                Integer.parseInt(v.getOrDefault("largePayload", "600")), Integer.parseInt(v.get("largeRuns")),
                Jmh.of(v.get("jmh")), !"off".equals(v.getOrDefault("calibration", "on")),
                choice(v, "isolate", "all", "exactly-once"), choice(v, "paired", "full", "short"), Path.of(output),
                String.join(" ", words));
        if (s.runs < 1 || s.records < 2 || s.large < 1 || s.largeRuns < 1) {
            throw new IllegalArgumentException("runs, largeRuns and large must be >= 1 and records >= 2: " + s);
        }
        return s;
    }

    /** Whether {@code key} is {@code first} (true) or {@code second} (false); anything else is refused. */
    private static boolean choice(Map<String, String> v, String key, String first, String second) {
        String value = v.get(key);
        if (!first.equals(value) && !second.equals(value)) {
            throw new IllegalArgumentException(key + " must be " + first + " or " + second + ", was " + value);
        }
        return first.equals(value);
    }

    private static List<String> words(String... args) {
        List<String> words = new ArrayList<>();
        for (String arg : args) {
            if (arg != null) {
                words.addAll(Arrays.asList(arg.trim().split("\\s+")));
            }
        }
        words.removeIf(String::isEmpty);
        return words;
    }

    private static Map<String, String> pairs(List<String> words) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Settings are key=value words, got '" + w + "'");
            }
            pairs.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return pairs;
    }

    /**
     * Whether this is the default or the full profile with nothing overridden but the output: the settings whose
     * figures docs/benchmarks.md may show.
     */
    public boolean isReference() {
        return ("default".equals(profile) || "full".equals(profile))
                && args.replaceAll("(profile|output)=\\S+", "").isBlank();
    }
}
