/**
 * The order-totals consumer: Kinesis order events to per-customer totals in DynamoDB, exactly once
 * ({@code DedupMode.TRANSACTIONAL}, dedup key = {@code orderId}).
 */
package io.shardwise.examples.ordertotals;
