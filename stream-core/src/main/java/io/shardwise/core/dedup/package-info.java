/**
 * Dedup markers: which records' effects have happened. Users pick a {@link io.shardwise.core.dedup.DedupMode} and a
 * store: {@link io.shardwise.core.dedup.DynamoDbDedupStore} in production, {@link
 * io.shardwise.core.dedup.InMemoryDedupStore} in tests; {@link io.shardwise.core.dedup.RequestCounter} measures
 * what a mode costs in DynamoDB calls. The engine talks to stores through the
 * {@link io.shardwise.core.dedup.DedupStore} SPI, whose Javadoc states every condition both stores apply.
 * Package-private classes here are implementation details shared by the two stores.
 */
package io.shardwise.core.dedup;
