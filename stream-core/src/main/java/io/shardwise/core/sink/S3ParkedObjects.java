package io.shardwise.core.sink;

import java.util.Objects;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Writes parked records' JSON to S3 under {@link ParkedObjectKeys}: shared by {@link S3FailureSink} and by the
 * S3 spill of {@link SqsFailureSink} and {@link KinesisFailureSink}. Thread-safe (the S3 client is).
 */
final class S3ParkedObjects {

    static final String CONTENT_TYPE = "application/json";

    private final S3Client client;
    private final String bucket;
    private final String prefix;

    S3ParkedObjects(S3Client client, String bucket, String keyPrefix) {
        this.client = Objects.requireNonNull(client, "S3 client");
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("S3 bucket name is empty: set the bucket parked records go to");
        }
        this.bucket = bucket;
        this.prefix = ParkedObjectKeys.normalizePrefix(keyPrefix);
    }

    String bucket() {
        return bucket;
    }

    String prefix() {
        return prefix;
    }

    String keyOf(ParkedRecord record) {
        return ParkedObjectKeys.key(prefix, record);
    }

    /**
     * Puts the record's JSON at its key, overwriting an earlier copy of the same record.
     *
     * @return the pointer to the object
     * @throws software.amazon.awssdk.core.exception.SdkException if S3 did not accept it
     */
    ParkedRecordJson.SpillPointer put(ParkedRecord record, byte[] json) {
        String key = keyOf(record);
        client.putObject(PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .contentType(CONTENT_TYPE)
                .contentLength((long) json.length)
                .build(), RequestBody.fromBytes(json));
        return new ParkedRecordJson.SpillPointer(bucket, key, json.length);
    }

    String describe() {
        return "s3://" + bucket + "/" + (prefix.isEmpty() ? "" : prefix + "/");
    }
}
