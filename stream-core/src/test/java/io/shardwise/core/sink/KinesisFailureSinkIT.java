package io.shardwise.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardwise.testkit.LocalEmulators;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;

/** {@link KinesisFailureSink} against kinesis-mock (stream-testkit) and S3Mock (spill). */
class KinesisFailureSinkIT {

    private static KinesisClient kinesis;
    private static S3Client s3;
    private static final String BUCKET = "kspill-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() {
        kinesis = LocalEmulators.kinesis().client(); // shared, owned by the testkit: not closed here
        s3 = SinkEmulators.s3Client();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void close() {
        s3.close();
    }

    @Test
    void anAcceptedRecordIsOneStreamRecordWithTheFullPayloadAllFieldsAndItsPartitionKey() {
        String stream = KinesisStreams.create(kinesis, "parked", 1);
        byte[] payload = Parked.binaryPayload(100_000, 4);
        ParkedRecord r = Parked.record(Parked.SHARD, 3, 1, "customer-9", payload);

        KinesisFailureSink.builder().client(kinesis).streamName(stream).build().park(r);

        List<KinesisStreams.Read> read = KinesisStreams.readAll(kinesis, stream);
        assertThat(read).hasSize(1);
        assertThat(read.get(0).partitionKey()).isEqualTo("customer-9");
        ParkedRecord back = ParkedRecordJson.fromJson(read.get(0).data());
        assertThat(back).isEqualTo(r);
        assertThat(back.payload()).isEqualTo(payload);
    }

    @Test
    void aRecordWithoutPartitionKeyIsKeyedByItsShardAndTheStreamCanBeNamedByArn() {
        String stream = KinesisStreams.create(kinesis, "parked", 1);
        String arn = kinesis.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary().streamARN();
        ParkedRecord r = Parked.record(Parked.SHARD, 3, -1, null, new byte[] {9});

        KinesisFailureSink.builder().client(kinesis).streamArn(arn).build().park(r);

        List<KinesisStreams.Read> read = KinesisStreams.readAll(kinesis, stream);
        assertThat(read).extracting(KinesisStreams.Read::partitionKey).containsExactly(Parked.SHARD);
    }

    @Test
    void anOversizedRecordWithoutSpillThrowsAndPutsNothing() {
        String stream = KinesisStreams.create(kinesis, "parked", 1);
        ParkedRecord r = Parked.record(1, "k", Parked.binaryPayload(1_000_000, 5));
        KinesisFailureSink sink = KinesisFailureSink.builder().client(kinesis).streamName(stream).build();

        assertThatThrownBy(() -> sink.park(r))
                .isInstanceOf(ParkingException.class)
                .hasMessageContaining("over Kinesis's 1048576-byte record limit")
                .hasMessageContaining("Configure S3 spill")
                .hasMessageContaining(r.describe());
        assertThat(KinesisStreams.readAll(kinesis, stream)).isEmpty();
    }

    @Test
    void anOversizedRecordIsSpilledToS3AndThePointerResolvesToTheFullPayload() {
        String stream = KinesisStreams.create(kinesis, "parked", 1);
        byte[] payload = Parked.binaryPayload(1_048_576, 6);
        ParkedRecord r = Parked.record(2, "k", payload);

        KinesisFailureSink.builder().client(kinesis).streamName(stream).spillToS3(s3, BUCKET, "spill").build()
                .park(r);

        List<KinesisStreams.Read> read = KinesisStreams.readAll(kinesis, stream);
        assertThat(read).hasSize(1);
        ParkedRecordJson.Parsed pointer = ParkedRecordJson.parse(new String(read.get(0).data(),
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(pointer.isSpilled()).isTrue();
        assertThat(pointer.record()).usingRecursiveComparison().ignoringFields("payloadBase64").isEqualTo(r);
        ParkedRecord full = ParkedRecordJson.fromJson(
                s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(pointer.spilledTo().key())).asByteArray());
        assertThat(full.payload()).isEqualTo(payload);
    }

    @Test
    void aStreamThatDoesNotExistMakesParkThrow() {
        KinesisFailureSink sink = KinesisFailureSink.builder().client(kinesis)
                .streamName("no-such-stream-" + UUID.randomUUID()).build();
        ParkedRecord r = Parked.record(1, "k", new byte[] {1});

        assertThatThrownBy(() -> sink.park(r))
                .isInstanceOf(ParkingException.class)
                .hasMessageContaining("did not accept parked record (" + r.describe() + ")")
                .hasCauseInstanceOf(SdkException.class);
    }
}
