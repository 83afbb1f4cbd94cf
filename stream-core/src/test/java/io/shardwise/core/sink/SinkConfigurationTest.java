package io.shardwise.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/** Builders, FIFO ids, size accounting and the replayer's command line: everything that needs no server. */
class SinkConfigurationTest {

    /** Records requests; every other SqsClient method throws UnsupportedOperationException (SDK default). */
    static final class RecordingSqs implements SqsClient {
        final List<SendMessageRequest> sent = new ArrayList<>();

        @Override
        public SendMessageResponse sendMessage(SendMessageRequest request) {
            sent.add(request);
            return SendMessageResponse.builder().messageId("m" + sent.size()).build();
        }

        @Override
        public String serviceName() {
            return "sqs";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void buildersSayWhatIsMissing() {
        assertThatThrownBy(() -> SqsFailureSink.builder().queueUrl("u").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client(sqsClient)");
        assertThatThrownBy(() -> SqsFailureSink.builder().client(new RecordingSqs()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueUrl(url)");
        assertThatThrownBy(() -> SqsFailureSink.builder().client(new RecordingSqs()).queueUrl("u")
                .maxMessageBytes(2_000_000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 1024 and 1048576");
        assertThatThrownBy(() -> S3FailureSink.builder().bucket("b").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client(s3Client)");
        assertThatThrownBy(() -> KinesisFailureSink.builder().client(fakeKinesis()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one of streamName");
        assertThatThrownBy(() -> KinesisFailureSink.builder().client(fakeKinesis()).streamName("a").streamArn("b")
                .build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
    }

    @Test
    void anEmptySpillBucketIsRefusedAtBuildTime() {
        S3Client s3 = new S3Client() {
            @Override
            public String serviceName() {
                return "s3";
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> SqsFailureSink.builder().client(new RecordingSqs()).queueUrl("u")
                .spillToS3(s3, " ", "p").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bucket");
    }

    @Test
    void fifoQueuesGetTheShardAsGroupAndAStableDeduplicationId() {
        RecordingSqs sqs = new RecordingSqs();
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs)
                .queueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/parked.fifo").build();
        ParkedRecord r = Parked.record(Parked.SHARD, 1, -1, "k", new byte[] {1});
        ParkedRecord sub = Parked.record(Parked.SHARD, 1, 0, "k", new byte[] {1});

        sink.park(r);
        sink.park(r);
        sink.park(sub);

        assertThat(sink.isFifo()).isTrue();
        assertThat(sqs.sent).extracting(SendMessageRequest::messageGroupId).containsOnly(Parked.SHARD);
        String id = sqs.sent.get(0).messageDeduplicationId();
        assertThat(id).hasSize(64).matches("[0-9a-f]+");
        assertThat(sqs.sent.get(1).messageDeduplicationId()).isEqualTo(id);
        assertThat(sqs.sent.get(2).messageDeduplicationId()).isNotEqualTo(id);
    }

    @Test
    void standardQueuesGetNoGroupOrDeduplicationId() {
        RecordingSqs sqs = new RecordingSqs();
        SqsFailureSink.builder().client(sqs).queueUrl("https://x/q").build()
                .park(Parked.record(1, "k", new byte[] {1}));

        assertThat(sqs.sent.get(0).messageGroupId()).isNull();
        assertThat(sqs.sent.get(0).messageDeduplicationId()).isNull();
    }

    @Test
    void attributesCountNameTypeAndValueAndLeaveOutWhatIsUnknown() {
        ParkedRecord r = new ParkedRecord(null, null, "s", "12", -1, null, null, null, "", "", null, 2, null);

        Map<String, MessageAttributeValue> a = SqsFailureSink.attributes(r, SqsFailureSink.PAYLOAD_INLINE);

        assertThat(a).containsOnlyKeys(SqsFailureSink.ATTR_SHARD_ID, SqsFailureSink.ATTR_SEQUENCE_NUMBER,
                SqsFailureSink.ATTR_ATTEMPTS, SqsFailureSink.ATTR_PAYLOAD);
        long expected = ("shardwise.shardId" + "String" + "s").length()
                + ("shardwise.sequenceNumber" + "String" + "12").length()
                + ("shardwise.attempts" + "Number" + "2").length()
                + ("shardwise.payload" + "String" + "inline").length();
        assertThat(SqsFailureSink.attributesSize(a)).isEqualTo(expected);
    }

    @Test
    void anOversizedRecordWithoutSpillSendsNothingAndSaysToConfigureSpill() {
        RecordingSqs sqs = new RecordingSqs();
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl("https://x/q").build();
        ParkedRecord big = Parked.record(1, "k", new byte[200_000]);

        assertThatThrownBy(() -> sink.park(big))
                .isInstanceOf(ParkingException.class)
                .hasMessageContaining("spillToS3")
                .hasMessageContaining(big.describe());
        assertThat(sqs.sent).isEmpty();
    }

    @Test
    void partitionKeyFallsBackToTheShard() {
        assertThat(KinesisFailureSink.partitionKeyFor(Parked.record(1, "k", new byte[0]))).isEqualTo("k");
        assertThat(KinesisFailureSink.partitionKeyFor(Parked.record(1, null, new byte[0]))).isEqualTo(Parked.SHARD);
        assertThat(KinesisFailureSink.partitionKeyFor(Parked.record(1, "", new byte[0]))).isEqualTo(Parked.SHARD);
        assertThat(KinesisFailureSink.partitionKeyFor(Parked.record(1, "x".repeat(257), new byte[0])))
                .isEqualTo(Parked.SHARD);
        assertThat(KinesisFailureSink.partitionKeyFor(Parked.record(1, "\uD83D\uDE00".repeat(256), new byte[0])))
                .isEqualTo("\uD83D\uDE00".repeat(256));
    }

    private static KinesisClient fakeKinesis() {
        return new KinesisClient() {
            @Override
            public String serviceName() {
                return "kinesis";
            }

            @Override
            public void close() {
            }
        };
    }
}
