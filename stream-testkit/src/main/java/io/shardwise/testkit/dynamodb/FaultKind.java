package io.shardwise.testkit.dynamodb;

/**
 * What a {@link FaultRule} does to a request it fires on. The kinds model where real calls to DynamoDB fail.
 */
public enum FaultKind {
    /** The request is delayed by the rule's latency (through the engine's {@link Sleeper}), then handled. */
    LATENCY,
    /**
     * The request is refused unapplied with a throttling error: {@code ProvisionedThroughputExceededException} or
     * {@code ThrottlingException} (HTTP 400), which the SDK retries with backoff.
     */
    THROTTLE,
    /** The request is refused unapplied with {@code InternalServerError} (HTTP 500), which the SDK retries. */
    INTERNAL_ERROR,
    /**
     * The request is applied, then its response is lost: the caller sees a 500 or an I/O timeout (see {@link
     * FaultRule.Builder#lostAs}), so the SDK retries a request that already took effect.
     */
    APPLIED_THEN_LOST,
    /** The request is not applied and the caller sees an I/O timeout, which the SDK retries. */
    TIMEOUT_NOT_APPLIED,
    /**
     * The endpoint is down: over HTTP, connections are refused (the port stops listening while a rule of this kind
     * with no operation, table or key filter is registered; a filtered one aborts the matching connections); in
     * process, the client's HTTP layer throws a {@link java.net.ConnectException}. Removing the rule brings it back.
     */
    ENDPOINT_DOWN
}
