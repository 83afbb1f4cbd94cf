package io.shardwise.testkit.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.testkit.dynamodb.RequestHook;
import io.shardwise.testkit.dynamodb.internal.FaultDecision;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The protocol layer on raw bytes, as another language's SDK or the AWS CLI would send them:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html (X-Amz-Target,
 * x-amz-json-1.0 body, x-amz-crc32 of the response body) and
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html (__type, message, status).
 */
class WireProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireProtocol protocol = new WireProtocol(
            new Database(Clock.systemUTC(), "us-east-1", "000000000000", 1),
            (op, targets) -> FaultDecision.NONE,
            d -> {},
            new RequestHook() {});

    private WireResponse call(String op, String body) {
        return protocol.handle(op, body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(WireResponse r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void responsesCarryTheCrc32OfTheirBody() throws Exception {
        WireResponse r = call("DynamoDB_20120810.ListTables", "{}");
        assertThat(r.status()).isEqualTo(200);
        CRC32 crc = new CRC32();
        crc.update(r.body());
        assertThat(r.headers()).containsEntry("x-amz-crc32", Long.toString(crc.getValue()))
                .containsEntry("Content-Type", "application/x-amz-json-1.0");
        assertThat(json(r).get("TableNames").isArray()).isTrue();
    }

    @Test
    void createPutGetOverRawJson() throws Exception {
        assertThat(call("DynamoDB_20120810.CreateTable", """
                {"TableName":"raw","BillingMode":"PAY_PER_REQUEST",
                 "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
                 "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}""").status()).isEqualTo(200);
        assertThat(call("DynamoDB_20120810.PutItem", """
                {"TableName":"raw","Item":{"id":{"S":"a"},"n":{"N":"01.10"},"b":{"B":"AAE="},"l":{"L":[{"NULL":true}]}}}""")
                .status()).isEqualTo(200);
        JsonNode item = json(call("DynamoDB_20120810.GetItem", "{\"TableName\":\"raw\",\"Key\":{\"id\":{\"S\":\"a\"}}}"))
                .get("Item");
        assertThat(item.toString()).isEqualTo(
                "{\"id\":{\"S\":\"a\"},\"n\":{\"N\":\"1.1\"},\"b\":{\"B\":\"AAE=\"},\"l\":{\"L\":[{\"NULL\":true}]}}");
    }

    @Test
    void errorsHaveTheTypeAndStatusAwsSends() throws Exception {
        WireResponse missing = call("DynamoDB_20120810.GetItem", "{\"TableName\":\"none\",\"Key\":{\"id\":{\"S\":\"a\"}}}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(json(missing).get("__type").asText())
                .isEqualTo("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
        assertThat(json(missing).get("message").asText()).isEqualTo("Requested resource not found");
        WireResponse validation = call("DynamoDB_20120810.CreateTable", "{\"TableName\":\"x\"}");
        assertThat(json(validation).get("__type").asText()).isEqualTo("com.amazon.coral.validate#ValidationException");
        WireResponse unknown = call("DynamoDB_20120810.UpdateGlobalTable", "{}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(json(unknown).get("__type").asText()).endsWith("#UnknownOperationException");
        WireResponse noTarget = protocol.handle(null, new byte[0]);
        assertThat(json(noTarget).get("__type").asText()).endsWith("#UnknownOperationException");
        WireResponse garbage = call("DynamoDB_20120810.ListTables", "{not json");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(json(garbage).get("__type").asText()).isEqualTo("com.amazon.coral.service#SerializationException");
        WireResponse wrongType = call("DynamoDB_20120810.ListTables", "{\"Limit\":\"ten\"}");
        assertThat(json(wrongType).get("__type").asText()).endsWith("#SerializationException");
    }

    @Test
    void streamsOperationsHaveTheirOwnTargetPrefix() throws Exception {
        assertThat(json(call("DynamoDBStreams_20120810.ListStreams", "{}")).get("Streams").isArray()).isTrue();
        assertThat(json(call("DynamoDB_20120810.ListStreams", "{}")).get("__type").asText())
                .endsWith("#UnknownOperationException");
    }
}
