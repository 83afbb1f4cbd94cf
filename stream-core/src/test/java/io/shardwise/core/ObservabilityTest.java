package io.shardwise.core;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One JSON line per batch, one per failure/park, no payload unless asked, and EMF metrics. */
class ObservabilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private CapturedLogs logs;

    @BeforeEach
    void capture() {
        logs = CapturedLogs.of(Level.INFO, "io.shardwise.batch", "io.shardwise.record");
    }

    @AfterEach
    void release() {
        logs.close();
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String message : logs.messages()) {
            out.add(JSON.readTree(message));
        }
        return out;
    }

    @Test
    void logsOneBatchLineAndOneLinePerFailureWithoutPayloads() throws Exception {
        String secret = "customer-ssn-123-45-6789";
        List<StreamRecord<String>> batch = List.of(Records.record(0, "k", "ok"), Records.record(1, "k", secret),
                Records.record(2, "k", "later"));
        // The processor's own error message does not echo the payload; the library must not add it either.
        RecordProcessor<String> p = RecordProcessor.of((rec, ctx) -> {
            if (rec.payload().equals(secret)) {
                throw new IllegalStateException("downstream unavailable");
            }
        });
        BatchProcessor.create(p, ProcessingConfig.builder("obs").metrics(false).build()).process(batch, null);

        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(2);
        JsonNode failed = lines.get(0);
        assertThat(failed.get("event").asText()).isEqualTo("record_failed");
        assertThat(failed.get("sequenceNumber").asText()).isEqualTo(Records.seq(1));
        assertThat(failed.get("errorClass").asText()).isEqualTo(IllegalStateException.class.getName());
        assertThat(failed.has("payloadBase64")).isFalse();
        JsonNode b = lines.get(1);
        assertThat(b.get("event").asText()).isEqualTo("batch");
        assertThat(b.get("shardId").asText()).isEqualTo(Records.SHARD);
        assertThat(b.get("firstSequenceNumber").asText()).isEqualTo(Records.seq(0));
        assertThat(b.get("lastSequenceNumber").asText()).isEqualTo(Records.seq(2));
        assertThat(b.get("outcomes").get("PROCESSED").asInt()).isEqualTo(1);
        assertThat(b.get("outcomes").get("FAILED").asInt()).isEqualTo(1);
        assertThat(b.get("outcomes").get("NOT_ATTEMPTED").asInt()).isEqualTo(1);
        assertThat(b.get("iteratorAgeMs").asLong()).isPositive();
        assertThat(b.has("durationMs")).isTrue();
        assertThat(b.get("checkpointBefore").asText()).isEqualTo(Records.seq(1));
        // Neither the payload nor its base64 appears anywhere in the logs.
        String all = String.join("", logs.messages());
        assertThat(all).doesNotContain(secret)
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void payloadsAreLoggedOnlyWhenAskedFor() throws Exception {
        ScriptedProcessor p = new ScriptedProcessor().failing("visible", 1);
        BatchProcessor.create(p, ProcessingConfig.builder("obs").metrics(false).logPayloads(true).build())
                .process(List.of(Records.record(0, "k", "visible")), null);
        JsonNode failed = lines().get(0);
        assertThat(new String(java.util.Base64.getDecoder().decode(failed.get("payloadBase64").asText()),
                StandardCharsets.UTF_8)).isEqualTo("visible");
    }

    @Test
    void emitsEmbeddedMetricFormatToStandardOutput() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            BatchProcessor.create(new ScriptedProcessor().failing("r1", 1),
                    ProcessingConfig.builder("obs-metrics").build()).process(Records.shard(3, 1), null);
        } finally {
            System.setOut(original);
        }
        JsonNode emf = null;
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.contains("\"_aws\"")) {
                emf = JSON.readTree(line);
            }
        }
        assertThat(emf).as("an EMF line on stdout: %s", captured).isNotNull();
        assertThat(emf.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("shardwise");
        assertThat(emf.get("consumer").asText()).isEqualTo("obs-metrics");
        assertThat(emf.get("RecordsProcessed").asDouble()).isEqualTo(1.0);
        assertThat(emf.get("RecordsFailed").asDouble()).isEqualTo(1.0);
        assertThat(emf.get("RecordsNotAttempted").asDouble()).isEqualTo(1.0);
        assertThat(emf.has("BatchDuration")).isTrue();
        assertThat(emf.has("IteratorAge")).isTrue();
    }

    @Test
    void neitherDecoderNumbersNorKeyValuesReachTheDefaultLogs() throws Exception {
        String card = "4111111111111111";
        String key = "customer-7@example.com";
        RecordDecoder<String, String> decoder = raw -> {
            if (raw.payload().contains(card)) {
                // What Jackson says when a JSON number does not fit an int field: it quotes the number.
                throw new com.fasterxml.jackson.core.JsonParseException(null,
                        "Numeric value (" + card + ") out of range of int (-2147483648 - 2147483647)");
            }
            return raw.payload();
        };
        List<StreamRecord<String>> batch = List.of(Records.record(0, key, "{\"amount\":" + card + "}"),
                Records.record(1, key, "fails"));
        ScriptedProcessor p = new ScriptedProcessor().failing("fails", 1);
        BatchProcessor.create(p, decoder, ProcessingConfig.builder("obs").metrics(false)
                .failureSink(new RecordingSink()).build()).process(batch, null);

        List<JsonNode> lines = lines();
        assertThat(lines).extracting(l -> l.get("event").asText())
                .containsExactly("record_parked", "record_failed", "batch");
        String all = String.join("\n", logs.messages());
        assertThat(all).doesNotContain(card).doesNotContain(key);
        // A key is still recognisable across lines (same hash), without its value.
        assertThat(lines.get(0).get("partitionKeyHash").asText()).isNotBlank()
                .isEqualTo(lines.get(1).get("partitionKeyHash").asText());
    }

    @Test
    void keyValuesAreLoggedOnlyWhenPayloadsAreAskedFor() throws Exception {
        ScriptedProcessor p = new ScriptedProcessor().failing("visible", 1);
        BatchProcessor.create(p, ProcessingConfig.builder("obs").metrics(false).logPayloads(true).build())
                .process(List.of(Records.record(0, "customer-7", "visible")), null);
        assertThat(lines().get(0).get("partitionKey").asText()).isEqualTo("customer-7");
    }
}
