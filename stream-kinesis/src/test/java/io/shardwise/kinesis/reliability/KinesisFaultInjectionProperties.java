package io.shardwise.kinesis.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Randomized fault injection over the whole Kinesis path — {@code KinesisBatchHandler} fed {@code KinesisEvent}s
 * (built as Lambda's JSON, read with the runtime's serializer) → engine → {@code InMemoryDedupStore} → failure
 * sink — under Lambda's redelivery rules, with every fault of {@link Scenario.Fault}: processor exceptions
 * (scripted retryable, injected transient, non-retryable bad data), undecodable records and corrupt KPL
 * aggregates, crashes before/after the effect, before/after a dedup write and in the middle of a transaction,
 * store throttling and "applied then timed out" failures, sink failures and crashes around it, duplicate
 * deliveries, slow invocations that reach the deadline or time out, several slots of a shard invoked at once
 * (ParallelizationFactor 2..4), and a retry racing a timed-out invocation.
 *
 * <p>After every run ({@link LambdaSimulation#verify()}): nothing lost (every event processed or parked), each
 * response valid for Lambda and consistent with the outcomes, every {@code SKIPPED_DUPLICATE} really done before,
 * transactional mode applies each event exactly once, the other dedup modes at most once per normally-returning
 * invocation and never beyond the documented replay bound, and per partition key the first effects (and the
 * first "done") happen in stream order.
 *
 * <p>CI profile: {@value #CI_TRIES} seeds. Long profile ({@code KinesisFaultInjectionLongRun}, ≥ 10,000 seeds):
 * see that class for the command.
 */
class KinesisFaultInjectionProperties {

    static final int CI_TRIES = 300;

    @BeforeContainer
    static void quiet() {
        // Thousands of failure lines per run are expected here; the log content is asserted in LogSecurityTest.
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(Level.OFF);
    }

    @AfterContainer
    static void restore() {
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(null);
    }

    @Property(tries = CI_TRIES, shrinking = ShrinkingMode.OFF)
    void nothingLostNothingDoubledOrderKept(@ForAll long seed) {
        assertRunHolds(Scenario.generate(seed));
    }

    /** Runs one scenario on the in-memory profile and fails with the full report if an invariant broke. */
    static LambdaSimulation assertRunHolds(Scenario scenario) {
        try (LambdaSimulation sim = LambdaSimulation.inMemory(scenario)) {
            sim.run().verify();
            assertThat(sim.violations()).as(sim.report()).isEmpty();
            return sim;
        }
    }
}
