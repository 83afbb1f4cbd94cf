package io.shardwise.tools.recover;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigInteger;

/**
 * The metadata message Lambda sends to an SQS or SNS on-failure destination of a stream event source mapping when
 * it gives up on a batch ({@code MaximumRetryAttempts} or {@code MaximumRecordAgeInSeconds} ran out): not the
 * records, only where they are.
 *
 * <pre>{@code
 * {"requestContext":{"requestId":"…","functionArn":"…","condition":"RetryAttemptsExhausted",
 *   "approximateInvokeCount":3},
 *  "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
 *  "version":"1.0","timestamp":"2024-01-01T00:00:00.000Z",
 *  "KinesisBatchInfo":{"shardId":"…","startSequenceNumber":"…","endSequenceNumber":"…",
 *    "approximateArrivalOfFirstRecord":"…","approximateArrivalOfLastRecord":"…","batchSize":2,"streamArn":"…"}}
 * }</pre>
 * DynamoDB Streams mappings send {@code DDBStreamBatchInfo} with the same fields. A {@code RecordAgeExceeded}
 * message has no {@code responseContext}. Delivered through SNS to SQS without raw message delivery, the body is an
 * SNS notification whose {@code Message} is this JSON; both are read.
 *
 * @param type                   whose batch it was
 * @param condition              {@code RetryAttemptsExhausted} or {@code RecordAgeExceeded}
 * @param functionArn            the function that gave up
 * @param approximateInvokeCount how many times the batch was invoked
 * @param timestamp              when Lambda gave up (as sent)
 * @param streamArn              the stream
 * @param shardId                the shard
 * @param startSequenceNumber    the batch's first record
 * @param endSequenceNumber      the batch's last record
 * @param batchSize              how many records the batch held
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html">Kinesis
 *      on-failure destinations</a>
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html">DynamoDB Streams
 *      on-failure destinations</a>
 */
public record OnFailureMessage(Type type, String condition, String functionArn, int approximateInvokeCount,
                               String timestamp, String streamArn, String shardId, String startSequenceNumber,
                               String endSequenceNumber, int batchSize) {

    /** The two stream services. */
    public enum Type {
        KINESIS, DYNAMODB
    }

    private static final JsonMapper MAPPER = new JsonMapper();

    /**
     * Reads a message body.
     *
     * @throws IllegalArgumentException saying what is missing when it is not an on-failure message
     */
    public static OnFailureMessage parse(String body) {
        JsonNode node = json(body);
        if (node.path("Type").asText("").equals("Notification") && node.path("Message").isTextual()) {
            node = json(node.get("Message").asText()); // SNS to SQS without raw message delivery
        }
        Type type;
        JsonNode info;
        if (node.hasNonNull("KinesisBatchInfo")) {
            type = Type.KINESIS;
            info = node.get("KinesisBatchInfo");
        } else if (node.hasNonNull("DDBStreamBatchInfo")) {
            type = Type.DYNAMODB;
            info = node.get("DDBStreamBatchInfo");
        } else {
            throw new IllegalArgumentException("not a Lambda on-failure message: it has neither KinesisBatchInfo "
                    + "nor DDBStreamBatchInfo");
        }
        JsonNode request = node.path("requestContext");
        OnFailureMessage m = new OnFailureMessage(type, request.path("condition").asText(null),
                request.path("functionArn").asText(null), request.path("approximateInvokeCount").asInt(0),
                node.path("timestamp").asText(null), required(info, "streamArn"), required(info, "shardId"),
                required(info, "startSequenceNumber"), required(info, "endSequenceNumber"),
                info.path("batchSize").asInt(0));
        if (m.start().compareTo(m.end()) > 0) {
            throw new IllegalArgumentException("not a valid on-failure message: startSequenceNumber "
                    + m.startSequenceNumber() + " is after endSequenceNumber " + m.endSequenceNumber());
        }
        return m;
    }

    /** The first sequence number as a number. */
    public BigInteger start() {
        return new BigInteger(startSequenceNumber);
    }

    /** The last sequence number as a number. */
    public BigInteger end() {
        return new BigInteger(endSequenceNumber);
    }

    /** Identifies the range for journals and file names: stream, shard, first and last sequence number. */
    public String rangeKey() {
        return streamArn + "/" + shardId + "/" + startSequenceNumber + "-" + endSequenceNumber;
    }

    /** The region in the stream's ARN ({@code arn:aws:kinesis:REGION:…}), or null. */
    public String region() {
        String[] parts = streamArn.split(":", 6);
        return parts.length > 3 && !parts[3].isEmpty() ? parts[3] : null;
    }

    /** The ARN's resource ({@code stream/orders}, {@code table/T/stream/LABEL}). */
    public String resource() {
        String[] parts = streamArn.split(":", 6);
        return parts.length == 6 ? parts[5] : streamArn;
    }

    /** For people: which shard, which sequence numbers, how many records. */
    public String describe() {
        return (type == Type.KINESIS ? "Kinesis" : "DynamoDB Streams") + " " + streamArn + " shard " + shardId
                + ", sequence numbers " + startSequenceNumber + " to " + endSequenceNumber + " (batch of "
                + batchSize + ", " + condition + ")";
    }

    private static JsonNode json(String body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("not a Lambda on-failure message: not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a Lambda on-failure message: not JSON ("
                    + e.getOriginalMessage() + ")", e);
        }
    }

    private static String required(JsonNode info, String field) {
        JsonNode v = info.get(field);
        if (v == null || v.isNull() || v.asText().isEmpty()) {
            throw new IllegalArgumentException("not a valid on-failure message: the batch info has no " + field);
        }
        String text = v.asText();
        if (field.endsWith("SequenceNumber") && !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a valid on-failure message: " + field + " is not a number: "
                    + text);
        }
        return text;
    }
}
