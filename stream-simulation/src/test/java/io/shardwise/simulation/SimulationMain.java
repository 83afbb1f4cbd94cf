package io.shardwise.simulation;

import io.shardwise.core.dedup.DedupMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The long run, bounded by wall-clock time, or the replay of one scenario. Arguments are {@code name=value}:
 * <ul>
 *   <li>{@code minutes=60} (or {@code seconds=30}) how long to run (default 10 minutes); {@code seed=1} the first seed (default: the time);
 *       {@code shrink=true} shrink each violation before printing it (slower; default true); {@code store=GUARDED}
 *       give every scenario that dedup mode (default: drawn per seed)</li>
 *   <li>{@code replay="seed=... records=... ..."}: run that one scenario and print its trace</li>
 * </ul>
 * Prints every minute, and at the end: schedules run, schedules/s, faults injected by kind, violations by
 * invariant; each violation with its seed, the shrunk scenario, the replay command and its trace. Exits 1 if any
 * violation was found. {@code -Dsim.knownLost=claim,...} leaves those store requests' lost responses out.
 */
public final class SimulationMain {
    private SimulationMain() {}

    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : String.join(" ", args).trim().split("\\s+(?=[a-z]+=)")) {
            int eq = arg.indexOf('=');
            if (eq > 0) {
                a.put(arg.substring(0, eq), arg.substring(eq + 1).replaceAll("^\"|\"$", ""));
            }
        }
        if (a.containsKey("replay")) {
            Simulation.Result r = Runner.run(Scenario.parse(a.get("replay")));
            System.out.println(r.ok() ? "no violation: " + r.scenario() + "\n" + r.trace() : Runner.report(r));
            System.exit(r.ok() ? 0 : 1);
        }
        long minutes = Long.parseLong(a.getOrDefault("minutes", "10"));
        long runMillis = a.containsKey("seconds") ? Long.parseLong(a.get("seconds")) * 1000 : minutes * 60_000;
        long seed = Long.parseLong(a.getOrDefault("seed", Long.toString(System.currentTimeMillis())));
        boolean shrink = Boolean.parseBoolean(a.getOrDefault("shrink", "true"));
        DedupMode store = a.containsKey("store") ? DedupMode.valueOf(a.get("store")) : null;
        long end = System.currentTimeMillis() + runMillis;
        Runner.Summary total = new Runner.Summary();
        long next = seed;
        System.out.println("simulation long run: from seed " + seed + " for " + runMillis / 1000 + " s");
        while (System.currentTimeMillis() < end) {
            long chunkEnd = Math.min(end, System.currentTimeMillis() + 60_000);
            Runner.Summary s = Runner.runMany(next, Integer.MAX_VALUE, chunkEnd, KnownDefects::excluded, shrink,
                    store);
            next += s.schedules;
            total.schedules += s.schedules;
            total.refused += s.refused;
            total.invocations += s.invocations;
            total.effects += s.effects;
            total.millis += s.millis;
            s.faults.forEach((k, v) -> total.faults.merge(k, v, Long::sum));
            s.violations.forEach((k, v) -> total.violations.merge(k, v, Integer::sum));
            s.modes.forEach((k, v) -> total.modes.merge(k, v, Integer::sum));
            s.refusals.forEach((k, v) -> total.refusals.merge(k, v, Integer::sum));
            total.failures.addAll(s.failures);
            for (Simulation.Result r : s.failures) {
                System.out.println(Runner.report(r));
            }
            System.out.println("after seeds " + seed + ".." + (next - 1) + ": " + total.text());
        }
        System.out.println("simulation long run done: " + total.text());
        System.exit(total.failures.isEmpty() ? 0 : 1);
    }
}
