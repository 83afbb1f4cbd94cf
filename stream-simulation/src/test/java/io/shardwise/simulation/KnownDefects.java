package io.shardwise.simulation;

/**
 * The exact fault/mode combinations of defects found and not yet fixed, each pinned by a case that asserts it still
 * happens. The default run leaves out only these combinations (counted as refused); when a defect is fixed its case
 * fails, its exclusion here is removed and the case moves to {@link FoundDefectsTest}, asserting it no longer
 * happens. None is open today.
 */
final class KnownDefects {
    private KnownDefects() {}

    /** Whether the default run leaves {@code s} out. */
    static boolean excluded(Scenario s) {
        return false;
    }

    /** Whether the default run may inject fault {@code f} into a dedup-store request for {@code purpose}. */
    static boolean allowed(String purpose, FaultPlan.DynamoFault f) {
        boolean lost = f == FaultPlan.DynamoFault.APPLIED_THEN_LOST_500
                || f == FaultPlan.DynamoFault.APPLIED_THEN_LOST_TIMEOUT;
        return !(lost && LOST_RESPONSE.contains(purpose));
    }

    /** Store requests whose applied-then-lost response, retried by the SDK, breaks an invariant (see below). */
    static final java.util.Set<String> LOST_RESPONSE = java.util.Arrays.stream(
            System.getProperty("sim.knownLost", "").split(",")).filter(p -> !p.isEmpty())
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
}
