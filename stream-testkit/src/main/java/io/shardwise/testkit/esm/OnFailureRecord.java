package io.shardwise.testkit.esm;

import java.time.Instant;

/**
 * The metadata message Lambda sends to an SQS/SNS on-failure destination of a stream event source mapping, as
 * fields and as its JSON body ({@link #json()}):
 *
 * <pre>{@code
 * {"requestContext":{"requestId":"…","functionArn":"…","condition":"RetryAttemptsExhausted","approximateInvokeCount":3},
 *  "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
 *  "version":"1.0","timestamp":"2024-01-01T00:00:00.000Z",
 *  "KinesisBatchInfo":{"shardId":"…","startSequenceNumber":"…","endSequenceNumber":"…",
 *    "approximateArrivalOfFirstRecord":"…","approximateArrivalOfLastRecord":"…","batchSize":2,"streamArn":"…"}}
 * }</pre>
 *
 * <p>DynamoDB Streams mappings send {@code DDBStreamBatchInfo} instead of {@code KinesisBatchInfo}, with arrival
 * times in whole seconds. {@code condition} is {@link #RETRY_ATTEMPTS_EXHAUSTED} or {@link #RECORD_AGE_EXCEEDED}
 * (the latter is not in AWS's documentation; it is the value AWS sends, as LocalStack's AWS-validated snapshots
 * record). As in those snapshots ({@code tests/aws/services/lambda_/event_source_mapping/
 * test_lambda_integration_kinesis.snapshot.json} and {@code …dynamodbstreams.snapshot.json}):
 * <ul>
 *   <li>{@code functionError} is {@code "Unhandled"} when the last invocation threw or timed out, and
 *       {@code null} (present, as JSON null) when the function returned normally: a partial batch response, even
 *       one Lambda reads as a whole-batch failure (empty or null {@code itemIdentifier});</li>
 *   <li>a {@code RecordAgeExceeded} message has no {@code responseContext} at all (so {@link #functionError()}
 *       is null), whether or not the records were invoked before they expired;</li>
 *   <li>{@code approximateInvokeCount} is at least 1, also for records that expired before any invocation.</li>
 * </ul>
 *
 * @param condition why the records were discarded
 * @param requestId the request id of the last invocation of these records (a fresh one if there was none)
 * @param functionArn the function's ARN
 * @param approximateInvokeCount how many times the batch was invoked, at least 1
 * @param functionError {@code Unhandled}, or null (a normal return, or a {@code RecordAgeExceeded} message)
 * @param timestamp when the runner discarded the records
 * @param sourceType whether this is a Kinesis or a DynamoDB Streams batch
 * @param shardId the shard
 * @param startSequenceNumber the first discarded record's sequence number
 * @param endSequenceNumber the last discarded record's sequence number
 * @param approximateArrivalOfFirstRecord the first record's arrival time
 * @param approximateArrivalOfLastRecord the last record's arrival time
 * @param batchSize how many records were discarded
 * @param streamArn the stream's ARN
 * @param json the exact message body
 */
public record OnFailureRecord(
        String condition,
        String requestId,
        String functionArn,
        int approximateInvokeCount,
        String functionError,
        Instant timestamp,
        StreamSource.Type sourceType,
        String shardId,
        String startSequenceNumber,
        String endSequenceNumber,
        Instant approximateArrivalOfFirstRecord,
        Instant approximateArrivalOfLastRecord,
        int batchSize,
        String streamArn,
        String json) {

    /** The condition when {@code MaximumRetryAttempts} ran out. */
    public static final String RETRY_ATTEMPTS_EXHAUSTED = "RetryAttemptsExhausted";

    /** The condition when records exceeded {@code MaximumRecordAgeInSeconds}. */
    public static final String RECORD_AGE_EXCEEDED = "RecordAgeExceeded";
}
