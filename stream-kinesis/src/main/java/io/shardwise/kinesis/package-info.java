/**
 * The Kinesis Data Streams adapter: {@link io.shardwise.kinesis.KinesisBatchHandler} turns a Lambda
 * {@code KinesisEvent} into ordered, typed records for a {@link io.shardwise.core.RecordProcessor} (with KPL
 * de-aggregation) and returns the partial batch response; {@link io.shardwise.kinesis.KinesisWindowHandler} does
 * the same for tumbling windows, carrying a typed state; {@link io.shardwise.kinesis.KinesisDecoders} supplies the
 * payload decoders. Everything else lives in {@code io.shardwise.kinesis.internal}, which is not API.
 */
package io.shardwise.kinesis;
