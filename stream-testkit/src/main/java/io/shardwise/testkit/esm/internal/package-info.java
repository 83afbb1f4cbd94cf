/**
 * Internal: the machinery of the local event-source-mapping runner (shard consumers, Lambda event JSON, the
 * Kinesis and DynamoDB Streams sources). Not an API: anything here may change in any release. Use
 * {@link io.shardwise.testkit.esm.EventSourceMappingRunner} and {@link io.shardwise.testkit.esm.StreamSource}.
 */
package io.shardwise.testkit.esm.internal;
