/**
 * Test support for shardwise stream consumers.
 *
 * <p>The local emulators: {@link io.shardwise.testkit.LocalEmulators} starts one in-JVM DynamoDB engine
 * ({@link io.shardwise.testkit.EmbeddedDynamoDb}, see {@link io.shardwise.testkit.dynamodb}) and one kinesis-mock ({@link io.shardwise.testkit.KinesisMock}) per
 * JVM, on loopback-only free ports; {@link io.shardwise.testkit.LocalAwsClients} builds SDK v2 clients for any
 * local endpoint. Everything under {@code io.shardwise.testkit.internal} is implementation, not API.
 */
package io.shardwise.testkit;
