package io.shardwise.kinesis;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.shardwise.core.ExceptionClassifier;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.StreamRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.shardwise.kinesis.Events.ARN;
import static io.shardwise.kinesis.Events.SHARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class KinesisDecodersTest {

    private static final String ORDER = "{\"orderId\":\"o-1\",\"customer\":\"alice\",\"amount\":120,\"action\":\"ok\"}";

    // ---- JSON ---------------------------------------------------------------------------------------------------

    @Test
    void jsonToAClass() throws Exception {
        assertThat(KinesisDecoders.json(Order.class).decode(raw(ORDER)))
                .isEqualTo(new Order("o-1", "alice", 120, "ok"));
    }

    @Test
    void jsonToAGenericType() throws Exception {
        RecordDecoder<ByteBuffer, List<Map<String, Long>>> decoder =
                KinesisDecoders.json(new TypeReference<List<Map<String, Long>>>() { });

        assertThat(decoder.decode(raw("[{\"a\":1},{\"b\":2}]"))).containsExactly(Map.of("a", 1L), Map.of("b", 2L));
    }

    @Test
    void defaultMapperIgnoresUnknownPropertiesAndReadsJavaTime() throws Exception {
        record Stamped(String id, Instant at) { }

        Stamped s = KinesisDecoders.json(Stamped.class)
                .decode(raw("{\"id\":\"x\",\"at\":\"2020-12-09T07:04:00Z\",\"addedLater\":true}"));

        assertThat(s).isEqualTo(new Stamped("x", Instant.parse("2020-12-09T07:04:00Z")));
    }

    @Test
    void aCustomMapperIsUsedAsConfigured() {
        ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

        KinesisDecodeException e = decodeFailure(KinesisDecoders.json(Order.class, strict),
                raw("{\"orderId\":\"o-1\",\"extra\":1}"));

        assertThat(e).hasMessageStartingWith("JSON does not match io.shardwise.kinesis.Order: Unrecognized field "
                + "\"…\"").hasMessageContaining("path $.extra");
    }

    @Test
    void malformedJsonIsANonRetryableDecodeErrorNamingTheRecordAndLocation() {
        KinesisDecodeException e = decodeFailure(KinesisDecoders.json(Order.class),
                raw("{\"orderId\":\"o-2\",\"customer\":\"bob\",\"amount\":"));

        assertThat(e).hasMessageStartingWith("Malformed JSON (expected io.shardwise.kinesis.Order): Unexpected "
                        + "end-of-input")
                .hasMessageContaining("at line 1, column ")
                .hasMessageEndingWith("[shard " + SHARD + ", sequence number 7]")
                .hasCauseInstanceOf(JsonParseException.class);
        assertThat(e).isInstanceOf(NonRetryableException.class);
        assertThat(ExceptionClassifier.DEFAULT.isRetryable(e)).isFalse();
        assertThat(e.getMessage()).doesNotContain("o-2").doesNotContain("bob");
    }

    @Test
    void wronglyShapedJsonNamesThePath() {
        KinesisDecodeException e = decodeFailure(KinesisDecoders.json(Order.class),
                raw("{\"orderId\":\"o-1\",\"amount\":\"a lot\"}"));

        assertThat(e).hasMessageStartingWith("JSON does not match io.shardwise.kinesis.Order: Cannot deserialize "
                        + "value of type `long` from String \"…\"")
                .hasMessageContaining("path $.amount")
                .hasCauseInstanceOf(MismatchedInputException.class);
        assertThat(e.getMessage()).doesNotContain("a lot");
        assertThat(e.getCause().getMessage()).contains("a lot");
    }

    @Test
    void payloadValuesQuotedByTheParserAreRedacted() {
        KinesisDecodeException syntax = decodeFailure(KinesisDecoders.json(Order.class), raw("secret-token"));
        KinesisDecodeException mapKey = decodeFailure(KinesisDecoders.json(
                new TypeReference<Map<String, List<Long>>>() { }), raw("{\"alice@example.com\":[1,\"x\"]}"));

        assertThat(syntax).hasMessageStartingWith("Malformed JSON (expected io.shardwise.kinesis.Order): "
                + "Unrecognized token '…'");
        assertThat(syntax.getMessage()).doesNotContain("secret");
        assertThat(mapKey).hasMessageContaining("path $[\"…\"][1]");
        assertThat(mapKey.getMessage()).doesNotContain("alice").doesNotContain("\"x\"");
    }

    @Test
    void anArrayWhereAnObjectIsExpectedIsAShapeError() {
        assertThat(decodeFailure(KinesisDecoders.json(Order.class), raw("[1,2]")))
                .hasMessageStartingWith("JSON does not match io.shardwise.kinesis.Order");
    }

    @Test
    void emptyNullAndTrailingGarbageAreRejected() {
        RecordDecoder<ByteBuffer, Order> json = KinesisDecoders.json(Order.class);

        assertThat(decodeFailure(json, raw(""))).hasMessageStartingWith("Empty payload, expected JSON "
                + "io.shardwise.kinesis.Order");
        assertThat(decodeFailure(json, raw("null"))).hasMessageStartingWith("JSON payload is the literal null, not a "
                + "io.shardwise.kinesis.Order");
        assertThat(decodeFailure(json, raw(ORDER + " {}"))).hasMessageStartingWith("JSON does not match "
                + "io.shardwise.kinesis.Order: Trailing token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap-offset", "read-only", "direct", "direct-read-only"})
    void jsonFromAnyKindOfBufferWithoutMovingIt(String kind) throws Exception {
        ByteBuffer buffer = buffer(kind, "garbage-before" + ORDER, 14);

        StreamRecord<ByteBuffer> raw = raw(buffer);
        assertThat(KinesisDecoders.json(Order.class).decode(raw)).isEqualTo(new Order("o-1", "alice", 120, "ok"));
        assertThat(buffer.position()).isEqualTo(14);
        assertThat(buffer.remaining()).isEqualTo(ORDER.length());
    }

    // ---- UTF-8, bytes, buffers ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"heap-offset", "read-only", "direct", "direct-read-only"})
    void utf8AndBytesFromAnyKindOfBufferWithoutMovingIt(String kind) throws Exception {
        ByteBuffer buffer = buffer(kind, "xxxgrüße, 世界", 3);
        StreamRecord<ByteBuffer> raw = raw(buffer);

        assertThat(KinesisDecoders.utf8().decode(raw)).isEqualTo("grüße, 世界");
        assertThat(KinesisDecoders.bytes().decode(raw)).isEqualTo("grüße, 世界".getBytes(StandardCharsets.UTF_8));
        ByteBuffer view = KinesisDecoders.byteBuffer().decode(raw);
        assertThat(view.position()).isZero();
        assertThat(view.isReadOnly()).isTrue();
        assertThat(StandardCharsets.UTF_8.decode(view).toString()).isEqualTo("grüße, 世界");
        assertThat(buffer.position()).isEqualTo(3);
        assertThat(KinesisDecoders.utf8().decode(raw)).isEqualTo("grüße, 世界");
    }

    @Test
    void bytesAreACopy() throws Exception {
        StreamRecord<ByteBuffer> raw = raw("abc");
        byte[] first = KinesisDecoders.bytes().decode(raw);
        first[0] = 'X';

        assertThat(KinesisDecoders.bytes().decode(raw)).isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void invalidUtf8NamesTheOffset() {
        byte[] bad = {'o', 'k', (byte) 0xC3, 0x28, 'x'};

        KinesisDecodeException e = decodeFailure(KinesisDecoders.utf8(), raw(ByteBuffer.wrap(bad)));

        assertThat(e).hasMessageStartingWith("Invalid UTF-8 at byte offset 2 (a malformed sequence of 1 byte)");
        assertThat(ExceptionClassifier.DEFAULT.isRetryable(e)).isFalse();
    }

    @Test
    void aRecordWithoutPayloadIsReadFromItsData() throws Exception {
        StreamRecord<ByteBuffer> raw = new StreamRecord<>(null, ByteBuffer.wrap("data".getBytes(StandardCharsets.UTF_8)),
                "k", SHARD, ARN, "1", StreamRecord.NO_SUB_SEQUENCE, null, null);

        assertThat(KinesisDecoders.utf8().decode(raw)).isEqualTo("data");
    }

    // ---- user deserializer --------------------------------------------------------------------------------------

    @Test
    void aDeserializerGetsACopyOfTheBytes() throws Exception {
        ByteBuffer buffer = buffer("direct-read-only", "..42", 2);

        Integer value = KinesisDecoders.using(bytes -> {
            bytes[0] = 'X'; // scribbling on the copy must not matter
            return Integer.parseInt(new String(bytes, StandardCharsets.UTF_8).substring(1)) + 100;
        }).decode(raw(buffer));

        assertThat(value).isEqualTo(102);
        assertThat(KinesisDecoders.utf8().decode(raw(buffer))).isEqualTo("42");
    }

    @Test
    void aFailingDeserializerBecomesADecodeError() {
        KinesisDecoders.Deserializer<Integer> parse = bytes -> Integer.parseInt(new String(bytes,
                StandardCharsets.UTF_8));

        KinesisDecodeException e = decodeFailure(KinesisDecoders.using(parse), raw("forty-two"));

        assertThat(e).hasMessageContaining("failed on 9 bytes: java.lang.NumberFormatException: For input string: "
                        + "\"…\"")
                .hasCauseInstanceOf(NumberFormatException.class);
        assertThat(e.getMessage()).doesNotContain("forty");
        assertThat(ExceptionClassifier.DEFAULT.isRetryable(e)).isFalse();
    }

    @Test
    void subRecordPositionIsInTheMessage() {
        StreamRecord<ByteBuffer> sub = new StreamRecord<>(ByteBuffer.wrap(new byte[]{'{'}), null, "k", SHARD, ARN,
                "9", 4, null, null);

        KinesisDecodeException e = decodeFailure(KinesisDecoders.json(Order.class), sub);

        assertThat(e).hasMessageEndingWith("[shard " + SHARD + ", sequence number 9, sub-sequence 4]");
        assertThat(e.subSequenceNumber()).isEqualTo(4);
    }

    // ---- JSON from read-only buffers (scratch-array path and stream path) ---------------------------------------

    @Test
    void readOnlyPayloadsOfAnySizeDecodeAndOneRecordNeverSeesAnothersBytes() throws Exception {
        RecordDecoder<ByteBuffer, Order> decoder = KinesisDecoders.json(Order.class);
        String big = "x".repeat(40_000); // beyond the scratch array: read through a stream
        List<String> customers = List.of("alice", big, "bob", "c", big + "y", "dave");
        for (String customer : customers) {
            String json = "{\"orderId\":\"o\",\"customer\":\"" + customer + "\",\"amount\":1,\"action\":\"ok\"}";
            ByteBuffer readOnly = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
            assertThat(decoder.decode(raw(readOnly))).isEqualTo(new Order("o", customer, 1, "ok"));
        }
        // A short malformed record right after a long valid one: the error is about its own bytes only.
        ByteBuffer truncated = ByteBuffer.wrap("{\"orderId\":\"o\"".getBytes(StandardCharsets.UTF_8))
                .asReadOnlyBuffer();
        KinesisDecodeException e = decodeFailure(decoder, raw(truncated));
        assertThat(e.getMessage()).contains("Malformed JSON").doesNotContain("xxx");
    }

    @Test
    void aMapperThatPutsTheSourceIntoErrorsKeepsEachErrorAboutItsOwnRecord() {
        ObjectMapper withSource = KinesisDecoders.defaultObjectMapper();
        withSource.getFactory().enable(com.fasterxml.jackson.core.JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION);
        RecordDecoder<ByteBuffer, Order> decoder = KinesisDecoders.json(Order.class, withSource);
        KinesisDecodeException e = decodeFailure(decoder, raw(ByteBuffer.wrap("{\"orderId\":"
                .getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer()));
        // Another record decoded afterwards on the same thread. Jackson renders the source when the message is
        // read: had the failed record been parsed from a reused array, its error would now quote these bytes.
        String secret = "{\"zzsecretzz\":1,\"orderId\":\"o\",\"customer\":\"c\",\"amount\":1,\"action\":\"ok\"}";
        assertThatCode(() -> decoder.decode(raw(ByteBuffer.wrap(secret.getBytes(StandardCharsets.UTF_8))
                .asReadOnlyBuffer()))).doesNotThrowAnyException();
        assertThat(e.getCause().getMessage()).doesNotContain("secret");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static StreamRecord<ByteBuffer> raw(String text) {
        return raw(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A raw record whose payload is exactly the given buffer (position and all), as a caller might build it. */
    static StreamRecord<ByteBuffer> raw(ByteBuffer payload) {
        return new StreamRecord<>(payload, payload.slice(), "k", SHARD, ARN, "7", StreamRecord.NO_SUB_SEQUENCE,
                null, SHARD + ":7");
    }

    private static ByteBuffer buffer(String kind, String text, int position) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = switch (kind) {
            case "heap-offset", "read-only" -> ByteBuffer.wrap(bytes);
            case "direct", "direct-read-only" -> ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            default -> throw new IllegalArgumentException(kind);
        };
        if (kind.endsWith("read-only")) {
            b = b.asReadOnlyBuffer();
        }
        b.position(position);
        return b;
    }

    private static KinesisDecodeException decodeFailure(RecordDecoder<ByteBuffer, ?> decoder,
                                                        StreamRecord<ByteBuffer> raw) {
        KinesisDecodeException e = catchThrowableOfType(KinesisDecodeException.class, () -> decoder.decode(raw));
        assertThat(e).as("expected a KinesisDecodeException").isNotNull();
        return e;
    }
}
