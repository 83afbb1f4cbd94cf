package io.shardwise.core.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.sink.ParkedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Observability: one JSON log line per batch (logger {@code io.shardwise.batch}), one per failed or parked record
 * (logger {@code io.shardwise.record}, no payload and no partition key value unless {@code logPayloads}), and CloudWatch Embedded Metric
 * Format metrics (namespace {@code shardwise}, dimension {@code consumer}) written to standard output, which is
 * how Lambda turns them into metrics. Thread-safe.
 */
final class BatchReporter {
    static final String NAMESPACE = "shardwise";
    private static final Logger BATCH_LOG = LoggerFactory.getLogger("io.shardwise.batch");
    private static final Logger RECORD_LOG = LoggerFactory.getLogger("io.shardwise.record");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ProcessingConfig config;

    BatchReporter(ProcessingConfig config) {
        this.config = config;
    }

    void report(List<? extends StreamRecord<?>> records, BatchResult result, int dedupCalls, Instant now) {
        StreamRecord<?> first = records.get(0);
        StreamRecord<?> last = records.get(records.size() - 1);
        Instant oldest = null;
        for (StreamRecord<?> r : records) {
            Instant t = r.approximateArrivalTime();
            if (t != null && (oldest == null || t.isBefore(oldest))) {
                oldest = t;
            }
        }
        long iteratorAgeMs = oldest == null ? -1 : iteratorAgeMillis(oldest, now);
        Map<Outcome, Long> counts = result.counts();
        if (BATCH_LOG.isInfoEnabled()) {
            ObjectNode line = MAPPER.createObjectNode();
            line.put("event", "batch");
            line.put("consumer", config.consumerName());
            line.put("shardId", first.shardId());
            line.put("firstSequenceNumber", first.sequenceNumber());
            line.put("lastSequenceNumber", last.sequenceNumber());
            line.put("records", records.size());
            ObjectNode c = line.putObject("outcomes");
            counts.forEach((k, v) -> c.put(k.name(), v));
            line.put("durationMs", result.duration().toMillis());
            if (iteratorAgeMs >= 0) {
                line.put("iteratorAgeMs", iteratorAgeMs);
            }
            line.put("dedupRequests", dedupCalls);
            if (!result.allDone()) {
                line.put("checkpointBefore", result.response().getBatchItemFailures().get(0).getItemIdentifier());
            }
            BATCH_LOG.info(line.toString());
        }
        if (config.metrics()) {
            emitMetrics(counts, result.duration(), iteratorAgeMs, dedupCalls);
        }
    }

    /**
     * now − oldest arrival, at least 0; -1 (not reported) when it does not fit a long of milliseconds: an arrival
     * time no clock gives must not fail the batch report after every effect ran (each retry would repeat them).
     */
    static long iteratorAgeMillis(Instant oldest, Instant now) {
        try {
            return Math.max(0, Duration.between(oldest, now).toMillis());
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private void emitMetrics(Map<Outcome, Long> counts, Duration duration, long iteratorAgeMs, int dedupCalls) {
        try {
            List<EmfLines.Metric> metrics = new ArrayList<>(8);
            metrics.add(new EmfLines.Metric("RecordsProcessed", counts.get(Outcome.PROCESSED), EmfLines.Unit.COUNT));
            metrics.add(new EmfLines.Metric("RecordsSkippedDuplicate", counts.get(Outcome.SKIPPED_DUPLICATE),
                    EmfLines.Unit.COUNT));
            metrics.add(new EmfLines.Metric("RecordsFailed", counts.get(Outcome.FAILED), EmfLines.Unit.COUNT));
            metrics.add(new EmfLines.Metric("RecordsParked", counts.get(Outcome.PARKED), EmfLines.Unit.COUNT));
            metrics.add(new EmfLines.Metric("RecordsNotAttempted", counts.get(Outcome.NOT_ATTEMPTED),
                    EmfLines.Unit.COUNT));
            metrics.add(new EmfLines.Metric("BatchDuration", duration.toMillis(), EmfLines.Unit.MILLISECONDS));
            if (iteratorAgeMs >= 0) {
                metrics.add(new EmfLines.Metric("IteratorAge", iteratorAgeMs, EmfLines.Unit.MILLISECONDS));
            }
            metrics.add(new EmfLines.Metric("DedupRequests", dedupCalls, EmfLines.Unit.COUNT));
            // Properties, not dimensions: they tie the EMF line to its invocation's logs without adding metrics.
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put(LambdaMdc.REQUEST_ID, LambdaMdc.requestId());
            properties.put(LambdaMdc.TRACE_ID, LambdaMdc.traceId());
            String line = EmfLines.render(NAMESPACE, Map.of("consumer", config.consumerName()), metrics, properties,
                    config.clock().instant());
            // Standard output is where Lambda reads EMF from; one println is one log event.
            System.out.println(line);
        } catch (RuntimeException e) {
            // Metrics must never fail a batch.
            BATCH_LOG.warn("Could not emit EMF metrics: {}", e.toString());
        }
    }

    void logFailed(StreamRecord<?> record, Throwable error, int attempts) {
        logRecord("record_failed", record, error, attempts);
    }

    void logParked(StreamRecord<?> record, Throwable error, int attempts) {
        logRecord("record_parked", record, error, attempts);
    }

    private void logRecord(String event, StreamRecord<?> record, Throwable error, int attempts) {
        ObjectNode line = MAPPER.createObjectNode();
        line.put("event", event);
        line.put("consumer", config.consumerName());
        line.put("shardId", record.shardId());
        line.put("sequenceNumber", record.sequenceNumber());
        if (record.isSubRecord()) {
            line.put("subSequenceNumber", record.subSequenceNumber());
        }
        if (config.logPayloads()) {
            line.put("partitionKey", record.partitionKey());
        } else if (record.partitionKey() != null) {
            // A key is user data too (a Kinesis key is often a user id; a DynamoDB stream record's is the item's
            // primary key values): a short salted hash still tells one key's lines apart from another's.
            line.put("partitionKeyHash", keyHash(record.partitionKey()));
        }
        line.put("attempts", attempts);
        if (error != null) {
            line.put("errorClass", errorClassOf(error));
            line.put("errorMessage", error.getMessage());
        }
        if (config.logPayloads()) {
            line.put("payloadBase64", Base64.getEncoder().encodeToString(record.dataBytes()));
        }
        if ("record_parked".equals(event)) {
            RECORD_LOG.warn(line.toString());
        } else {
            RECORD_LOG.error(line.toString());
        }
    }

    private String keyHash(String partitionKey) {
        return Hashing.sha256Hex((config.consumerName() + "#" + partitionKey).getBytes(StandardCharsets.UTF_8))
                .substring(0, 16);
    }

    /** DecodeException is the engine's internal wrapper: name the decoder's own exception, which users know. */
    static String errorClassOf(Throwable error) {
        Throwable named = error instanceof DecodeException && error.getCause() != null ? error.getCause() : error;
        return named.getClass().getName();
    }

    /** @param dedupId the record's marker id in the dedup store, or null without one (see ParkedRecord) */
    ParkedRecord parked(StreamRecord<?> r, String dedupId, Throwable error, int attempts, Instant now) {
        return new ParkedRecord(config.consumerName(), r.sourceArn(), r.shardId(), r.sequenceNumber(),
                r.subSequenceNumber(), r.partitionKey(), r.approximateArrivalTime(), r.eventId(),
                Base64.getEncoder().encodeToString(r.dataBytes()), errorClassOf(error), error.getMessage(),
                attempts, now, dedupId, r.explicitHashKey());
    }
}
