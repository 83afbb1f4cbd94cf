package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.ObjectReader;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import io.shardwise.testkit.FakeContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * CPU cost per record of shardwise's engine and adapter against the hand-written loop, with the same Jackson decode
 * and a processor that does nothing but read the payload. Scores are µs per record
 * ({@link OperationsPerInvocation} = records per batch), allocation per record comes from {@code -prof gc}.
 * No network: the dedup variants use {@link InMemoryDedupStore}, whose own bookkeeping is included.
 *
 * <p>Run by {@link BenchmarkMain} (which sets iterations and the GC profiler), or alone:
 * {@code java -cp <module class path> org.openjdk.jmh.Main CpuBenchmarks -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djava.awt.headless=true"})
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 10, time = 1)
public class CpuBenchmarks {
    public static final int SMALL = 1_000;
    public static final int LARGE = 10_000;
    public static final int SMALL_PAYLOAD_BYTES = 200;
    public static final int LARGE_PAYLOAD_BYTES = 600;
    public static final int KEYS = 100;

    /** What the processor does with a payload: enough that the JIT cannot drop the decoding. */
    public static final class Sink {
        long sum;

        void take(Order order) {
            sum += order.amountCents() + order.eventId().length();
        }
    }

    static RecordProcessor<Order> processor(Sink sink) {
        return new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<Order> record, RecordContext context) {
                sink.take(record.payload());
            }
        };
    }

    static KinesisBatchHandler<Order> handler(Sink sink, ProcessingConfig config) {
        return KinesisBatchHandler.builder(processor(sink))
                .decoder(KinesisDecoders.json(Order.class))
                .config(config)
                .build();
    }

    /** A 1,000-record batch of ~200-byte orders; no dedup. */
    @State(Scope.Thread)
    public static class Small {
        public KinesisEvent event;
        public Context context;
        public Sink sink;
        public HandWrittenLoop loop;
        public KinesisBatchHandler<Order> noDedup;
        public KinesisBatchHandler<Order> byteArrayDecoder;

        @Setup(Level.Trial)
        public void setUp() {
            event = Workload.event(SMALL, KEYS, SMALL_PAYLOAD_BYTES, 0);
            context = FakeContext.withTimeout(Duration.ofHours(1));
            sink = new Sink();
            loop = new HandWrittenLoop(sink::take);
            noDedup = handler(sink, ProcessingConfig.builder("cpu-no-dedup").metrics(false).build());
            ObjectReader reader = KinesisDecoders.defaultObjectMapper().readerFor(Order.class);
            byteArrayDecoder = KinesisBatchHandler.builder(processor(sink))
                    .decoder(KinesisDecoders.using(bytes -> reader.<Order>readValue(bytes)))
                    .config(ProcessingConfig.builder("cpu-byte-array").metrics(false).build())
                    .build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            noDedup.close();
            byteArrayDecoder.close();
        }
    }

    /** The same batch with an in-memory dedup store, fresh for every batch so every record is new. */
    @State(Scope.Thread)
    public static class SmallWithStore {
        @Param({"PER_RECORD", "WATERMARK", "TRANSACTIONAL"})
        public DedupMode mode;
        public KinesisEvent event;
        public Context context;
        public Sink sink;
        public KinesisBatchHandler<Order> handler;

        @Setup(Level.Trial)
        public void setUpTrial() {
            event = Workload.event(SMALL, KEYS, SMALL_PAYLOAD_BYTES, 0);
            context = FakeContext.withTimeout(Duration.ofHours(1));
            sink = new Sink();
        }

        // Per invocation: a batch takes about a millisecond, so JMH's per-invocation overhead is negligible.
        @Setup(Level.Invocation)
        public void freshStore() {
            handler = handler(sink, ProcessingConfig.builder("cpu-" + mode.name().toLowerCase()).metrics(false)
                    .dedupStore(new InMemoryDedupStore()).dedupMode(mode).build());
        }
    }

    /** A 10,000-record batch of ~600-byte orders (~6 MB of data); no dedup. */
    @State(Scope.Thread)
    public static class Large {
        public KinesisEvent event;
        public Context context;
        public Sink sink;
        public HandWrittenLoop loop;
        public KinesisBatchHandler<Order> noDedup;

        @Setup(Level.Trial)
        public void setUp() {
            event = Workload.event(LARGE, KEYS, LARGE_PAYLOAD_BYTES, 0);
            context = FakeContext.withTimeout(Duration.ofHours(1));
            sink = new Sink();
            loop = new HandWrittenLoop(sink::take);
            noDedup = handler(sink, ProcessingConfig.builder("cpu-large").metrics(false).build());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            noDedup.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(SMALL)
    public StreamsEventResponse handWrittenLoop1k(Small s) {
        return s.loop.handleRequest(s.event);
    }

    @Benchmark
    @OperationsPerInvocation(SMALL)
    public StreamsEventResponse shardwiseNoDedup1k(Small s) {
        return s.noDedup.handleRequest(s.event, s.context);
    }

    /**
     * Diagnostic: the same, with a decoder that parses a fresh byte-array copy per record ({@code
     * KinesisDecoders.using}) instead of {@code KinesisDecoders.json}, which copies into a per-thread array.
     */
    @Benchmark
    @OperationsPerInvocation(SMALL)
    public StreamsEventResponse shardwiseNoDedupByteArrayDecoder1k(Small s) {
        return s.byteArrayDecoder.handleRequest(s.event, s.context);
    }

    @Benchmark
    @OperationsPerInvocation(SMALL)
    public StreamsEventResponse shardwiseInMemoryDedup1k(SmallWithStore s) {
        return s.handler.handleRequest(s.event, s.context);
    }

    @Benchmark
    @OperationsPerInvocation(LARGE)
    public StreamsEventResponse handWrittenLoop10k(Large s) {
        return s.loop.handleRequest(s.event);
    }

    @Benchmark
    @OperationsPerInvocation(LARGE)
    public StreamsEventResponse shardwiseNoDedup10k(Large s) {
        return s.noDedup.handleRequest(s.event, s.context);
    }
}
