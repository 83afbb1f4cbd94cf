/**
 * Internals of the DynamoDB CDC adapter: attribute conversion and comparison, DynamoDB JSON, the mapping of
 * stream records to {@link io.shardwise.ddb.ChangeRecord}s. Not API: anything here may change in any release
 * without notice. Use the types of {@link io.shardwise.ddb}.
 */
package io.shardwise.ddb.internal;
