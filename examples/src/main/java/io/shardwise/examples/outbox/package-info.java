/**
 * The order-outbox consumer: changes of an orders table (DynamoDB Streams) published as domain events onto a
 * Kinesis stream, once per change ({@code DedupMode.PER_RECORD}, key = {@code eventID}).
 */
package io.shardwise.examples.outbox;
