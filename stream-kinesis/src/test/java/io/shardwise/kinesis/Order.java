package io.shardwise.kinesis;

/** The payload of the test fixtures. {@code action} "fail" makes {@link RecordingProcessor} fail retryably. */
public record Order(String orderId, String customer, long amount, String action) {
}
