/**
 * Internal implementation of the engine. Not API: may change in any release without notice. Only the types in
 * {@code io.shardwise.core}, {@code io.shardwise.core.dedup} and {@code io.shardwise.core.sink} are supported.
 */
package io.shardwise.core.internal;
