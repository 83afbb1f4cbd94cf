/**
 * An in-JVM DynamoDB + DynamoDB Streams engine for tests: {@link io.shardwise.testkit.dynamodb.DynamoDbEngine},
 * reached through the real AWS SDK v2 clients in process or over HTTP, with fault injection ({@link
 * io.shardwise.testkit.dynamodb.Faults}, {@link io.shardwise.testkit.dynamodb.FaultRule}). The expression language
 * is in {@code io.shardwise.testkit.dynamodb.expression}; everything under {@code ...dynamodb.internal} is
 * implementation.
 */
package io.shardwise.testkit.dynamodb;
