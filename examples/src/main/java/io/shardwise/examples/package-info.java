/**
 * Two consumers written as a user of shardwise would write them, each a Lambda handler deployable as is (see
 * {@code infra/template.yaml}):
 * <ul>
 *   <li>{@link io.shardwise.examples.ordertotals.OrderTotalsHandler}: order events from Kinesis, per-customer
 *       totals in DynamoDB with exactly-once effects;</li>
 *   <li>{@link io.shardwise.examples.outbox.OrderOutboxHandler}: changes of an orders table from DynamoDB Streams,
 *       published as domain events onto a Kinesis stream.</li>
 * </ul>
 * {@code io.shardwise.examples.demo.Demo} runs them locally on the embedded emulators.
 */
package io.shardwise.examples;
