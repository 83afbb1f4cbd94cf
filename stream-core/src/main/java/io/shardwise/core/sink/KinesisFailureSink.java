package io.shardwise.core.sink;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Parks each record as one record on a Kinesis data stream ({@code PutRecord}): the data is the record's JSON
 * (see {@link ParkedRecord}; instants ISO-8601, payload base64), the partition key is the original record's,
 * so a key's parked records stay in order on the parking stream.
 *
 * <pre>{@code
 * FailureSink sink = KinesisFailureSink.builder().client(kinesis).streamName("orders-parked").build();
 * }</pre>
 *
 * <p><b>Partition key.</b> The original partition key; the shard id when it is null or empty, or longer than
 * Kinesis's 256 characters (possible for keys derived from DynamoDB items): order is then kept per source shard,
 * which is coarser but still correct.
 *
 * <p><b>Size.</b> Kinesis accepts at most 1 MiB (data plus partition key) per record, and the JSON of a record
 * whose payload is near that limit is larger (base64 adds a third). Such a record is never truncated: with
 * {@link Builder#spillToS3 S3 spill} configured its full JSON goes to S3 (key
 * {@code prefix/consumer/shardId/sequenceNumber[-subSequenceNumber].json}) and the Kinesis record carries every
 * field but the payload plus {@code "spilledTo": {"bucket", "key", "sizeBytes"}}; without spill, {@link #park}
 * throws {@link ParkingException} and puts nothing. Consumers of the parking stream must follow
 * {@code spilledTo} when {@code payloadBase64} is absent.
 *
 * <p><b>Errors.</b> {@link #park} returns only after Kinesis (and S3, when spilling) accepted the record;
 * otherwise it throws {@link ParkingException} naming the record and the stream, with the SDK exception as cause,
 * and the engine keeps the record {@code FAILED}. A retried park may put the record twice (Kinesis has no
 * idempotent put): consumers of the parking stream should expect duplicates.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe; the clients are the caller's, used but never closed.
 */
public final class KinesisFailureSink implements FailureSink {

    /** Kinesis's limit for one record: data plus partition key, 1 MiB. */
    public static final int MAX_RECORD_BYTES = 1_048_576;
    /** Kinesis's limit for a partition key, in Unicode characters. */
    static final int MAX_PARTITION_KEY_CHARS = 256;

    private final KinesisClient client;
    private final String streamName;
    private final String streamArn;
    private final S3ParkedObjects spill;

    private KinesisFailureSink(Builder b) {
        this.client = b.client;
        this.streamName = b.streamName;
        this.streamArn = b.streamArn;
        this.spill = b.spillClient == null ? null : new S3ParkedObjects(b.spillClient, b.spillBucket, b.spillPrefix);
    }

    /** A builder; {@link Builder#client} and one of {@link Builder#streamName}/{@link Builder#streamArn} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Puts the record, spilling it to S3 first when it is too large (see the class comment).
     *
     * @throws ParkingException if it is too large and no S3 spill is configured (nothing is put), or Kinesis or
     *                          S3 did not accept it
     */
    @Override
    public void park(ParkedRecord record) {
        Objects.requireNonNull(record, "record");
        String partitionKey = partitionKeyFor(record);
        long keyBytes = partitionKey.getBytes(StandardCharsets.UTF_8).length;
        byte[] data = ParkedRecordJson.toJsonBytes(record);
        if (data.length + keyBytes > MAX_RECORD_BYTES) {
            if (spill == null) {
                throw new ParkingException("Parked record (" + record.describe() + ") is " + (data.length + keyBytes)
                        + " bytes as JSON plus partition key, over Kinesis's " + MAX_RECORD_BYTES + "-byte record "
                        + "limit (stream " + stream() + "); nothing was put and the record stays FAILED. Configure S3 "
                        + "spill (KinesisFailureSink.builder().spillToS3(s3Client, bucket, keyPrefix)) or park to an "
                        + "S3FailureSink.");
            }
            ParkedRecordJson.SpillPointer pointer;
            try {
                pointer = spill.put(record, data);
            } catch (SdkException e) {
                throw new ParkingException("S3 spill " + spill.describe() + " did not accept parked record ("
                        + record.describe() + ", too large for Kinesis stream " + stream() + "): " + e.getMessage()
                        + ". The record stays FAILED and will be redelivered.", e);
            }
            data = ParkedRecordJson.toPointerJson(record, pointer).getBytes(StandardCharsets.US_ASCII);
            if (data.length + keyBytes > MAX_RECORD_BYTES) {
                throw new ParkingException("Parked record (" + record.describe() + ") was spilled to s3://"
                        + pointer.bucket() + "/" + pointer.key() + " but even its pointer is over Kinesis's "
                        + MAX_RECORD_BYTES + "-byte limit; its error message is too large.");
            }
        }
        PutRecordRequest.Builder request = PutRecordRequest.builder()
                .partitionKey(partitionKey)
                .data(SdkBytes.fromByteArray(data));
        if (streamArn != null) {
            request.streamARN(streamArn);
        } else {
            request.streamName(streamName);
        }
        try {
            client.putRecord(request.build());
        } catch (SdkException e) {
            throw new ParkingException("Kinesis stream " + stream() + " did not accept parked record ("
                    + record.describe() + "): " + e.getMessage()
                    + ". The record stays FAILED and will be redelivered.", e);
        }
    }

    /**
     * The partition key used for a parked (or replayed) record: its own, or its shard id when that is missing or
     * longer than Kinesis allows.
     */
    public static String partitionKeyFor(ParkedRecord record) {
        String key = record.partitionKey();
        if (key == null || key.isEmpty() || key.codePointCount(0, key.length()) > MAX_PARTITION_KEY_CHARS) {
            return record.shardId();
        }
        return key;
    }

    private String stream() {
        return streamArn != null ? streamArn : streamName;
    }

    @Override
    public String toString() {
        return "KinesisFailureSink[stream=" + stream() + (spill == null ? "" : ", spill=" + spill.describe()) + "]";
    }

    /** Builds a {@link KinesisFailureSink}. Not thread-safe; {@link #build()} validates. */
    public static final class Builder {
        private KinesisClient client;
        private String streamName;
        private String streamArn;
        private S3Client spillClient;
        private String spillBucket;
        private String spillPrefix;

        private Builder() {
        }

        /** Required: the Kinesis client (yours: the sink uses it and never closes it). */
        public Builder client(KinesisClient client) {
            this.client = client;
            return this;
        }

        /** The parking stream's name (or use {@link #streamArn}). */
        public Builder streamName(String streamName) {
            this.streamName = streamName;
            return this;
        }

        /** The parking stream's ARN (or use {@link #streamName}). */
        public Builder streamArn(String streamArn) {
            this.streamArn = streamArn;
            return this;
        }

        /**
         * Optional: where records too large for a Kinesis record go (whole, as JSON), the Kinesis record then
         * carrying a pointer. Without it such a record makes {@link #park} throw.
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
         * @throws IllegalArgumentException naming what to set, when the client is missing, neither or both of
         *                                  stream name and ARN are set, or the spill bucket is empty
         */
        public KinesisFailureSink build() {
            if (client == null) {
                throw new IllegalArgumentException("KinesisFailureSink needs a KinesisClient: call client(kinesisClient)");
            }
            boolean hasName = streamName != null && !streamName.isBlank();
            boolean hasArn = streamArn != null && !streamArn.isBlank();
            if (hasName == hasArn) {
                throw new IllegalArgumentException("KinesisFailureSink needs exactly one of streamName(name) or "
                        + "streamArn(arn)" + (hasName ? ", not both" : ""));
            }
            return new KinesisFailureSink(this);
        }
    }
}
