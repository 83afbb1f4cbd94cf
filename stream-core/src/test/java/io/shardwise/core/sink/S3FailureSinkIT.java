package io.shardwise.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** {@link S3FailureSink} against S3Mock. */
class S3FailureSinkIT {

    private static S3Client s3;
    private static final String BUCKET = "parked-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() {
        s3 = SinkEmulators.s3Client();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void close() {
        s3.close();
    }

    @Test
    void anAcceptedRecordIsOneJsonObjectWithTheFullPayloadAndAllFields() {
        S3FailureSink sink = S3FailureSink.builder().client(s3).bucket(BUCKET).keyPrefix("accepted").build();
        byte[] payload = Parked.binaryPayload(1_048_576, 3); // a Kinesis record's maximum
        ParkedRecord r = Parked.record(Parked.SHARD, 4, 2, "customer-1", payload);

        sink.park(r);

        String key = "accepted/" + Parked.CONSUMER + "/" + Parked.SHARD + "/" + Parked.seq(4) + "-2.json";
        assertThat(sink.keyOf(r)).isEqualTo(key);
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("accepted/")).contents())
                .extracting(S3Object::key).containsExactly(key);
        ResponseBytes<GetObjectResponse> object = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key));
        assertThat(object.response().contentType()).isEqualTo("application/json");
        ParkedRecord back = ParkedRecordJson.fromJson(object.asByteArray());
        assertThat(back).isEqualTo(r);
        assertThat(back.payload()).isEqualTo(payload);
    }

    @Test
    void parkingTheSameRecordAgainOverwritesInsteadOfDuplicating() {
        S3FailureSink sink = S3FailureSink.builder().client(s3).bucket(BUCKET).keyPrefix("/retried/").build();
        ParkedRecord first = Parked.record(5, "k", new byte[] {1});
        ParkedRecord retried = new ParkedRecord(first.consumerName(), first.sourceArn(), first.shardId(),
                first.sequenceNumber(), first.subSequenceNumber(), first.partitionKey(),
                first.approximateArrivalTime(), first.eventId(), first.payloadBase64(), first.errorClass(),
                first.errorMessage(), 4, first.parkedAt().plusSeconds(60));

        sink.park(first);
        sink.park(retried);

        var keys = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("retried/")).contents();
        assertThat(keys).hasSize(1);
        assertThat(ParkedRecordJson.fromJson(
                s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(keys.get(0).key())).asByteArray()))
                .isEqualTo(retried);
    }

    @Test
    void aBucketThatDoesNotExistMakesParkThrow() {
        String missing = "no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8);
        S3FailureSink sink = S3FailureSink.builder().client(s3).bucket(missing).build();
        ParkedRecord r = Parked.record(1, "k", new byte[] {1});

        assertThatThrownBy(() -> sink.park(r))
                .isInstanceOf(ParkingException.class)
                .hasMessageContaining("S3 did not accept parked record (" + r.describe() + ") as s3://" + missing)
                .hasCauseInstanceOf(SdkException.class);
    }
}
