package io.shardwise.kinesis.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.shardwise.core.StreamProcessingException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Carries a tumbling window's typed state through Lambda, which stores a JSON object of strings between
 * invocations ({@code Map<String, String>} in the Java event classes): the state is serialized with Jackson into
 * one entry, {@value #STATE_KEY}. Thread-safe.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html">Lambda: tumbling
 *      windows</a>
 */
public final class WindowStateCodec<S> {

    /** The entry of Lambda's state map that holds the serialized state. */
    public static final String STATE_KEY = "shardwise.state";

    private final ObjectMapper mapper;
    private final ObjectReader reader;
    private final ObjectWriter writer;
    private final String typeName;
    private final long maxBytes;

    public WindowStateCodec(ObjectMapper mapper, JavaType type, long maxBytes) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.reader = mapper.readerFor(type);
        this.writer = mapper.writerFor(type);
        this.typeName = type.toCanonical();
        this.maxBytes = maxBytes;
    }

    /**
     * The state carried in, or null when there is none yet (a new window: Lambda sends an empty or no state).
     *
     * @throws StreamProcessingException if the entry is not JSON of the state type (e.g. the state class changed
     *                                   incompatibly while a window was open)
     */
    public S read(Map<String, String> state, String where) {
        String json = state == null ? null : state.get(STATE_KEY);
        if (json == null || json.isEmpty()) {
            return null;
        }
        try {
            return reader.readValue(json);
        } catch (JsonProcessingException e) {
            throw new StreamProcessingException("Cannot read the tumbling window state of " + where + " as "
                    + typeName + ": " + e.getOriginalMessage() + ". Was the state class changed while a window was "
                    + "open? Make the change backward compatible (e.g. ignore unknown properties, default new ones), "
                    + "or let the open windows end before deploying it.", e);
        }
    }

    /**
     * Lambda's state map for {@code state}.
     *
     * @throws StreamProcessingException if the state does not serialize, or if the state object as Lambda receives
     *                                   it (JSON, UTF-8) is larger than the limit
     */
    public Map<String, String> write(S state, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (state == null) {
            return out;
        }
        byte[] size;
        try {
            out.put(STATE_KEY, writer.writeValueAsString(state));
            // Measure what Lambda stores: the state object of the response, quotes and escapes included.
            size = mapper.writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new StreamProcessingException("Cannot serialize the tumbling window state of " + where + " ("
                    + state.getClass().getName() + ") as JSON: " + e.getOriginalMessage(), e);
        }
        if (size.length > maxBytes) {
            throw new StreamProcessingException("The tumbling window state of " + where + " is " + size.length
                    + " bytes as JSON, above Lambda's limit of " + maxBytes + " bytes per shard. Keep aggregates "
                    + "(counts, sums, top-N) in the state rather than records, or use a shorter window. The "
                    + "invocation fails so that no state is lost; Lambda retries it.");
        }
        return out;
    }
}
