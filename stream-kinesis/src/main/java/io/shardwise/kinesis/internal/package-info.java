/**
 * Internal implementation of the Kinesis adapter: event mapping, KPL de-aggregation, decoding plumbing and window
 * state encoding. Not API: may change in any release without notice. Only the types in
 * {@code io.shardwise.kinesis} are supported.
 */
package io.shardwise.kinesis.internal;
