package io.shardwise.examples.release;

import io.shardwise.core.BatchProcessor;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.testkit.FakeContext;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Run by {@link LambdaLoggingTest} in a child JVM (its own logging configuration, environment and default
 * charset): one batch of two records whose second fails, with metrics on. Prints the request id on stderr.
 */
public final class OneLoggedBatch {

    private OneLoggedBatch() {
    }

    public static void main(String[] args) {
        FakeContext context = FakeContext.create();
        System.err.println("requestId=" + context.getAwsRequestId());
        RecordProcessor<String> processor = RecordProcessor.of((record, ctx) -> {
            if (record.payload().equals("bad")) {
                throw new IllegalStateException("downstream unavailable: café … naïve");
            }
        });
        try (BatchProcessor<String, String> batch = BatchProcessor.create(processor,
                ProcessingConfig.builder("logging-test").build())) {
            batch.process(List.of(record("ok", "1"), record("bad", "2")), context);
        }
    }

    private static StreamRecord<String> record(String payload, String sequenceNumber) {
        return new StreamRecord<>(payload, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)), "key-1",
                "shardId-000000000000", "arn:aws:kinesis:us-east-1:123456789012:stream/orders", sequenceNumber,
                StreamRecord.NO_SUB_SEQUENCE, Instant.now(), "shardId-000000000000:" + sequenceNumber);
    }
}
