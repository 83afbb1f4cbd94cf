package io.shardwise.core.sink;

import java.util.Objects;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Parks each record as one S3 object ({@code PutObject}, content type {@code application/json}) holding the
 * record's JSON (see {@link ParkedRecord}; instants ISO-8601, payload base64), at
 * {@code prefix/consumer/shardId/sequenceNumber[-subSequenceNumber].json}.
 *
 * <pre>{@code
 * FailureSink sink = S3FailureSink.builder().client(s3).bucket("orders-parked").keyPrefix("parked").build();
 * }</pre>
 *
 * <p>The key is deterministic, so parking the same record again (a retried park, a redelivered batch) overwrites
 * the object instead of adding a second one. A null consumer name is written as {@code unnamed-consumer}. The
 * replay tool (stream-tools, {@code replay-parked}) reads such a prefix back in sequence order. Use a prefix of
 * its own: the replayer treats every {@code .json} object under it as a parked record.
 *
 * <p><b>Errors.</b> {@link #park} returns only after S3 accepted the object; otherwise it throws
 * {@link ParkingException} naming the record and the object, with the SDK exception as cause, and the engine
 * keeps the record {@code FAILED}. There is no size problem: a stream record is at most 1 MiB.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe; the client is the caller's, used but never closed.
 */
public final class S3FailureSink implements FailureSink {

    private final S3ParkedObjects objects;

    private S3FailureSink(Builder b) {
        this.objects = new S3ParkedObjects(b.client, b.bucket, b.keyPrefix);
    }

    /** A builder; {@link Builder#client} and {@link Builder#bucket} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes the record's object.
     *
     * @throws ParkingException if S3 did not accept it
     */
    @Override
    public void park(ParkedRecord record) {
        Objects.requireNonNull(record, "record");
        byte[] json = ParkedRecordJson.toJsonBytes(record);
        try {
            objects.put(record, json);
        } catch (SdkException e) {
            throw new ParkingException("S3 did not accept parked record (" + record.describe() + ") as s3://"
                    + objects.bucket() + "/" + objects.keyOf(record) + ": " + e.getMessage()
                    + ". The record stays FAILED and will be redelivered.", e);
        }
    }

    /** The key a record is (or would be) written at. */
    public String keyOf(ParkedRecord record) {
        return objects.keyOf(record);
    }

    /** The bucket. */
    public String bucket() {
        return objects.bucket();
    }

    @Override
    public String toString() {
        return "S3FailureSink[" + objects.describe() + "]";
    }

    /** Builds an {@link S3FailureSink}. Not thread-safe; {@link #build()} validates. */
    public static final class Builder {
        private S3Client client;
        private String bucket;
        private String keyPrefix;

        private Builder() {
        }

        /** Required: the S3 client (yours: the sink uses it and never closes it). */
        public Builder client(S3Client client) {
            this.client = client;
            return this;
        }

        /** Required: the bucket. */
        public Builder bucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        /** Optional key prefix, e.g. {@code "parked"} (leading and trailing slashes are ignored). */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
            return this;
        }

        /** @throws IllegalArgumentException naming what to set, when the client or bucket is missing */
        public S3FailureSink build() {
            if (client == null) {
                throw new IllegalArgumentException("S3FailureSink needs an S3Client: call client(s3Client)");
            }
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("S3FailureSink needs a bucket: call bucket(name)");
            }
            return new S3FailureSink(this);
        }
    }
}
