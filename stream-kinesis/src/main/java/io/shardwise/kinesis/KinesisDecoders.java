package io.shardwise.kinesis;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.StreamRecord;
import io.shardwise.kinesis.internal.Buffers;
import io.shardwise.core.internal.Redaction;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Ready-made payload decoders for {@link KinesisBatchHandler} and {@link KinesisWindowHandler}: JSON (Jackson),
 * UTF-8 text, raw bytes, or your own {@link Deserializer}.
 *
 * <pre>{@code
 * KinesisDecoders.json(Order.class)                          // {"orderId": ...} -> Order
 * KinesisDecoders.json(new TypeReference<Map<String, Long>>() {})
 * KinesisDecoders.json(Order.class, myObjectMapper)
 * KinesisDecoders.utf8()                                     // -> String
 * KinesisDecoders.using(bytes -> Order.parseFrom(bytes))     // protobuf, Avro, ...
 * }</pre>
 *
 * <h2>Contract of every decoder returned here</h2>
 * <ul>
 *   <li>It reads the record's raw payload ({@link StreamRecord#payload()}, or {@link StreamRecord#data()} when the
 *       payload is null) from its position to its limit, through a duplicate: the caller's buffer is never moved,
 *       and {@code array()} is never called, so read-only and direct buffers work.</li>
 *   <li>A payload it cannot decode makes it throw {@link KinesisDecodeException}, a
 *       {@link io.shardwise.core.NonRetryableException} naming the record and the problem, with the underlying error
 *       as its cause. Values the parser quotes in its message are replaced with {@code "…"}, since the message is
 *       logged and payloads may hold personal data; the cause keeps the original message. The engine parks such a record at once with its raw bytes; it never
 *       fails the batch.</li>
 *   <li>It is immutable and thread-safe.</li>
 * </ul>
 */
public final class KinesisDecoders {

    /**
     * Your own bytes-to-object conversion (protobuf, Avro, a custom format). Receives a fresh copy of the record's
     * bytes, which it may keep or modify. Whatever it throws becomes a {@link KinesisDecodeException} (the record is
     * parked). It may be called from several threads at once (records of different partition keys in parallel),
     * so it must be thread-safe. It may return null if null is a payload your processor accepts.
     *
     * @param <T> the payload type
     */
    @FunctionalInterface
    public interface Deserializer<T> {
        /**
         * @param data a copy of the record's bytes
         * @return the payload
         * @throws Exception if the bytes are not a valid payload (the record is parked)
         */
        T deserialize(byte[] data) throws Exception;
    }

    private static final ObjectMapper DEFAULT_MAPPER = defaultObjectMapper();

    private KinesisDecoders() {
    }

    /**
     * A new {@link ObjectMapper} configured as the one {@link #json(Class)} uses, for you to adjust and pass to
     * {@link #json(Class, ObjectMapper)}: modules on the class path registered ({@code findAndAddModules}, e.g.
     * {@code java.time} support); unknown properties ignored, so a producer adding a field does not park every
     * record; trailing content after the JSON value rejected, so a corrupted payload is not half-read.
     */
    public static ObjectMapper defaultObjectMapper() {
        return JsonMapper.builder()
                .findAndAddModules()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /** JSON to {@code type}, with {@link #defaultObjectMapper()}. */
    public static <T> RecordDecoder<ByteBuffer, T> json(Class<T> type) {
        return json(type, DEFAULT_MAPPER);
    }

    /**
     * JSON to {@code type}, with your mapper used exactly as configured. A JSON {@code null} payload is rejected
     * (a {@link KinesisDecodeException}), as is an empty one.
     *
     * @param mapper configured once and not modified afterwards (Jackson's rule for sharing a mapper)
     */
    public static <T> RecordDecoder<ByteBuffer, T> json(Class<T> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mapper, "mapper");
        return new JsonDecoder<>(mapper, mapper.constructType(type));
    }

    /** JSON to a generic type such as {@code List<Order>}, with {@link #defaultObjectMapper()}. */
    public static <T> RecordDecoder<ByteBuffer, T> json(TypeReference<T> type) {
        return json(type, DEFAULT_MAPPER);
    }

