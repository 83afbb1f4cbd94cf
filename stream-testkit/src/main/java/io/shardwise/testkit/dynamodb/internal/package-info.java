/**
 * Internal: the DynamoDB + DynamoDB Streams engine behind {@link io.shardwise.testkit.dynamodb.DynamoDbEngine}.
 * Split as moto splits an emulator: {@link io.shardwise.testkit.dynamodb.internal.WireProtocol} only parses and
 * renders the {@code x-amz-json-1.0} protocol; {@link io.shardwise.testkit.dynamodb.internal.Database} and the
 * classes it uses hold tables, items and streams and apply the rules; {@link
 * io.shardwise.testkit.dynamodb.internal.AwsError} names every error code with its HTTP status. Not an API:
 * anything here may change in any release.
 */
package io.shardwise.testkit.dynamodb.internal;
