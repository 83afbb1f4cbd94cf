package io.shardwise.examples.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recommended logging setup (examples/quickstart/src/main/resources/logback.xml, shown in the README) as Lambda
 * runs it: a fresh JVM whose default charset is US-ASCII, with Lambda's environment variables, writing one batch's
 * lines to standard output. Every line is a JSON object with what Lambda's JSON log format reads ({@code level},
 * an RFC 3339 {@code timestamp}) and the invocation's ids; {@code AWS_LAMBDA_LOG_LEVEL} filters; EMF lines carry
 * the request id.
 */
class LambdaLoggingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
            + "Sampled=1";

    @Test
    void everyLineIsJsonWithLevelTimestampLoggerRequestIdAndTraceIdInUtf8() throws Exception {
        Run run = run(Map.of("_X_AMZN_TRACE_ID", TRACE_HEADER));

        List<JsonNode> logLines = run.lines.stream().filter(l -> l.has("logger")).toList();
        assertThat(logLines).extracting(l -> l.get("logger").asText() + " " + l.get("level").asText())
                .containsExactly("io.shardwise.record ERROR", "io.shardwise.batch INFO");
        for (JsonNode line : logLines) {
            OffsetDateTime.parse(line.get("timestamp").asText()); // RFC 3339, or this throws
            assertThat(line.get("AWSRequestId").asText()).isEqualTo(run.requestId);
            assertThat(line.get("xrayTraceId").asText()).isEqualTo("1-5759e988-bd862e3fe1be46a994272793");
        }
        assertThat(logLines.get(0).get("message").asText()).contains("downstream unavailable: café … naïve");
    }

    @Test
    void emfLinesCarryTheRequestIdAsAProperty() throws Exception {
        Run run = run(Map.of());

        List<JsonNode> emf = run.lines.stream().filter(l -> l.has("_aws")).toList();
        assertThat(emf).hasSize(1);
        assertThat(emf.get(0).get("AWSRequestId").asText()).isEqualTo(run.requestId);
        assertThat(emf.get(0).get("RecordsFailed").asInt()).isEqualTo(1);
    }

    @Test
    void awsLambdaLogLevelDropsTheLinesBelowIt() throws Exception {
        Run run = run(Map.of("AWS_LAMBDA_LOG_LEVEL", "WARN"));

        assertThat(run.lines.stream().filter(l -> l.has("logger")))
                .extracting(l -> l.get("logger").asText() + " " + l.get("level").asText())
                .containsExactly("io.shardwise.record ERROR");
    }

    private record Run(String requestId, List<JsonNode> lines) {
    }

    private static Run run(Map<String, String> environment) throws IOException, InterruptedException {
        Path config = ReadmeQuickStartTest.QUICKSTART.resolve("src/main/resources/logback.xml").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dfile.encoding=US-ASCII", "-Dsun.stdout.encoding=US-ASCII",
                "-Dlogback.configurationFile=" + config,
                "-cp", System.getProperty("java.class.path"), OneLoggedBatch.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("AWS_LAMBDA_LOG_LEVEL");
        builder.environment().remove("_X_AMZN_TRACE_ID");
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("child JVM, stderr:\n" + err).isZero();
        String requestId = err.lines().filter(l -> l.startsWith("requestId=")).findFirst().orElseThrow()
                .substring("requestId=".length());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line)); // every line of standard output is one JSON object
            }
        }
        return new Run(requestId, lines);
    }
}
