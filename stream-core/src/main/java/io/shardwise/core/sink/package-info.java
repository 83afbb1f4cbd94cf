/**
 * Failure sinks: where the engine parks poison records with their full payload (SPEC §5), and the parked-record
 * format ({@link io.shardwise.core.sink.ParkedRecordJson}, {@link io.shardwise.core.sink.ParkedObjectKeys}) that the
 * replay tool reads back.
 *
 * <p>A {@link io.shardwise.core.sink.FailureSink} receives a {@link io.shardwise.core.sink.ParkedRecord}; the
 * built-in ones write it as JSON (field names as the record's components, instants ISO-8601, payload base64) to
 * SQS ({@link io.shardwise.core.sink.SqsFailureSink}), S3 ({@link io.shardwise.core.sink.S3FailureSink}) or a
 * Kinesis stream ({@link io.shardwise.core.sink.KinesisFailureSink}), and throw
 * {@link io.shardwise.core.sink.ParkingException} when the destination did not accept it, so the record stays
 * {@code FAILED} and nothing is lost. The stream-tools module's command line ({@code replay-parked},
 * {@code inspect}) reads SQS or S3 back; stream-core itself contains no command-line code.
 *
 * <p>The AWS SDK modules for SQS, S3 and Kinesis are optional dependencies of stream-core: add the ones whose
 * sink you use. Every client is passed in by the caller; nothing here builds a default client.
 */
package io.shardwise.core.sink;
