package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordProcessor;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import io.shardwise.testkit.FakeContext;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The largest batch Lambda delivers (10,000 records, ~6 MB of data) through a no-op processor: decode and
 * dispatch only. Measured in this JVM, without DynamoDB:
 * <ul>
 *   <li>wall time per batch: median of {@code runs} timed batches after {@code warmups} untimed ones;</li>
 *   <li>bytes allocated per batch by the calling thread ({@code com.sun.management.ThreadMXBean});</li>
 *   <li>peak live heap: the processor, on the batch's last record, runs {@code System.gc()} and reads the used
 *       heap ({@code MemoryMXBean}); the same reading taken just before the batch (after a GC, the event already in
 *       memory) is subtracted. What is left is what the handler keeps reachable while it dispatches, i.e. the
 *       retained working set on top of the event, not the garbage it produces. Median of three such runs.</li>
 * </ul>
 */
public final class LargeBatch {

    /**
     * @param eventMb retained size of the event itself (measured the same way, around building it)
     */
    public record Result(String label, int records, long dataBytes, double eventMb, List<Double> wallMs,
                         List<Double> allocatedMb, List<Double> liveMb) {
        public double medianMs() {
            return Measurement.median(wallMs);
        }

        public double medianAllocatedMb() {
            return Measurement.median(allocatedMb);
        }

        public double medianLiveMb() {
            return Measurement.median(liveMb);
        }
    }

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private LargeBatch() {
    }

    /** The event, and its retained size in MB. */
    public record Input(KinesisEvent event, double retainedMb) {
    }

    public static Input build(int records, int keys, int payloadBytes) {
        long before = usedAfterGc();
        KinesisEvent event = Workload.event(records, keys, payloadBytes, 0);
        long after = usedAfterGc();
        return new Input(event, (after - before) / 1e6);
    }

    public static List<Result> run(Input input, int warmups, int runs) {
        List<Result> out = new ArrayList<>();
        out.add(measure("**baseline: hand-written loop**, no-op logic", input, warmups, runs, false));
        out.add(measure("shardwise, no dedup, stop-at-first, no-op processor", input, warmups, runs, true));
        return out;
    }

    private static Result measure(String label, Input input, int warmups, int runs, boolean shardwise) {
        KinesisEvent event = input.event();
        int n = event.getRecords().size();
        long[] live = {-1};
        int[] seen = {0};
        boolean[] gcAtEnd = {false};
        Runnable onRecord = () -> {
            if (++seen[0] == n && gcAtEnd[0]) {
                live[0] = usedAfterGc();
            }
        };
        Runner runner = shardwise ? shardwise(onRecord) : loop(onRecord);
        try {
            for (int i = 0; i < warmups; i++) {
                seen[0] = 0;
                runner.run(event);
            }
            List<Double> wall = new ArrayList<>();
            List<Double> allocated = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                seen[0] = 0;
                long a0 = THREADS.getCurrentThreadAllocatedBytes();
                long t0 = System.nanoTime();
                runner.run(event);
                long t1 = System.nanoTime();
                long a1 = THREADS.getCurrentThreadAllocatedBytes();
                wall.add((t1 - t0) / 1e6);
                allocated.add((a1 - a0) / 1e6);
            }
            List<Double> liveMb = new ArrayList<>();
            gcAtEnd[0] = true;
            for (int i = 0; i < 3; i++) {
                seen[0] = 0;
                long base = usedAfterGc();
                runner.run(event);
                liveMb.add((live[0] - base) / 1e6);
            }
            return new Result(label, n, Workload.dataBytes(event), input.retainedMb(), wall, allocated, liveMb);
        } finally {
            runner.close();
        }
    }

    private interface Runner extends AutoCloseable {
        void run(KinesisEvent event);

        @Override
        default void close() {
        }
    }

    private static Runner loop(Runnable onRecord) {
        HandWrittenLoop loop = new HandWrittenLoop(order -> onRecord.run());
        return event -> {
            if (!loop.handleRequest(event).getBatchItemFailures().isEmpty()) {
                throw new IllegalStateException("hand-written loop failed records");
            }
        };
    }

    private static Runner shardwise(Runnable onRecord) {
        KinesisBatchHandler<Order> handler = KinesisBatchHandler.builder(
                        RecordProcessor.<Order>of((record, context) -> onRecord.run()))
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("large-batch").metrics(false).build())
                .build();
        return new Runner() {
            @Override
            public void run(KinesisEvent event) {
                if (!handler.process(event, FakeContext.withTimeout(Duration.ofMinutes(15))).allDone()) {
                    throw new IllegalStateException("shardwise left records not done");
                }
            }

            @Override
            public void close() {
                handler.close();
            }
        };
    }

    static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
