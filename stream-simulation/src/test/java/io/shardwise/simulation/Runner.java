package io.shardwise.simulation;

import io.shardwise.core.dedup.DedupMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Runs many schedules (seeds {@code seed, seed+1, ...}), counts faults and violations, and shrinks each violation
 * to a smaller scenario that still shows it, then prints it with its trace and the command that replays it.
 */
final class Runner {

    /** What a run of many schedules found. */
    static final class Summary {
        int schedules;
        int refused;
        long invocations;
        long effects;
        long millis;
        final Map<String, Long> faults = new TreeMap<>();
        final Map<String, Integer> violations = new TreeMap<>();
        /** Why the handler refused a configuration (its build's message), and how often. */
        final Map<String, Integer> refusals = new TreeMap<>();
        /** Schedules run (not refused) by dedup mode and handler, e.g. "GUARDED/KINESIS". */
        final Map<String, Integer> modes = new TreeMap<>();
        final List<Simulation.Result> failures = new ArrayList<>();

        String text() {
            return String.format("%d schedules (%d configurations refused by the handler) in %.1f s = %.0f "
                    + "schedules/s; %d invocations, %d effects%n  schedules run by mode/handler: %s%n  faults "
                    + "injected by kind: %s%n  violations by invariant: %s%n  refused: %s", schedules, refused,
                    millis / 1000.0, schedules * 1000.0 / Math.max(1, millis), invocations, effects, modes, faults,
                    violations.isEmpty() ? "none" : violations, refusals);
        }
    }

    /** Runs one scenario. */
    static Simulation.Result run(Scenario s) {
        return new Simulation(s).run();
    }

    /**
     * Runs scenarios from {@code seed} until {@code count} ran or {@code deadlineMillis} (wall clock) passed.
     * {@code skip} leaves out scenarios (a pinned known defect's exact combination), counted as refused.
     * {@code store}: the dedup mode every scenario is given ({@link Scenario#generate(long, DedupMode)}), or null.
     */
    static Summary runMany(long seed, int count, long deadlineMillis, Predicate<Scenario> skip, boolean shrink,
                           DedupMode store) {
        Summary sum = new Summary();
        long t0 = System.currentTimeMillis();
        for (long i = 0; i < count && System.currentTimeMillis() < deadlineMillis; i++) {
            Scenario s = Scenario.generate(seed + i, store);
            sum.schedules++;
            if (skip.test(s)) {
                sum.refused++;
                sum.refusals.merge("left out: a known defect (KnownDefects.excluded)", 1, Integer::sum);
                continue;
            }
            Simulation.Result r = run(s);
            if (r.refused()) {
                sum.refused++;
                sum.refusals.merge(s.handler() + ": " + r.trace(), 1, Integer::sum);
                continue;
            }
            sum.modes.merge((s.store() == null ? "NONE" : s.store().name()) + "/" + s.handler(), 1, Integer::sum);
            sum.invocations += r.invocations();
            sum.effects += r.effects();
            r.faults().forEach((k, v) -> sum.faults.merge(k, (long) v, Long::sum));
            if (!r.ok()) {
                r.violations().keySet().forEach(v -> sum.violations.merge(v, 1, Integer::sum));
                sum.failures.add(shrink ? shrink(r) : r);
            }
        }
        sum.millis = System.currentTimeMillis() - t0;
        return sum;
    }

    /**
     * Greedy shrinking: tries each smaller variant of the scenario (fewer records, one fault kind less, a smaller
     * factor, ...), keeps the first that still shows one of the same invariants' violations, and repeats.
     */
    static Simulation.Result shrink(Simulation.Result failing) {
        Simulation.Result best = failing;
        boolean progress = true;
        int tries = 0;
        while (progress && tries < 200) {
            progress = false;
            for (Scenario smaller : best.scenario().smaller()) {
                tries++;
                Simulation.Result r = run(smaller);
                if (!r.ok() && r.violations().keySet().stream().anyMatch(failing.violations()::containsKey)) {
                    best = r;
                    progress = true;
                    break;
                }
            }
        }
        return best;
    }

    /** A violation as printed: the invariants, the replay command, and the trace. */
    static String report(Simulation.Result r) {
        StringBuilder b = new StringBuilder();
        b.append("VIOLATION in seed ").append(r.scenario().seed()).append('\n');
        r.violations().forEach((k, v) -> b.append("  ").append(k).append(": ").append(v).append('\n'));
        b.append("  replay: mvn -pl stream-simulation test -Dtest=SimulationTest -Dsim.replay=\"")
                .append(r.scenario()).append("\"\n");
        b.append(r.trace());
        return b.toString();
    }
}
