package io.shardwise.kinesis.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The long profile of {@link KinesisFaultInjectionProperties}: the same scenarios and invariants for many seeds
 * in a row (in-memory store). Not part of the normal build (the class name matches neither surefire pattern, and
 * each test needs its system property). Run it with:
 *
 * <pre>
 * mvn -B -ntp -o -q install -DskipTests -pl stream-testkit,stream-core,stream-kinesis,stream-ddb-cdc
 * mvn -B -ntp -o test -pl stream-kinesis -Dtest=KinesisFaultInjectionLongRun \
 *     -Dshardwise.reliability.tries=10000 [-Dshardwise.reliability.firstSeed=0]
 * </pre>
 *
 * Seeds {@code firstSeed .. firstSeed + tries - 1} are run; every failing seed is reported with its full run
 * report, and can be replayed alone with {@code -Dshardwise.reliability.seed=N} (same command, that property
 * instead of {@code tries}). Runs with a "retry races a timed-out invocation" or concurrent slots depend on thread
 * timing, so a replay may take another path.
 */
class KinesisFaultInjectionLongRun {

    @BeforeAll
    static void quiet() {
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(Level.OFF);
    }

    @AfterAll
    static void restore() {
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(null);
    }

    @Test
    @EnabledIfSystemProperty(named = "shardwise.reliability.tries", matches = "\\d+")
    void manySeeds() {
        int tries = Integer.getInteger("shardwise.reliability.tries");
        long first = Long.getLong("shardwise.reliability.firstSeed", 0L);
        List<String> failures = new ArrayList<>();
        Map<Scenario.Store, Integer> perStore = new EnumMap<>(Scenario.Store.class);
        long invocations = 0;
        long faults = 0;
        long started = System.nanoTime();
        for (long seed = first; seed < first + tries; seed++) {
            Scenario scenario = Scenario.generate(seed, options());
            perStore.merge(scenario.store, 1, Integer::sum);
            try (LambdaSimulation sim = LambdaSimulation.inMemory(scenario)) {
                sim.run().verify();
                invocations += sim.invocations.size();
                faults += sim.faults.total();
                if (!sim.violations().isEmpty()) {
                    failures.add("seed " + seed + ":\n" + sim.report());
                }
            } catch (RuntimeException | AssertionError e) {
                failures.add("seed " + seed + ": harness error " + e);
            }
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        System.out.printf("[reliability long profile] seeds %d..%d: %d runs, %d failing, %d invocations, %d faults "
                        + "injected, per store %s, %d s%n", first, first + tries - 1, tries, failures.size(),
                invocations, faults, perStore, seconds);
        failures.stream().limit(5).forEach(System.out::println);
        assertThat(failures).as("failing seeds (first five reports printed above)").isEmpty();
    }

    static Scenario.Options options() {
        return new Scenario.Options();
    }

    @Test
    @EnabledIfSystemProperty(named = "shardwise.reliability.seed", matches = "-?\\d+")
    void oneSeed() {
        long seed = Long.getLong("shardwise.reliability.seed");
        try (LambdaSimulation sim = LambdaSimulation.inMemory(Scenario.generate(seed, options()))) {
            sim.run().verify();
            System.out.println(sim.report());
            System.out.println(sim.ledgerDump());
            assertThat(sim.violations()).isEmpty();
        }
    }
}
