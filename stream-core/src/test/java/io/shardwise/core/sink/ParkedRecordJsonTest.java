package io.shardwise.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ParkedRecordJsonTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    @Test
    void roundTripsEveryFieldAndTheBytesExactly() {
        byte[] payload = Parked.binaryPayload(1_000, 7);
        ParkedRecord r = Parked.record(Parked.SHARD, 3, 12, "customer-\u00e9", payload);

        ParkedRecord back = ParkedRecordJson.fromJson(ParkedRecordJson.toJson(r));

        assertThat(back).isEqualTo(r);
        assertThat(back.payload()).isEqualTo(payload);
    }

    @Test
    void carriesTheDedupIdWhenThereIsOne() throws Exception {
        ParkedRecord r = new ParkedRecord("c", null, "shardId-1", "1", -1, "k", null, null, "AAE=", "E", "m", 1, null,
                "c#0123abcd");

        String json = ParkedRecordJson.toJson(r);

        assertThat(PLAIN.readTree(json).get("dedupId").asText()).isEqualTo("c#0123abcd");
        assertThat(ParkedRecordJson.fromJson(json)).isEqualTo(r);
    }

    @Test
    void carriesTheExplicitHashKeyWhenThereIsOneAndWritesNoFieldWhenThereIsNone() throws Exception {
        ParkedRecord r = new ParkedRecord("c", null, "shardId-1", "1", 0, "k", null, null, "AAE=", "E", "m", 1, null,
                null, "340282366920938463463374607431768211455");

        String json = ParkedRecordJson.toJson(r);

        assertThat(PLAIN.readTree(json).get("explicitHashKey").asText())
                .isEqualTo("340282366920938463463374607431768211455");
        assertThat(ParkedRecordJson.fromJson(json)).isEqualTo(r);
        assertThat(PLAIN.readTree(ParkedRecordJson.toJson(Parked.record(1, "k", new byte[] {1})))
                .has("explicitHashKey")).isFalse();
    }

    @Test
    void tellsARecordParkedUnderItsPositionKeyFromOneParkedUnderAPayloadKey() {
        ParkedRecord r = Parked.record(1, "k", new byte[] {1});
        String position = r.sourceArn() + "/" + r.shardId() + "/" + r.sequenceNumber();
        ParkedRecord byPosition = new ParkedRecord(r.consumerName(), r.sourceArn(), r.shardId(), r.sequenceNumber(),
                -1, "k", null, null, "AQ==", null, null, 1, null,
                io.shardwise.core.internal.Hashing.dedupId(r.consumerName(), position));
        ParkedRecord byPayload = new ParkedRecord(r.consumerName(), r.sourceArn(), r.shardId(), r.sequenceNumber(),
                -1, "k", null, null, "AQ==", null, null, 1, null,
                io.shardwise.core.internal.Hashing.dedupId(r.consumerName(), "event/e-1"));

        assertThat(byPosition.parkedUnderPositionKey()).isTrue();
        assertThat(byPayload.parkedUnderPositionKey()).isFalse();
        assertThat(r.parkedUnderPositionKey()).as("no dedup id").isFalse();
    }

    @Test
    void roundTripsNullsAndDefaults() {
        ParkedRecord r = new ParkedRecord(null, null, "shardId-1", "1", -1, null, null, null, "", null, null, 0, null);

        assertThat(ParkedRecordJson.fromJson(ParkedRecordJson.toJson(r))).isEqualTo(r);
    }

    @Test
    void writesTheDocumentedFieldNamesInstantsAsIsoStringsAndOnlyAscii() throws Exception {
        ParkedRecord r = Parked.record(Parked.SHARD, 1, -1, "k", new byte[] {(byte) 0xC3, 0x28});
        String json = ParkedRecordJson.toJson(r);

        assertThat(json.chars()).allMatch(c -> c >= 0x20 && c < 0x7F);
        JsonNode node = PLAIN.readTree(json);
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("consumerName", "sourceArn", "shardId", "sequenceNumber",
                "subSequenceNumber", "partitionKey", "approximateArrivalTime", "eventId", "payloadBase64",
                "errorClass", "errorMessage", "attempts", "parkedAt");
        assertThat(node.get("approximateArrivalTime").asText()).isEqualTo("2026-11-22T10:00:01.123Z");
        assertThat(node.get("parkedAt").asText()).isEqualTo("2026-11-22T10:05:01.456789Z");
        assertThat(node.get("payloadBase64").asText()).isEqualTo("wyg=");
        assertThat(node.get("errorMessage").asText()).isEqualTo(r.errorMessage());
        assertThat(node.get("subSequenceNumber").asLong()).isEqualTo(-1);
        assertThat(node.get("attempts").asInt()).isEqualTo(3);
    }

    @Test
    void keepsAnUnpairedSurrogateInTheErrorMessage() {
        ParkedRecord r = new ParkedRecord("c", null, "s", "1", -1, null, null, null, "", "E", "bad \uD800 half", 1,
                null);

        String json = ParkedRecordJson.toJson(r);

        assertThat(json).contains("\\uD800");
        assertThat(ParkedRecordJson.fromJson(json).errorMessage()).isEqualTo("bad \uD800 half");
    }

    @Test
    void readsFieldsInAnyOrderAndIgnoresUnknownOnes() {
        String json = "{\"payloadBase64\":\"AAE=\",\"future\":{\"x\":1},\"sequenceNumber\":\"42\","
                + "\"shardId\":\"shardId-7\"}";

        ParkedRecord r = ParkedRecordJson.fromJson(json.getBytes(StandardCharsets.UTF_8));

        assertThat(r.shardId()).isEqualTo("shardId-7");
        assertThat(r.sequenceNumber()).isEqualTo("42");
        assertThat(r.subSequenceNumber()).isEqualTo(-1);
        assertThat(r.payload()).containsExactly(0, 1);
        assertThat(r.parkedAt()).isNull();
    }

    @Test
    void aPointerCarriesTheMetadataButNotThePayload() throws Exception {
        ParkedRecord r = Parked.record(Parked.SHARD, 5, 2, "k", Parked.binaryPayload(300, 1));
        ParkedRecordJson.SpillPointer p = new ParkedRecordJson.SpillPointer("bucket", "spill/a.json", 1234);

        String json = ParkedRecordJson.toPointerJson(r, p);
        ParkedRecordJson.Parsed parsed = ParkedRecordJson.parse(json);

        assertThat(PLAIN.readTree(json).has("payloadBase64")).isFalse();
        assertThat(parsed.isSpilled()).isTrue();
        assertThat(parsed.spilledTo()).isEqualTo(p);
        assertThat(parsed.record().payloadBase64()).isEmpty();
        assertThat(parsed.record()).usingRecursiveComparison().ignoringFields("payloadBase64").isEqualTo(r);
        assertThatThrownBy(() -> ParkedRecordJson.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3://bucket/spill/a.json");
    }

    @Test
    void saysWhatIsWrongWithSomethingElse() {
        assertThatThrownBy(() -> ParkedRecordJson.parse("not json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> ParkedRecordJson.parse("[1]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a JSON object");
        assertThatThrownBy(() -> ParkedRecordJson.parse("{\"shardId\":\"s\",\"payloadBase64\":\"\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("missing field \"sequenceNumber\"");
        assertThatThrownBy(() -> ParkedRecordJson.parse(
                "{\"shardId\":\"s\",\"sequenceNumber\":\"1\",\"payloadBase64\":\"\",\"parkedAt\":\"yesterday\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"parkedAt\" is not an ISO-8601 instant");
    }
}
