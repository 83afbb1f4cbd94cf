package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.fasterxml.jackson.databind.ObjectReader;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import io.shardwise.kinesis.internal.KinesisRecords;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the handler's extra allocation per record goes, step by step, against the hand-written loop: each step of
 * shardwise's path without dedup run alone over a 1,000-record batch, bytes allocated by the calling thread
 * ({@code com.sun.management.ThreadMXBean}) per record, after a warm-up. Deterministic enough to read without
 * JMH; JIT escape analysis can remove some allocations inside a larger compiled method, so the steps need not add
 * up exactly to the whole.
 *
 * <p>Uses {@code io.shardwise.kinesis.internal.KinesisRecords}, the adapter's mapping step, directly: a benchmark
 * may look inside; users may not.
 */
public final class AllocationBreakdown {

    /** One step and its bytes per record. */
    public record Step(String step, String where, double bytesPerRecord) {
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationBreakdown() {
    }

    public static List<Step> measure(int records, int keys, int payloadBytes) {
        KinesisEvent event = Workload.event(records, keys, payloadBytes, 0);
        List<StreamRecord<ByteBuffer>> mapped = KinesisRecords.toStreamRecords(event.getRecords(), true, null);
        RecordDecoder<ByteBuffer, Order> json = KinesisDecoders.json(Order.class);
        ObjectReader reader = KinesisDecoders.defaultObjectMapper().readerFor(Order.class);
        HandWrittenLoop loop = new HandWrittenLoop(order -> { });
        List<Step> out = new ArrayList<>();
        try (KinesisBatchHandler<Order> handler = KinesisBatchHandler.builder(RecordProcessor.<Order>of((r, c) -> { }))
                .decoder(json).config(ProcessingConfig.builder("alloc").metrics(false).build()).build()) {
            out.add(step("hand-written loop, whole batch", "HandWrittenLoop", records,
                    () -> loop.handleRequest(event)));
            out.add(step("shardwise without dedup, whole batch (null context)", "KinesisBatchHandler.handleRequest",
                    records, () -> handler.handleRequest(event, null)));
            out.add(step("Jackson from the runtime's byte array (the loop's decode)", "ObjectReader.readValue(byte[])",
                    records, () -> {
                        Object last = null;
                        for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
                            ByteBuffer d = r.getKinesis().getData();
                            last = reader.readValue(d.array(), d.arrayOffset() + d.position(), d.remaining());
                        }
                        return last;
                    }));
            out.add(step("shardwise's JSON decoder (read-only buffer, copied to a per-thread array)",
                    "KinesisDecoders.json → JsonDecoder.decode", records, () -> {
                        Object last = null;
                        for (StreamRecord<ByteBuffer> r : mapped) {
                            last = json.decode(r);
                        }
                        return last;
                    }));
            out.add(step("mapping the event to StreamRecords", "KinesisRecords.toStreamRecords", records,
                    () -> KinesisRecords.toStreamRecords(event.getRecords(), true, null)));
            out.add(step("a second StreamRecord per record for the decoded payload", "StreamRecord.withPayload",
                    records, () -> {
                        Object last = null;
                        for (StreamRecord<ByteBuffer> r : mapped) {
                            last = r.withPayload(r);
                        }
                        return last;
                    }));
            out.add(step("the position key string (built only with a dedup store, or when asked)", "StreamRecord.positionKey",
                    records, () -> {
                        Object last = null;
                        for (StreamRecord<ByteBuffer> r : mapped) {
                            last = r.positionKey();
                        }
                        return last;
                    }));
        }
        return out;
    }

    /** Something to keep results reachable so that the JIT cannot drop the work. */
    private static volatile Object sink;

    private interface Work {
        Object run() throws Exception;
    }

    private static Step step(String step, String where, int records, Work work) {
        try {
            for (int i = 0; i < 1_000; i++) {
                sink = work.run();
            }
            int rounds = 200;
            long a0 = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                sink = work.run();
            }
            long a1 = THREADS.getCurrentThreadAllocatedBytes();
            return new Step(step, where, (a1 - a0) / (double) rounds / records);
        } catch (Exception e) {
            throw new IllegalStateException(step + " failed", e);
        }
    }
}
