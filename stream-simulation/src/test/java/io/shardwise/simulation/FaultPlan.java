package io.shardwise.simulation;

import io.shardwise.testkit.dynamodb.FaultKind;
import java.util.List;

/** Which faults a schedule may inject, and how often. */
interface FaultPlan {

    /** The faults a DynamoDB request can get (applied-then-lost in both of its shapes). */
    enum DynamoFault {
        THROTTLE(FaultKind.THROTTLE, false),
        INTERNAL_ERROR(FaultKind.INTERNAL_ERROR, false),
        TIMEOUT_NOT_APPLIED(FaultKind.TIMEOUT_NOT_APPLIED, false),
        APPLIED_THEN_LOST_500(FaultKind.APPLIED_THEN_LOST, false),
        APPLIED_THEN_LOST_TIMEOUT(FaultKind.APPLIED_THEN_LOST, true),
        ENDPOINT_DOWN(FaultKind.ENDPOINT_DOWN, false),
        LATENCY(FaultKind.LATENCY, false);

        private final FaultKind kind;
        private final boolean lostAsTimeout;

        DynamoFault(FaultKind kind, boolean lostAsTimeout) {
            this.kind = kind;
            this.lostAsTimeout = lostAsTimeout;
        }

        FaultKind kind() {
            return kind;
        }

        boolean lostAsTimeout() {
            return lostAsTimeout;
        }

        String label() {
            return name();
        }
    }

    /** What the processor (or the sink) can do instead of succeeding. */
    enum ProcessorFault {
        /** Throws a retryable exception before any effect. */
        THROW_RETRYABLE,
        /** Throws a NonRetryableException before any effect: parked at once. */
        THROW_NON_RETRYABLE,
        /** Sleeps past the invocation's deadline before its effect (Lambda times the invocation out). */
        HANG_BEFORE_EFFECT,
        /** Does its effect, then sleeps past the deadline. */
        HANG_AFTER_EFFECT,
        /** Does its effect, then the runtime crashes: nothing more runs in that invocation. */
        CRASH_AFTER_EFFECT,
        /** A poison record: every attempt throws (retryable). */
        POISON,
        /** The failure sink throws instead of accepting the parked record. */
        SINK_FAILS
    }

    double dynamoFaultRate();

    List<DynamoFault> dynamoFaultKinds();
}
