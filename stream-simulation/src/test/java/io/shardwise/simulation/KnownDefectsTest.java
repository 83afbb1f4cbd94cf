package io.shardwise.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Defects the simulation found that are not fixed yet, each replaying its (shrunk) scenario with the known
 * defects' faults let in ({@code knownDefectsOut=false}) and asserting the violation <b>still happens</b>. When a
 * fix lands, its case fails: delete the case and its exclusion in {@link KnownDefects}, so the default run covers
 * that combination again. Progress only moves one way.
 */
class KnownDefectsTest {

    /**
     * A lost response to the claim (UpdateItem applied, response lost, the SDK retries the same request): the retry's
     * condition fails on the invocation's own new lease, DynamoDbDedupStore.claim reads that as another invocation's
     * live lease and the engine reports the record FAILED ("lease held"), keeping the lease: the redelivery is
     * refused until the lease ends (up to the function timeout), and the claim that then takes the ended lease over
     * counts an unfinished attempt that never ran (ATTEMPTS_OVERCOUNTED, a record parked early). Cause:
     * {@code DynamoDbDedupStore.claim} does not recognise its own token in the condition failure's ALL_OLD item.
     * Being fixed in core/dedup (per-call write tokens); excluded by {@code KnownDefects.LOST_RESPONSE "claim"}.
     */
    @Test
    void aLostClaimResponseLeavesTheRecordBlockedByItsOwnLease() {
        Simulation.Result r = replay("seed=20261271 store=PER_RECORD payloadKey=false "
                + "failureMode=STOP_AT_FIRST_FAILURE maxConcurrency=1 parallelization=1 records=1 kpl=false "
                + "duplicates=false bisect=false maxRetries=4 batchSize=1 skewMillis=0 replay=false dynamoRate=0.24 "
                + "dynamoFaults=APPLIED_THEN_LOST_TIMEOUT processorRate=0.0 processorFaults= handler=KINESIS");
        assertThat(r.violations()).as(Runner.report(r)).containsKeys("LEASE_OWN", "LEASE_LEFT_BEHIND");
    }

    /**
     * A lost response to recordFailure without a lease (TRANSACTIONAL, position-keyed WATERMARK): its condition
     * ({@code attribute_not_exists(id) OR expiration < :now_s OR #status = :failed}) holds again when the SDK
     * retries it, so {@code ADD attempts :one} applies twice: one failed attempt is counted twice and the poison
     * record is parked after fewer runs than maxAttempts (ATTEMPTS_OVERCOUNTED). With a lease the retry's lease
     * condition fails instead and the store reports the lease lost. Cause: {@code DynamoDbDedupStore.recordFailure}
     * is not idempotent under the SDK's retry. Being fixed in core/dedup; excluded by
     * {@code KnownDefects.LOST_RESPONSE "recordFailure"}.
     */
    @Test
    void aLostRecordFailureResponseCountsOneFailedAttemptTwice() {
        Simulation.Result r = replay("seed=20261251 store=TRANSACTIONAL payloadKey=false "
                + "failureMode=ISOLATE_PARTITION_KEY maxConcurrency=1 parallelization=1 records=2 kpl=true "
                + "duplicates=true bisect=false maxRetries=3 batchSize=2 skewMillis=0 replay=false dynamoRate=0.28 "
                + "dynamoFaults=APPLIED_THEN_LOST_TIMEOUT processorRate=0.01 processorFaults=POISON "
                + "handler=KINESIS");
        assertThat(r.violations()).as(Runner.report(r)).containsKey("ATTEMPTS_OVERCOUNTED");
    }

    private static Simulation.Result replay(String scenario) {
        return Runner.run(Scenario.parse(scenario + " knownDefectsOut=false"));
    }
}
