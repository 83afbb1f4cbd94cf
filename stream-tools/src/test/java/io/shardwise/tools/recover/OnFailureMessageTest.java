package io.shardwise.tools.recover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/**
 * Lambda's on-failure messages as AWS sends them (the shapes of LocalStack's AWS-validated snapshots, which the
 * testkit's OnFailureRecord follows).
 */
class OnFailureMessageTest {

    static final String KINESIS = """
            {"requestContext":{"requestId":"c9b8fa9f-5a7f-4fbb-9a27-0fe1d0e1a1b1",
             "functionArn":"arn:aws:lambda:eu-west-1:111122223333:function:orders","condition":"RetryAttemptsExhausted",
             "approximateInvokeCount":3},
             "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
             "version":"1.0","timestamp":"2026-12-07T06:00:00.123Z",
             "KinesisBatchInfo":{"shardId":"shardId-000000000001",
              "startSequenceNumber":"49590338271490256608559692538361571095921575989136588898",
              "endSequenceNumber":"49590338271490256608559692540925702759324208523137515618",
              "approximateArrivalOfFirstRecord":"2026-12-07T05:59:00.001Z",
              "approximateArrivalOfLastRecord":"2026-12-07T05:59:00.100Z","batchSize":2,
              "streamArn":"arn:aws:kinesis:eu-west-1:111122223333:stream/orders"}}""";

    static final String DYNAMODB_AGE = """
            {"requestContext":{"requestId":"0b1d","functionArn":"arn:aws:lambda:us-east-1:111122223333:function:outbox",
             "condition":"RecordAgeExceeded","approximateInvokeCount":1},
             "version":"1.0","timestamp":"2026-12-07T06:00:00.123Z",
             "DDBStreamBatchInfo":{"shardId":"shardId-00000001733500000000-abcdef12",
              "startSequenceNumber":"100000000000000000001","endSequenceNumber":"100000000000000000003",
              "approximateArrivalOfFirstRecord":"2026-12-07T05:00:00Z",
              "approximateArrivalOfLastRecord":"2026-12-07T05:00:01Z","batchSize":3,
              "streamArn":"arn:aws:dynamodb:us-east-1:111122223333:table/outbox/stream/2026-12-07T04:00:00.000"}}""";

    @Test
    void readsAKinesisMessage() {
        OnFailureMessage m = OnFailureMessage.parse(KINESIS);

        assertThat(m.type()).isEqualTo(OnFailureMessage.Type.KINESIS);
        assertThat(m.condition()).isEqualTo("RetryAttemptsExhausted");
        assertThat(m.approximateInvokeCount()).isEqualTo(3);
        assertThat(m.shardId()).isEqualTo("shardId-000000000001");
        assertThat(m.startSequenceNumber()).isEqualTo("49590338271490256608559692538361571095921575989136588898");
        assertThat(m.batchSize()).isEqualTo(2);
        assertThat(m.region()).isEqualTo("eu-west-1");
        assertThat(m.resource()).isEqualTo("stream/orders");
    }

    @Test
    void readsADynamoDbRecordAgeMessageWithoutResponseContext() {
        OnFailureMessage m = OnFailureMessage.parse(DYNAMODB_AGE);

        assertThat(m.type()).isEqualTo(OnFailureMessage.Type.DYNAMODB);
        assertThat(m.condition()).isEqualTo("RecordAgeExceeded");
        assertThat(m.endSequenceNumber()).isEqualTo("100000000000000000003");
        assertThat(m.resource()).isEqualTo("table/outbox/stream/2026-12-07T04:00:00.000");
    }

    @Test
    void readsAMessageThatCameThroughSns() throws Exception {
        String sns = new ObjectMapper().createObjectNode().put("Type", "Notification")
                .put("MessageId", "m-1").put("Message", KINESIS).toString();

        assertThat(OnFailureMessage.parse(sns)).isEqualTo(OnFailureMessage.parse(KINESIS));
    }

    @Test
    void saysWhatIsWrongWithOtherMessages() {
        assertThatThrownBy(() -> OnFailureMessage.parse("{\"consumerName\":\"c\"}"))
                .hasMessage("not a Lambda on-failure message: it has neither KinesisBatchInfo nor DDBStreamBatchInfo");
        assertThatThrownBy(() -> OnFailureMessage.parse("hello"))
                .hasMessageStartingWith("not a Lambda on-failure message: not JSON");
        assertThatThrownBy(() -> OnFailureMessage.parse(KINESIS.replace("\"shardId\":\"shardId-000000000001\",", "")))
                .hasMessage("not a valid on-failure message: the batch info has no shardId");
    }
}
