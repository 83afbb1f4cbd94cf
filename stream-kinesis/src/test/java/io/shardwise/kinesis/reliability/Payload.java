package io.shardwise.kinesis.reliability;

/**
 * What the simulated producers write: a JSON object naming the logical event. {@code eventId} is the same in a
 * producer-side duplicate (a second stream record with a new sequence number); {@code secret} stands for personal
 * data that must never appear in logs.
 */
record Payload(String eventId, String key, int n, String secret) {
}
