/**
 * The ordered batch engine: what users subclass ({@link io.shardwise.core.RecordProcessor}), what they receive
 * ({@link io.shardwise.core.StreamRecord}, {@link io.shardwise.core.RecordContext}), how they configure it
 * ({@link io.shardwise.core.ProcessingConfig}), and what it returns ({@link io.shardwise.core.BatchResult}).
 * Nothing here knows the Kinesis or DynamoDB Streams event classes; the adapter modules translate them.
 */
package io.shardwise.core;
