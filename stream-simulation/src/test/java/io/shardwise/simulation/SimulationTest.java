package io.shardwise.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The simulation at verify size: {@code sim.schedules} schedules from {@code sim.seed} (defaults in the pom), each
 * checked against every invariant. {@code -Dsim.replay="seed=... ..."} replays one printed scenario instead.
 * See README.md.
 */
class SimulationTest {

    @Test
    void everyScheduleKeepsEveryInvariant() {
        String replay = System.getProperty("sim.replay");
        if (replay != null && !replay.isBlank()) {
            Simulation.Result r = Runner.run(Scenario.parse(replay));
            System.out.println(r.ok() ? "no violation: " + r.scenario() + "\n" + r.trace() : Runner.report(r));
            assertThat(r.violations()).isEmpty();
            return;
        }
        long seed = Long.getLong("sim.seed", 20261207L);
        int count = Integer.getInteger("sim.schedules", 300);
        Runner.Summary sum = Runner.runMany(seed, count, Long.MAX_VALUE, KnownDefects::excluded,
                !"false".equals(System.getProperty("sim.shrink")));
        System.out.println("simulation: seed " + seed + ", " + sum.text());
        StringBuilder failures = new StringBuilder();
        for (Simulation.Result r : sum.failures) {
            failures.append(Runner.report(r)).append('\n');
        }
        assertThat(sum.failures).as(failures.toString()).isEmpty();
    }
}
