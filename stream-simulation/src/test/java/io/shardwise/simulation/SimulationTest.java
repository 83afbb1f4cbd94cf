package io.shardwise.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardwise.core.FailureMode;
import io.shardwise.core.dedup.DedupMode;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The simulation at verify size: {@code sim.schedules} schedules from {@code sim.seed} (defaults in the pom), each
 * checked against every invariant. {@code -Dsim.replay="seed=... ..."} replays one printed scenario instead.
 * See README.md.
 */
class SimulationTest {

    /** One seed, one schedule: two runs of a scenario with faults of every kind give the same trace. */
    @Test
    void aSeedReplaysTheSameTrace() {
        for (long seed = 1; seed <= 5; seed++) {
            Scenario s = Scenario.generate(seed).with("dynamoRate", "0.3")
                    .with("dynamoFaults", "THROTTLE,INTERNAL_ERROR,TIMEOUT_NOT_APPLIED,APPLIED_THEN_LOST_500,"
                            + "APPLIED_THEN_LOST_TIMEOUT,ENDPOINT_DOWN,LATENCY")
                    .with("processorRate", "0.3").with("processorFaults", "THROW_RETRYABLE,THROW_NON_RETRYABLE,"
                            + "HANG_BEFORE_EFFECT,HANG_AFTER_EFFECT,CRASH_AFTER_EFFECT,POISON,SINK_FAILS");
            Simulation.Result first = Runner.run(s);
            Simulation.Result second = Runner.run(s);
            assertThat(firstDifference(second.trace(), first.trace())).as("seed %d", seed).isEmpty();
            assertThat(second.violations()).isEqualTo(first.violations());
        }
    }

    /**
     * Key-parallel lanes are simulated threads of their own, interleaved by the baton: still one seed, one
     * schedule, whichever real thread the JVM happens to run first.
     */
    @Test
    void aSeedReplaysTheSameTraceWithKeyParallelLanes() {
        int checked = 0;
        int interleaved = 0;
        for (long seed = 1; checked < 5; seed++) {
            Scenario s = Scenario.generate(seed).with("maxConcurrency", "3").with("dynamoRate", "0.2")
                    .with("processorRate", "0.2");
            if (s.handler() == Scenario.Handler.WINDOW
                    || s.failureMode() == FailureMode.STOP_AT_FIRST_FAILURE && s.store() == null) {
                continue; // the handlers refuse key-parallel lanes there (issue 20, item 6)
            }
            Simulation.Result first = Runner.run(s);
            Simulation.Result second = Runner.run(s);
            assertThat(firstDifference(second.trace(), first.trace())).as("seed %d", seed).isEmpty();
            assertThat(second.violations()).isEqualTo(first.violations());
            interleaved += first.trace().contains("/lane2 ") ? 1 : 0; // a second lane made store requests itself
            checked++;
        }
        assertThat(interleaved).as("schedules whose lanes ran as simulated threads").isPositive();
    }

    /**
     * The engine's overrun watch runs on the simulation's timer: a hang past the deadline in a mode without a lease
     * gets its attempt counted on virtual time (an {@code attempt_overran} line), at the same point of every replay.
     */
    @Test
    void theOverrunWatchFiresOnVirtualTimeAndReplaysTheSame() {
        int fired = 0;
        for (String mode : List.of("TRANSACTIONAL", "WATERMARK", "GUARDED")) {
            for (long seed = 1; seed <= 3; seed++) {
                Scenario s = Scenario.generate(seed, DedupMode.valueOf(mode))
                        .with("handler", "KINESIS").with("payloadKey", "false").with("dynamoRate", "0")
                        .with("processorRate", "0.3").with("processorFaults", "HANG_BEFORE_EFFECT");
                Simulation.Result first = Runner.run(s);
                Simulation.Result second = Runner.run(s);
                assertThat(firstDifference(second.trace(), first.trace())).as("%s seed %d", mode, seed).isEmpty();
                assertThat(first.violations()).as(Runner.report(first)).isEmpty();
                fired += first.trace().contains("\"event\":\"attempt_overran\"") ? 1 : 0;
            }
        }
        assertThat(fired).as("schedules in which the watch counted an overrunning attempt").isPositive();
    }

