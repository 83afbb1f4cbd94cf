package io.shardwise.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Renders one CloudWatch Embedded Metric Format document as a single JSON line: what Lambda's log pipeline turns
 * into metrics when a function writes it to standard output. The library writes its own few metrics this way
 * instead of depending on {@code aws-embedded-metrics} (which brings Jackson bean serialization, commons-lang3 and
 * more into every consumer's jar and cold start).
 *
 * <p>The document: {@code _aws.Timestamp} (epoch milliseconds), one metric directive ({@code Namespace}, one
 * dimension set of the dimension names given, each metric's {@code Name} and {@code Unit}), then the dimension
 * values, the metric values and the properties as top-level members. Limits the spec sets (at most 30 dimensions,
 * 100 metrics per directive) are far above what the library writes. Stateless and thread-safe.
 *
 * @see <a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html">
 *      Embedded metric format specification</a>
 */
public final class EmfLines {

    /** The units the library uses, spelled as CloudWatch's {@code StandardUnit}. */
    public enum Unit {
        COUNT("Count"), MILLISECONDS("Milliseconds");

        private final String wireName;

        Unit(String wireName) {
            this.wireName = wireName;
        }
    }

    /** One metric value. */
    public record Metric(String name, long value, Unit unit) {
    }

    private static final JsonFactory JSON = new JsonFactory();

    private EmfLines() {
    }

    /**
     * @param namespace  the metric namespace
     * @param dimensions dimension names to values, in order (one dimension set of all of them)
     * @param metrics    the values, names unique and distinct from dimension and property names
     * @param properties more members for the log line, not metrics (null values are left out)
     * @param timestamp  the metrics' time
     * @return the document, one line without a line terminator
     */
    public static String render(String namespace, Map<String, String> dimensions, List<Metric> metrics,
                                Map<String, String> properties, Instant timestamp) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("_aws");
            g.writeNumberField("Timestamp", timestamp.toEpochMilli());
            g.writeArrayFieldStart("CloudWatchMetrics");
            g.writeStartObject();
            g.writeStringField("Namespace", namespace);
            g.writeArrayFieldStart("Dimensions");
            g.writeStartArray();
            for (String name : dimensions.keySet()) {
                g.writeString(name);
            }
            g.writeEndArray();
            g.writeEndArray();
            g.writeArrayFieldStart("Metrics");
            for (Metric m : metrics) {
                g.writeStartObject();
                g.writeStringField("Name", m.name());
                g.writeStringField("Unit", m.unit().wireName);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            for (Map.Entry<String, String> d : dimensions.entrySet()) {
                g.writeStringField(d.getKey(), d.getValue());
            }
            for (Metric m : metrics) {
                g.writeNumberField(m.name(), m.value());
            }
            for (Map.Entry<String, String> p : properties.entrySet()) {
                if (p.getValue() != null) {
                    g.writeStringField(p.getKey(), p.getValue());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }
}
