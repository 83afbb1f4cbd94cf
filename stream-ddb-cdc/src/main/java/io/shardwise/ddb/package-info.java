/**
 * DynamoDB change data capture for AWS Lambda: {@link io.shardwise.ddb.DynamoDbStreamHandler} turns DynamoDB
 * Streams events into {@link io.shardwise.ddb.ChangeRecord}s (typed old and new images through the Enhanced
 * Client's {@code TableSchema}, changed attributes, TTL deletes) processed in order by the shardwise engine;
 * {@link io.shardwise.ddb.KinesisChangeRecordDecoder} gives the same records from Kinesis Data Streams for
 * DynamoDB, and {@link io.shardwise.ddb.StaleChangeFilter} drops the out-of-order changes that path can deliver.
 *
 * <p>Everything under {@code io.shardwise.ddb.internal} is implementation, not API.
 */
package io.shardwise.ddb;
