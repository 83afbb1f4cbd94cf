package io.shardwise.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@link SqsFailureSink} against ElasticMQ (SQS) and S3Mock (spill). */
class SqsFailureSinkIT {

    private static SqsClient sqs;
    private static S3Client s3;
    private static final String BUCKET = "spill-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() {
        sqs = SinkEmulators.sqsClient();
        s3 = SinkEmulators.s3Client();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void close() {
        sqs.close();
        s3.close();
    }

    @Test
    void anAcceptedRecordIsOneMessageWithTheFullPayloadAndAllFields() {
        String queue = newQueue(false);
        byte[] payload = Parked.binaryPayload(10_000, 1);
        ParkedRecord r = Parked.record(Parked.SHARD, 7, 3, "customer-42", payload);

        SqsFailureSink.builder().client(sqs).queueUrl(queue).build().park(r);

        List<Message> messages = drain(queue);
        assertThat(messages).hasSize(1);
        Message m = messages.get(0);
        ParkedRecord back = ParkedRecordJson.fromJson(m.body());
        assertThat(back).isEqualTo(r);
        assertThat(back.payload()).isEqualTo(payload);
        assertThat(strings(m.messageAttributes())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "shardwise.shardId", Parked.SHARD,
                "shardwise.sequenceNumber", Parked.seq(7),
                "shardwise.subSequenceNumber", "3",
                "shardwise.errorClass", "com.example.OrderRejected",
                "shardwise.consumerName", Parked.CONSUMER,
                "shardwise.attempts", "3",
                "shardwise.payload", "inline"));
    }

    @Test
    void aRecordFillingTheLimitExactlyIsSentInlineAndTheServerAgreesOnItsSize() {
        String queue = newQueue(false);
        ParkedRecord r = recordWithMessageSize(SqsFailureSink.DEFAULT_MAX_MESSAGE_BYTES);

        SqsFailureSink.builder().client(sqs).queueUrl(queue).build().park(r);

        List<Message> messages = drain(queue);
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).messageAttributes().get("shardwise.payload").stringValue()).isEqualTo("inline");
        assertThat(ParkedRecordJson.fromJson(messages.get(0).body())).isEqualTo(r);
    }

    @Test
    void theServerRefusesOneByteMoreWhichIsWhyTheSinkSpills() {
        String queue = newQueue(false);
        String body = "x".repeat(SqsFailureSink.DEFAULT_MAX_MESSAGE_BYTES + 1);

        assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(queue).messageBody(body)))
                .isInstanceOf(SdkException.class);
    }

    @Test
    void anOversizedRecordIsSpilledToS3AndThePointerResolvesToTheFullPayload() {
        String queue = newQueue(false);
        byte[] payload = Parked.binaryPayload(1_000_000, 2);
        ParkedRecord r = Parked.record(Parked.SHARD, 8, -1, "customer-7", payload);

        SqsFailureSink.builder().client(sqs).queueUrl(queue).spillToS3(s3, BUCKET, "spill/").build().park(r);

        List<Message> messages = drain(queue);
        assertThat(messages).hasSize(1);
        Message m = messages.get(0);
        assertThat(m.messageAttributes().get("shardwise.payload").stringValue()).isEqualTo("s3");
        assertThat(m.messageAttributes().get("shardwise.sequenceNumber").stringValue()).isEqualTo(Parked.seq(8));
        ParkedRecordJson.Parsed pointer = ParkedRecordJson.parse(m.body());
        assertThat(pointer.isSpilled()).isTrue();
        assertThat(pointer.record()).usingRecursiveComparison().ignoringFields("payloadBase64").isEqualTo(r);
        assertThat(pointer.spilledTo().bucket()).isEqualTo(BUCKET);
        assertThat(pointer.spilledTo().key())
                .isEqualTo("spill/" + Parked.CONSUMER + "/" + Parked.SHARD + "/" + Parked.seq(8) + ".json");

        var object = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(pointer.spilledTo().key()));
        assertThat(object.response().contentType()).isEqualTo("application/json");
        assertThat(object.asByteArray().length).isEqualTo(pointer.spilledTo().sizeBytes());
        ParkedRecord full = ParkedRecordJson.fromJson(object.asByteArray());
        assertThat(full).isEqualTo(r);
        assertThat(full.payload()).isEqualTo(payload);
    }

    @Test
    void aHugeErrorMessageIsShortenedInThePointerButKeptWholeInS3() {
        String queue = newQueue(false);
        ParkedRecord base = Parked.record(9, "k", new byte[] {1, 2, 3});
        ParkedRecord r = new ParkedRecord(base.consumerName(), base.sourceArn(), base.shardId(),
                base.sequenceNumber(), -1, "k", null, null, base.payloadBase64(), "E", "e".repeat(300_000), 1,
                null);

        SqsFailureSink.builder().client(sqs).queueUrl(queue).spillToS3(s3, BUCKET, "").build().park(r);

        ParkedRecordJson.Parsed pointer = ParkedRecordJson.parse(drain(queue).get(0).body());
        assertThat(pointer.record().errorMessage()).startsWith("e".repeat(2_000) + " [shortened from 300000");
        ParkedRecord full = ParkedRecordJson.fromJson(
                s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(pointer.spilledTo().key())).asByteArray());
        assertThat(full).isEqualTo(r);
    }

    @Test
    void anOversizedRecordWithoutSpillThrowsAndSendsNothing() {
        String queue = newQueue(false);
        ParkedRecord r = recordWithMessageSize(SqsFailureSink.DEFAULT_MAX_MESSAGE_BYTES + 1);
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).build();

        assertThatThrownBy(() -> sink.park(r))
                .isInstanceOf(ParkingException.class)
                .hasMessageContaining("262145-byte SQS message")
                .hasMessageContaining("Configure S3 spill")
                .hasMessageContaining(r.describe());
        assertThat(drain(queue)).isEmpty();
    }

    @Test
    void aQueueThatDoesNotExistMakesParkThrow() {
        String missing = SinkEmulators.sqs() + "/000000000000/no-such-queue-" + UUID.randomUUID();
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(missing).build();
        ParkedRecord r = Parked.record(1, "k", new byte[] {1});

        assertThatThrownBy(() -> sink.park(r))
                .isInstanceOf(ParkingException.class)
                .hasMessageContaining("did not accept parked record (" + r.describe() + ")")
                .hasCauseInstanceOf(SdkException.class);
    }

    @Test
    void aSpillBucketThatDoesNotExistMakesParkThrowAndSendsNothing() {
        String queue = newQueue(false);
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue)
                .spillToS3(s3, "no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8), "p").build();
        ParkedRecord r = Parked.record(1, "k", new byte[300_000]);

        assertThatThrownBy(() -> sink.park(r))
                .isInstanceOf(ParkingException.class)
                .hasMessageContaining("S3 spill")
                .hasCauseInstanceOf(SdkException.class);
        assertThat(drain(queue)).isEmpty();
    }

    @Test
    void aFifoQueueKeepsAShardInOrderAndDeduplicatesARetriedPark() {
        String queue = newQueue(true);
        SqsFailureSink sink = SqsFailureSink.builder().client(sqs).queueUrl(queue).build();
        ParkedRecord first = Parked.record(1, "a", new byte[] {1});
        ParkedRecord second = Parked.record(2, "b", new byte[] {2});

        sink.park(first);
        sink.park(first); // a retried park
        sink.park(second);

        List<Message> messages = drain(queue);
        assertThat(messages).extracting(m -> ParkedRecordJson.fromJson(m.body())).containsExactly(first, second);
        assertThat(messages).extracting(m -> m.attributes().get(
                        software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .containsOnly(Parked.SHARD);
    }

    /** A record whose inline message (body plus attributes) is exactly {@code size} bytes. */
    static ParkedRecord recordWithMessageSize(int size) {
        ParkedRecord probe = Parked.record(Parked.SHARD, 5, -1, "k", new byte[0]);
        long fixed = ParkedRecordJson.toJsonBytes(probe).length
                + SqsFailureSink.attributesSize(SqsFailureSink.attributes(probe, SqsFailureSink.PAYLOAD_INLINE));
        // Pick a payload whose base64 has no padding, then adjust with the error message, 1 char = 1 byte.
        int payloadBytes = (int) ((size - fixed - 100) / 4 * 3);
        ParkedRecord sized = Parked.record(Parked.SHARD, 5, -1, "k", Parked.binaryPayload(payloadBytes, 5));
        long now = ParkedRecordJson.toJsonBytes(sized).length
                + SqsFailureSink.attributesSize(SqsFailureSink.attributes(sized, SqsFailureSink.PAYLOAD_INLINE));
        String message = sized.errorMessage() + "x".repeat((int) (size - now));
        ParkedRecord r = new ParkedRecord(sized.consumerName(), sized.sourceArn(), sized.shardId(),
                sized.sequenceNumber(), sized.subSequenceNumber(), sized.partitionKey(),
                sized.approximateArrivalTime(), sized.eventId(), sized.payloadBase64(), sized.errorClass(), message,
                sized.attempts(), sized.parkedAt());
        long total = ParkedRecordJson.toJsonBytes(r).length
                + SqsFailureSink.attributesSize(SqsFailureSink.attributes(r, SqsFailureSink.PAYLOAD_INLINE));
        assertThat(total).isEqualTo(size);
        return r;
    }

    private static String newQueue(boolean fifo) {
        String name = "parked-" + UUID.randomUUID().toString().substring(0, 8) + (fifo ? ".fifo" : "");
        return sqs.createQueue(b -> {
            b.queueName(name);
            if (fifo) {
                b.attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"));
            }
        }).queueUrl();
    }

    /** Receives (and deletes) everything in the queue, in the order SQS returns it. */
    static List<Message> drain(String queue) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageAttributeNames("All").messageSystemAttributeNamesWithStrings("All")).messages();
            if (batch.isEmpty()) {
                return all;
            }
            for (Message m : batch) {
                all.add(m);
                sqs.deleteMessage(b -> b.queueUrl(queue).receiptHandle(m.receiptHandle()));
            }
        }
    }

    private static Map<String, String> strings(Map<String, MessageAttributeValue> attributes) {
        Map<String, String> out = new java.util.HashMap<>();
        attributes.forEach((k, v) -> out.put(k, v.stringValue()));
        return out;
    }
}