    /** The first line where two traces differ, with a few lines before it; empty if they are the same. */
    private static String firstDifference(String a, String b) {
        String[] x = a.split("\n");
        String[] y = b.split("\n");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String l = i < x.length ? x[i] : "<end>";
            String r = i < y.length ? y[i] : "<end>";
            if (!l.equals(r)) {
                StringBuilder d = new StringBuilder();
                for (int k = Math.max(0, i - 8); k < i; k++) {
                    d.append("   ").append(x[k]).append('\n');
                }
                return d.append(" < ").append(l).append("\n > ").append(r).toString();
            }
        }
        return "";
    }

    /** {@code -Dsim.store=GUARDED}: every generated scenario gets that dedup mode (default: drawn per seed). */
    private static DedupMode forcedStore() {
        String store = System.getProperty("sim.store", "");
        return store.isBlank() ? null : DedupMode.valueOf(store);
    }

    /**
     * What GUARDED refuses when the handler is built is never generated, and is refused indeed (so leaving it out
     * skips nothing the handlers would run): a payload-derived dedup key, DynamoDbStreamHandler, a window handler
     * with a dedup store.
     */
    @Test
    void guardedRefusalsAreNotGeneratedAndAreRefused() {
        int guarded = 0;
        for (long seed = 1; seed <= 400; seed++) {
            Scenario s = Scenario.generate(seed);
            if (s.store() == DedupMode.GUARDED) {
                guarded++;
                assertThat(s.payloadKey()).as("seed %d", seed).isFalse();
                assertThat(s.handler()).as("seed %d", seed).isEqualTo(Scenario.Handler.KINESIS);
            }
        }
        assertThat(guarded).as("GUARDED schedules among 400 seeds").isBetween(40, 160);
        Scenario guardedKinesis = Scenario.generate(3, DedupMode.GUARDED).with("handler", "KINESIS");
        assertThat(Runner.run(guardedKinesis.with("payloadKey", "true")).refused()).isTrue();
        assertThat(Runner.run(guardedKinesis.with("handler", "WINDOW").with("maxConcurrency", "1")
                .with("failureMode", "STOP_AT_FIRST_FAILURE")).refused()).isTrue();
        assertThat(Runner.run(guardedKinesis.with("handler", "DYNAMODB").with("kpl", "false")).trace())
                .as("DynamoDbStreamHandler refuses GUARDED: its events name no shard")
                .startsWith("refused: ").contains("DedupMode.GUARDED").contains("do not say which shard");
        assertThat(Runner.run(guardedKinesis.with("dynamoRate", "0").with("processorRate", "0")).refused())
                .isFalse();
    }

    /**
     * GUARDED schedules fault the guarded write itself: its lost responses (the SDK retries the applied write) and
     * a crash right after it applied, and still apply each record's write once.
     */
    @Test
    void guardedSchedulesFaultTheGuardedWriteItself() {
        int lostOnGuardedWrite = 0;
        int crashedAfterIt = 0;
        for (long seed = 1; seed <= 12 && (lostOnGuardedWrite == 0 || crashedAfterIt == 0); seed++) {
            Scenario s = Scenario.generate(seed, DedupMode.GUARDED).with("records", "6").with("dynamoRate", "0.3")
                    .with("dynamoFaults", "APPLIED_THEN_LOST_500,APPLIED_THEN_LOST_TIMEOUT")
                    .with("processorRate", "0.3").with("processorFaults", "CRASH_AFTER_EFFECT");
            Simulation.Result r = Runner.run(s);
            assertThat(r.violations()).as(Runner.report(r)).isEmpty();
            lostOnGuardedWrite += r.trace().lines().filter(l -> l.contains("(guardedWrite)")
                    && l.contains("APPLIED_THEN_LOST")).count();
            crashedAfterIt += r.faults().getOrDefault(Simulation.CRASH_AFTER_GUARDED_WRITE, 0);
        }
        assertThat(lostOnGuardedWrite).as("lost responses of guarded writes").isPositive();
        assertThat(crashedAfterIt).as("crashes right after a guarded write applied").isPositive();
    }

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
                !"false".equals(System.getProperty("sim.shrink")), forcedStore());
        System.out.println("simulation: seed " + seed + ", " + sum.text());
        StringBuilder failures = new StringBuilder();
        for (Simulation.Result r : sum.failures) {
            failures.append(Runner.report(r)).append('\n');
        }
        assertThat(sum.failures).as(failures.toString()).isEmpty();
    }
}
