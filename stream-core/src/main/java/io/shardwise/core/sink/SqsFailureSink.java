package io.shardwise.core.sink;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Parks each record as one SQS message ({@code SendMessage}) whose body is the record's JSON (see
 * {@link ParkedRecord}; instants ISO-8601, payload base64) and whose message attributes repeat the shard,
 * sequence numbers, error class, consumer and attempts, so a queue can be inspected and filtered without
 * parsing bodies.
 *
 * <pre>{@code
 * FailureSink sink = SqsFailureSink.builder()
 *         .client(sqs)
 *         .queueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/orders-parked")
 *         .spillToS3(s3, "orders-parked-large", "spill")   // optional, for records over the SQS limit
 *         .build();
 * }</pre>
 *
 * <p><b>Size.</b> SQS counts the body plus every attribute's name, type and value against the queue's maximum
 * message size. A record whose message would exceed {@link Builder#maxMessageBytes(int)} (default
 * {@value #DEFAULT_MAX_MESSAGE_BYTES} bytes, the limit every queue accepts) is never truncated: with
 * {@link Builder#spillToS3 S3 spill} configured, the full JSON is written to S3 first (key
 * {@code prefix/consumer/shardId/sequenceNumber[-subSequenceNumber].json}) and the message carries every field
 * but the payload plus {@code "spilledTo": {"bucket", "key", "sizeBytes"}}; attribute
 * {@value #ATTR_PAYLOAD} says {@code s3} instead of {@code inline}. In the rare case that the pointer message
 * itself is too large (an enormous error message), its {@code errorMessage} is shortened; the S3 object keeps
 * it whole. Without spill, {@link #park} throws {@link ParkingException} and sends nothing.
 *
 * <p><b>FIFO queues</b> (URL ending in {@code .fifo}): {@code MessageGroupId} is the shard id, so a shard's
 * parked records stay in order, and {@code MessageDeduplicationId} is a SHA-256 of consumer, source ARN,
 * shard, sequence and sub-sequence number, so parking the same record twice within SQS's five-minute
 * deduplication window enqueues it once. Standard queues may hold a record twice after a retried park; the
 * replay tool (stream-tools, {@code replay-parked}) replays such duplicates once.
 *
 * <p><b>Errors.</b> {@link #park} returns only after SQS (and S3, when spilling) accepted the record. Otherwise
 * it throws {@link ParkingException} naming the record and the queue, with the SDK exception as cause; the
 * engine then keeps the record {@code FAILED}. A spilled S3 object whose pointer message then failed stays in
 * S3 and is overwritten by the next attempt (same key).
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe; the clients are the caller's (thread-safe SDK clients),
 * used but never closed.
 */
public final class SqsFailureSink implements FailureSink {

    /** SQS's classic maximum message size, 256 KiB: body plus message attributes. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 262_144;
    /** The largest message SQS accepts on a queue configured for it (1 MiB). */
    public static final int LARGEST_MAX_MESSAGE_BYTES = 1_048_576;

    /** String attribute: the record's shard id. */
    public static final String ATTR_SHARD_ID = "shardwise.shardId";
    /** String attribute: the record's (outer) sequence number. */
    public static final String ATTR_SEQUENCE_NUMBER = "shardwise.sequenceNumber";
    /** Number attribute, present for KPL sub-records only: the sub-sequence number. */
    public static final String ATTR_SUB_SEQUENCE_NUMBER = "shardwise.subSequenceNumber";
    /** String attribute, when known: the failure's exception class. */
    public static final String ATTR_ERROR_CLASS = "shardwise.errorClass";
    /** String attribute, when known: the consumer that parked the record. */
    public static final String ATTR_CONSUMER_NAME = "shardwise.consumerName";
    /** Number attribute: attempts made. */
    public static final String ATTR_ATTEMPTS = "shardwise.attempts";
    /** String attribute: {@code inline} (payload in the body) or {@code s3} (body is a spill pointer). */
    public static final String ATTR_PAYLOAD = "shardwise.payload";

    static final String PAYLOAD_INLINE = "inline";
    static final String PAYLOAD_S3 = "s3";

    /** Kept for the error message in a pointer message that would not fit otherwise. */
    private static final int SHORTENED_ERROR_MESSAGE_CHARS = 2_000;

    private final SqsClient client;
    private final String queueUrl;
    private final boolean fifo;
    private final S3ParkedObjects spill;
    private final int maxMessageBytes;

    private SqsFailureSink(Builder b) {
        this.client = b.client;
        this.queueUrl = b.queueUrl;
        this.fifo = isFifo(b.queueUrl);
        this.spill = b.spillClient == null ? null : new S3ParkedObjects(b.spillClient, b.spillBucket, b.spillPrefix);
        this.maxMessageBytes = b.maxMessageBytes;
    }

    /** A builder; {@link Builder#client} and {@link Builder#queueUrl} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sends the record as one message, spilling it to S3 first when it is too large (see the class comment).
     *
     * @throws ParkingException if the record is too large and no S3 spill is configured (nothing is sent), or
     *                          SQS or S3 did not accept it
     */
    @Override
    public void park(ParkedRecord record) {
        Objects.requireNonNull(record, "record");
        byte[] json = ParkedRecordJson.toJsonBytes(record);
        Map<String, MessageAttributeValue> attributes = attributes(record, PAYLOAD_INLINE);
        long size = json.length + attributesSize(attributes);
        if (size <= maxMessageBytes) {
            send(record, new String(json, StandardCharsets.US_ASCII), attributes);
            return;
        }
        if (spill == null) {
            throw new ParkingException("Parked record (" + record.describe() + ") needs a " + size
                    + "-byte SQS message, over the " + maxMessageBytes + "-byte limit of queue " + queueUrl
                    + "; nothing was sent and the record stays FAILED. Configure S3 spill "
                    + "(SqsFailureSink.builder().spillToS3(s3Client, bucket, keyPrefix)) so large records go to S3 "
                    + "with a pointer message, or park to an S3FailureSink.");
        }
        ParkedRecordJson.SpillPointer pointer;
        try {
            pointer = spill.put(record, json);
        } catch (SdkException e) {
            throw new ParkingException("S3 spill " + spill.describe() + " did not accept parked record ("
                    + record.describe() + ", " + json.length + " bytes of JSON, too large for SQS queue " + queueUrl
                    + "): " + e.getMessage() + ". The record stays FAILED and will be redelivered.", e);
        }
        Map<String, MessageAttributeValue> pointerAttributes = attributes(record, PAYLOAD_S3);
        String body = ParkedRecordJson.toPointerJson(record, pointer);
        if (body.length() + attributesSize(pointerAttributes) > maxMessageBytes && record.errorMessage() != null) {
            body = ParkedRecordJson.toPointerJson(withShortenedErrorMessage(record, pointer), pointer);
        }
        long pointerSize = body.length() + attributesSize(pointerAttributes);
        if (pointerSize > maxMessageBytes) {
            throw new ParkingException("Parked record (" + record.describe() + ") was spilled to s3://"
                    + pointer.bucket() + "/" + pointer.key() + " but even its pointer message needs " + pointerSize
                    + " bytes, over the " + maxMessageBytes + "-byte limit of queue " + queueUrl
                    + "; check the record's partition key, error class and consumer name sizes.");
        }
        send(record, body, pointerAttributes);
    }

    /** The queue URL. */
    public String queueUrl() {
        return queueUrl;
    }

    /** Whether the queue is FIFO (its URL ends in {@code .fifo}). */
    public boolean isFifo() {
        return fifo;
    }

    private void send(ParkedRecord record, String body, Map<String, MessageAttributeValue> attributes) {
        SendMessageRequest.Builder request = SendMessageRequest.builder()
                .queueUrl(queueUrl)
                .messageBody(body)
                .messageAttributes(attributes);
        if (fifo) {
            request.messageGroupId(record.shardId()).messageDeduplicationId(deduplicationId(record));
        }
        try {
            client.sendMessage(request.build());
        } catch (SdkException e) {
            throw new ParkingException("SQS queue " + queueUrl + " did not accept parked record ("
                    + record.describe() + "): " + e.getMessage()
                    + ". The record stays FAILED and will be redelivered.", e);
        }
    }

    static Map<String, MessageAttributeValue> attributes(ParkedRecord r, String payload) {
        Map<String, MessageAttributeValue> a = new LinkedHashMap<>();
        a.put(ATTR_SHARD_ID, string(r.shardId()));
        a.put(ATTR_SEQUENCE_NUMBER, string(r.sequenceNumber()));
        if (r.subSequenceNumber() >= 0) {
            a.put(ATTR_SUB_SEQUENCE_NUMBER, number(r.subSequenceNumber()));
        }
        // SQS rejects empty attribute values: leave out what is unknown.
        if (r.errorClass() != null && !r.errorClass().isEmpty()) {
            a.put(ATTR_ERROR_CLASS, string(r.errorClass()));
        }
        if (r.consumerName() != null && !r.consumerName().isEmpty()) {
            a.put(ATTR_CONSUMER_NAME, string(r.consumerName()));
        }
        a.put(ATTR_ATTEMPTS, number(r.attempts()));
        a.put(ATTR_PAYLOAD, string(payload));
        return a;
    }

    /**
     * What SQS counts for attributes: each name, data type and value, in UTF-8 bytes.
     * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
     */
    static long attributesSize(Map<String, MessageAttributeValue> attributes) {
        long size = 0;
        for (Map.Entry<String, MessageAttributeValue> e : attributes.entrySet()) {
            size += utf8Length(e.getKey()) + utf8Length(e.getValue().dataType())
                    + utf8Length(e.getValue().stringValue());
        }
        return size;
    }

    /**
     * A FIFO deduplication id: SHA-256 (hex, 64 characters) over consumer, source ARN, shard, sequence and
     * sub-sequence number, so the same parked record always gets the same id.
     */
    static String deduplicationId(ParkedRecord r) {
        String identity = String.join("\u0000", String.valueOf(r.consumerName()), String.valueOf(r.sourceArn()),
                r.shardId(), r.sequenceNumber(), Long.toString(r.subSequenceNumber()));
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(identity.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Whether {@code queueUrl} names a FIFO queue (its name ends in {@code .fifo}). */
    public static boolean isFifo(String queueUrl) {
        String url = queueUrl.endsWith("/") ? queueUrl.substring(0, queueUrl.length() - 1) : queueUrl;
        return url.endsWith(".fifo");
    }

    private static ParkedRecord withShortenedErrorMessage(ParkedRecord r, ParkedRecordJson.SpillPointer pointer) {
        String message = r.errorMessage();
        String shortened = message.substring(0, Math.min(message.length(), SHORTENED_ERROR_MESSAGE_CHARS))
                + " [shortened from " + message.length() + " characters; the full record, error message included, is"
                + " in s3://" + pointer.bucket() + "/" + pointer.key() + "]";
        return new ParkedRecord(r.consumerName(), r.sourceArn(), r.shardId(), r.sequenceNumber(),
                r.subSequenceNumber(), r.partitionKey(), r.approximateArrivalTime(), r.eventId(), r.payloadBase64(),
                r.errorClass(), shortened, r.attempts(), r.parkedAt(), r.dedupId(), r.explicitHashKey());
    }

    private static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static MessageAttributeValue number(long value) {
        return MessageAttributeValue.builder().dataType("Number").stringValue(Long.toString(value)).build();
    }

    private static long utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return "SqsFailureSink[queue=" + queueUrl + (fifo ? ", fifo" : "")
                + (spill == null ? "" : ", spill=" + spill.describe()) + ", maxMessageBytes=" + maxMessageBytes + "]";
    }

    /** Builds an {@link SqsFailureSink}. Not thread-safe; {@link #build()} validates. */
    public static final class Builder {
        private SqsClient client;
        private String queueUrl;
        private S3Client spillClient;
        private String spillBucket;
        private String spillPrefix;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;

        private Builder() {
        }

        /** Required: the SQS client (yours: the sink uses it and never closes it). */
        public Builder client(SqsClient client) {
            this.client = client;
            return this;
        }

        /** Required: the queue's URL (as {@code GetQueueUrl} returns it); a {@code .fifo} URL means FIFO. */
        public Builder queueUrl(String queueUrl) {
            this.queueUrl = queueUrl;
            return this;
        }

        /**
         * Optional: where records too large for an SQS message go (whole, as JSON), the message then carrying a
         * pointer. Without it such a record makes {@link #park} throw.
         *
         * @param s3        the S3 client (yours; never closed by the sink)
         * @param bucket    the bucket
         * @param keyPrefix key prefix, e.g. {@code "parked-spill"}; null or empty for none
         */
        public Builder spillToS3(S3Client s3, String bucket, String keyPrefix) {
            this.spillClient = Objects.requireNonNull(s3, "spill S3 client");
            this.spillBucket = bucket;
            this.spillPrefix = keyPrefix;
            return this;
        }

        /**
         * The queue's maximum message size in bytes (body plus attributes). Default
         * {@value SqsFailureSink#DEFAULT_MAX_MESSAGE_BYTES}; raise it up to
         * {@value SqsFailureSink#LARGEST_MAX_MESSAGE_BYTES} only if the queue's {@code MaximumMessageSize}
         * attribute is set that high.
         */
        public Builder maxMessageBytes(int maxMessageBytes) {
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming what to set, when the client or queue URL is missing, the
         *                                  spill bucket is empty, or the size is out of range
         */
        public SqsFailureSink build() {
            if (client == null) {
                throw new IllegalArgumentException("SqsFailureSink needs an SqsClient: call client(sqsClient)");
            }
            if (queueUrl == null || queueUrl.isBlank()) {
                throw new IllegalArgumentException("SqsFailureSink needs the queue URL: call queueUrl(url)");
            }
            if (maxMessageBytes < 1_024 || maxMessageBytes > LARGEST_MAX_MESSAGE_BYTES) {
                throw new IllegalArgumentException("maxMessageBytes must be between 1024 and "
                        + LARGEST_MAX_MESSAGE_BYTES + " (the queue's MaximumMessageSize), got " + maxMessageBytes);
            }
            return new SqsFailureSink(this);
        }
    }
}
