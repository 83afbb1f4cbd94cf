package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.fasterxml.jackson.databind.ObjectReader;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import io.shardwise.kinesis.internal.KinesisRecords;
import io.shardwise.testkit.FakeContext;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the handler's extra allocation and CPU per record go, step by step, against the hand-written loop: each
 * step of shardwise's path without dedup run alone over a 1,000-record batch, bytes allocated by the calling thread
 * ({@code com.sun.management.ThreadMXBean}) and its CPU time per record, after a warm-up. Allocation is
 * deterministic enough to read without JMH; CPU is the median of several timed rounds, indicative only. A step
 * run alone is compiled on its own (JIT escape analysis can remove some allocations inside a larger compiled
 * method, inlining differs), so the steps need not add up exactly to the whole.
 *
 * <p>Uses {@code io.shardwise.kinesis.internal.KinesisRecords}, the adapter's mapping step, directly: a benchmark
 * may look inside; users may not.
 */
public final class AllocationBreakdown {

    /** One step, its bytes and its CPU nanoseconds per record. */
    public record Step(String step, String where, double bytesPerRecord, double cpuNsPerRecord) {
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
        // Counts down on the system clock, as the Lambda runtime's context does.
        Context context = FakeContext.withTimeout(Duration.ofHours(1));
        List<Step> out = new ArrayList<>();
        try (KinesisBatchHandler<Order> handler = KinesisBatchHandler.builder(RecordProcessor.<Order>of((r, c) -> { }))
                .decoder(json).config(ProcessingConfig.builder("alloc").metrics(false).build()).build()) {
            out.add(step("hand-written loop, whole batch", "HandWrittenLoop", records,
                    () -> loop.handleRequest(event)));
            out.add(step("shardwise without dedup, whole batch (null context: no deadline check)",
                    "KinesisBatchHandler.handleRequest", records, () -> handler.handleRequest(event, null)));
            out.add(step("shardwise without dedup, whole batch (a Lambda context: the deadline checked per record)",
                    "KinesisBatchHandler.handleRequest", records, () -> handler.handleRequest(event, context)));
            out.add(step("the deadline check alone, once per record", "Context.getRemainingTimeInMillis", records,
                    () -> {
                        long sum = 0;
                        for (int i = 0; i < records; i++) {
                            sum += context.getRemainingTimeInMillis();
                        }
                        return sum;
                    }));
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
            // CPU: the median of 9 timed rounds of 50 runs each, so that one slow round (a GC, another process)
            // does not move it.
            double[] cpu = new double[9];
            for (int k = 0; k < cpu.length; k++) {
                long c0 = THREADS.getCurrentThreadCpuTime();
                for (int i = 0; i < 50; i++) {
                    sink = work.run();
                }
                cpu[k] = (THREADS.getCurrentThreadCpuTime() - c0) / 50.0 / records;
            }
            Arrays.sort(cpu);
            return new Step(step, where, (a1 - a0) / (double) rounds / records, cpu[cpu.length / 2]);
        } catch (Exception e) {
            throw new IllegalStateException(step + " failed", e);
        }
    }
}
