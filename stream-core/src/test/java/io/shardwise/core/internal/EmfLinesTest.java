package io.shardwise.core.internal;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The EMF document as the specification describes it: the {@code _aws} metadata with one directive, then the
 * dimension, metric and property members at the root.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
class EmfLinesTest {

    @Test
    void rendersOneDirectiveWithTheTargetMembersAtTheRoot() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("AWSRequestId", "req-1");
        properties.put("xrayTraceId", null); // left out

        String line = EmfLines.render("shardwise", Map.of("consumer", "order-totals"),
                List.of(new EmfLines.Metric("RecordsProcessed", 3, EmfLines.Unit.COUNT),
                        new EmfLines.Metric("BatchDuration", 42, EmfLines.Unit.MILLISECONDS)),
                properties, Instant.ofEpochMilli(1_765_000_000_123L));

        assertThat(line).isEqualTo("{\"_aws\":{\"Timestamp\":1765000000123,\"CloudWatchMetrics\":[{"
                + "\"Namespace\":\"shardwise\",\"Dimensions\":[[\"consumer\"]],\"Metrics\":["
                + "{\"Name\":\"RecordsProcessed\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"BatchDuration\",\"Unit\":\"Milliseconds\"}]}]},"
                + "\"consumer\":\"order-totals\",\"RecordsProcessed\":3,\"BatchDuration\":42,"
                + "\"AWSRequestId\":\"req-1\"}");
    }

    @Test
    void escapesValuesAsJson() {
        String line = EmfLines.render("ns", Map.of("consumer", "a\"b\n"), List.of(), Map.of(), Instant.EPOCH);

        assertThat(line).contains("\"consumer\":\"a\\\"b\\n\"").doesNotContain("\n");
    }
}
