/**
 * A local Lambda event source mapping for Kinesis Data Streams and DynamoDB Streams: run stream consumers end to
 * end in a test, against kinesis-mock, the DynamoDB engine, LocalStack, AWS, or an {@link
 * io.shardwise.testkit.esm.InMemoryStream}.
 *
 * <p>{@link io.shardwise.testkit.esm.EventSourceMappingRunner} is the runner, configured by an {@link
 * io.shardwise.testkit.esm.EventSourceMapping} and polling a {@link io.shardwise.testkit.esm.StreamSource}; it
 * records every {@link io.shardwise.testkit.esm.Invocation}, {@link io.shardwise.testkit.esm.Checkpoint} and
 * {@link io.shardwise.testkit.esm.OnFailureRecord}. Everything under {@code io.shardwise.testkit.esm.internal} is
 * implementation, not API.
 */
package io.shardwise.testkit.esm;
