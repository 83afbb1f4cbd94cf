package io.shardwise.testkit.esm;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Small helpers for the runner tests. */
final class Batches {

    static final Duration WAIT = Duration.ofSeconds(20);

    private Batches() {}

    /** The sequence numbers of an event, in order. */
    static List<String> seqs(KinesisEvent event) {
        return event.getRecords().stream().map(r -> r.getKinesis().getSequenceNumber()).toList();
    }

    static List<String> seqs(DynamodbEvent event) {
        return event.getRecords().stream().map(r -> r.getDynamodb().getSequenceNumber()).toList();
    }

    static String data(KinesisEvent.KinesisEventRecord record) {
        var buffer = record.getKinesis().getData().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A response naming these sequence numbers as failed. */
    static StreamsEventResponse failures(String... sequenceNumbers) {
        List<StreamsEventResponse.BatchItemFailure> list = new ArrayList<>();
        for (String s : sequenceNumbers) {
            list.add(StreamsEventResponse.BatchItemFailure.builder().withItemIdentifier(s).build());
        }
        return StreamsEventResponse.builder().withBatchItemFailures(list).build();
    }

    static StreamsEventResponse ok() {
        return StreamsEventResponse.builder().withBatchItemFailures(List.of()).build();
    }

    /** {@code "1".."n"} as strings. */
    static List<String> range(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    static List<String> list(String... values) {
        return Arrays.asList(values);
    }

    /** Waits for a condition that does not come from the runner (e.g. the in-memory stream was polled). */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + WAIT + ": " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