    /** JSON to a generic type, with your mapper; otherwise as {@link #json(Class, ObjectMapper)}. */
    public static <T> RecordDecoder<ByteBuffer, T> json(TypeReference<T> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mapper, "mapper");
        return new JsonDecoder<>(mapper, mapper.constructType(type));
    }

    /**
     * Strict UTF-8 text: malformed input is a {@link KinesisDecodeException} naming the byte offset, not a
     * silently substituted {@code U+FFFD}.
     */
    public static RecordDecoder<ByteBuffer, String> utf8() {
        return KinesisDecoders::decodeUtf8;
    }

    /** The raw bytes as a fresh array (a copy: yours to keep or modify). Never fails. */
    public static RecordDecoder<ByteBuffer, byte[]> bytes() {
        return raw -> Buffers.copy(bytesOf(raw));
    }

    /**
     * The raw bytes as a read-only buffer positioned at zero, sharing the record's memory (no copy). Each record
     * gets its own buffer object, so reading it does not disturb anyone else. Never fails.
     */
    public static RecordDecoder<ByteBuffer, ByteBuffer> byteBuffer() {
        return raw -> Buffers.readOnlySlice(bytesOf(raw));
    }

    /** Your own conversion, given a fresh copy of the bytes; see {@link Deserializer}. */
    public static <T> RecordDecoder<ByteBuffer, T> using(Deserializer<T> deserializer) {
        Objects.requireNonNull(deserializer, "deserializer");
        return raw -> {
            byte[] bytes = Buffers.copy(bytesOf(raw));
            try {
                return deserializer.deserialize(bytes);
            } catch (KinesisDecodeException e) {
                throw e;
            } catch (Exception e) {
                throw new KinesisDecodeException(raw, "Deserializer " + deserializer.getClass().getName()
                        + " failed on " + bytes.length + " bytes: " + e.getClass().getName() + ": "
                        + Redaction.quotedValues(e.getMessage()), e);
            }
        };
    }

    /** The raw payload as given (position to limit), falling back to the record's data. Not consumed. */
    private static ByteBuffer bytesOf(StreamRecord<ByteBuffer> raw) {
        ByteBuffer payload = raw.payload();
        return payload != null ? payload.duplicate() : raw.data();
    }

    private static String decodeUtf8(StreamRecord<ByteBuffer> raw) throws KinesisDecodeException {
        ByteBuffer in = bytesOf(raw);
        int start = in.position();
        // A CharsetDecoder is stateful and not thread-safe: one per call (cheap next to the decoding itself).
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(in);
            return chars.toString();
        } catch (MalformedInputException e) {
            throw new KinesisDecodeException(raw, "Invalid UTF-8 at byte offset " + (in.position() - start)
                    + " (a malformed sequence of " + e.getInputLength() + " byte" + (e.getInputLength() == 1 ? ""
                    : "s") + ")", e);
        } catch (CharacterCodingException e) {
            throw new KinesisDecodeException(raw, "Invalid UTF-8 at byte offset " + (in.position() - start) + ": "
                    + e, e);
        }
    }

    /**
     * A JSON path such as {@code $.lines[2].amount}: property names are schema, kept; map keys are data, redacted
     * (Jackson's own path reference would print them).
     */
    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder b = new StringBuilder("$");
        for (JsonMappingException.Reference r : refs) {
            if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            } else if (r.getFrom() instanceof Map<?, ?>
                    || (r.getFrom() instanceof Class<?> c && Map.class.isAssignableFrom(c))) {
                b.append("[\"…\"]");
            } else if (r.getFieldName() != null) {
                b.append('.').append(r.getFieldName());
            }
        }
        return b.toString();
    }

    /** Jackson decoding through a pre-built, immutable {@link ObjectReader}. */
    private static final class JsonDecoder<T> implements RecordDecoder<ByteBuffer, T> {
        /**
         * Payloads up to this size are copied into a per-thread scratch array and parsed from there: parsing an
         * array is Jackson's fast path, and the record's read-only buffer hides its array (the InputStream path
         * adds encoding detection and a buffer fill per record). Larger payloads use the stream.
         */
        private static final int SCRATCH_BYTES = 16 * 1024;

        private final ObjectReader reader;
        private final String typeName;
        /**
         * Null when the mapper puts the source into error locations: a parse error would then point at the
         * scratch array, which later holds other records' bytes.
         */
        private final ThreadLocal<byte[]> scratch;

        JsonDecoder(ObjectMapper mapper, JavaType type) {
            this.reader = mapper.readerFor(type);
            this.typeName = type.toCanonical();
            this.scratch = reader.isEnabled(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION) ? null
                    : ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);
        }

        @Override
        public T decode(StreamRecord<ByteBuffer> raw) throws KinesisDecodeException {
            ByteBuffer given = raw.payload() != null ? raw.payload() : raw.data();
            int length = given.remaining();
            T value;
            try {
                if (given.hasArray()) {
                    // Heap and writable: parse in place. hasArray() is false for read-only and direct buffers.
                    value = reader.readValue(given.array(), given.arrayOffset() + given.position(), length);
                } else if (scratch != null && length <= SCRATCH_BYTES) {
                    // An absolute get: the payload's position is not moved. Jackson keeps no reference to the
                    // array once readValue returns.
                    byte[] bytes = scratch.get();
                    given.get(given.position(), bytes, 0, length);
                    value = reader.readValue(bytes, 0, length);
                } else {
                    value = reader.readValue(new ByteBufferBackedInputStream(given.duplicate()));
                }
            } catch (JsonProcessingException e) {
                throw new KinesisDecodeException(raw, describe(e, length), e);
            } catch (IOException e) {
                throw new KinesisDecodeException(raw, "Cannot read the " + length + "-byte payload as JSON " + typeName
                        + ": " + e.getClass().getName(), e);
            }
            if (value == null) {
                throw new KinesisDecodeException(raw, "JSON payload is the literal null, not a " + typeName, null);
            }
            return value;
        }

        /**
         * What went wrong: Jackson's own message with the values it quotes redacted (they are payload), the
         * location and, for shape errors, the property path.
         */
        private String describe(JsonProcessingException e, int length) {
            StringBuilder b = new StringBuilder();
            if (length == 0) {
                b.append("Empty payload, expected JSON ").append(typeName);
            } else if (e instanceof JsonParseException) {
                b.append("Malformed JSON (expected ").append(typeName).append(')');
            } else {
                b.append("JSON does not match ").append(typeName);
            }
            b.append(": ").append(Redaction.quotedValues(e.getOriginalMessage()));
            JsonLocation loc = e.getLocation();
            if (loc != null && loc.getLineNr() > 0) {
                b.append(" at line ").append(loc.getLineNr()).append(", column ").append(loc.getColumnNr());
            }
            if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
                b.append(", path ").append(path(m.getPath()));
            }
            return b.toString();
        }
    }
}
