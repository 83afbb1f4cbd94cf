package io.shardwise.kinesis;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.BatchProcessor;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Priming;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.internal.priming.CheckpointHook;
import io.shardwise.core.internal.priming.RuntimeSerialization;
import io.shardwise.kinesis.internal.KinesisRecords;
import io.shardwise.kinesis.internal.KplAwareDecoder;
import io.shardwise.kinesis.internal.PrimingEvents;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Processes a Lambda Kinesis event in shard order and returns the partial batch response
 * ({@code ReportBatchItemFailures}) for it. Build it once, in your handler's constructor (Lambda's init phase), hold
 * it in a field and delegate to it:
 *
 * <pre>{@code
 * public class OrderHandler implements RequestHandler<KinesisEvent, StreamsEventResponse> {
 *     private final KinesisBatchHandler<Order> handler = KinesisBatchHandler.builder(new OrderProcessor())
 *             .decoder(KinesisDecoders.json(Order.class))
 *             .config(ProcessingConfig.builder("order-service").build())
 *             .build();
 *
 *     @Override
 *     public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
 *         return handler.handleRequest(event, context);
 *     }
 * }
 * }</pre>
 *
 * The event source mapping must have {@code FunctionResponseTypes: [ReportBatchItemFailures]}; without it Lambda
 * ignores the response and retries whole batches.
 *
 * <p>What it does with an event:
 * <ul>
 *   <li>Maps each record to a {@link StreamRecord}: data, partition key, shard id (from {@code eventID} =
 *       {@code shardId:sequenceNumber}), {@code eventSourceARN}, sequence number, approximate arrival time,
 *       {@code eventID}. The partition key is the ordering key.</li>
 *   <li>Unpacks KPL aggregates (on by default, {@link Builder#deaggregate(boolean)}): each user record becomes a
 *       record of its own, with its own partition key and {@code subSequenceNumber} = its index in the aggregate,
 *       and the outer sequence number, which is the only one Lambda can checkpoint. The default dedup key includes
 *       the sub-sequence, so a redelivered aggregate skips the user records already done. An aggregate that fails
 *       its MD5 check or does not parse is one record whose decoding fails with a {@link KinesisDecodeException}:
 *       it is parked whole, with its raw bytes. Lambda itself never de-aggregates.</li>
 *   <li>Decodes each record with your decoder (see {@link KinesisDecoders}) just before processing; a decoding
 *       failure parks that record and never fails the batch.</li>
 *   <li>Runs the records through the engine ({@link BatchProcessor}) with your {@link ProcessingConfig}.</li>
 * </ul>
 *
 * <p>A null event, or one without records, gets an empty response (everything done). A malformed event (a null
 * record, a record without sequence number, partition key, {@code eventID}, {@code eventSourceARN} or data,
 * records of several shards) makes {@link #handleRequest} throw {@link StreamProcessingException} naming the
 * record and field: Lambda then retries the whole batch, the only safe answer when records cannot be named.
 *
 * <p>Cold starts: {@link #prime()} runs a synthetic batch through the library (decode, the engine with a
 * throw-away in-memory dedup store, the response's serialization, the SDK clients' marshalling, nothing written
 * anywhere) so that the first real invocation finds that code loaded. It runs on its own before a Lambda SnapStart
 * (CRaC) checkpoint, unless {@link Builder#primeBeforeCheckpoint(boolean) turned off}; without SnapStart, call it
 * from your handler's constructor if a slower init for a faster first invocation suits you. Your processor runs
 * in priming only if you give a {@link Builder#primingSample(byte[]) sample}.
 *
 * <p>Thread-safe: one instance may serve concurrent invocations.
 *
 * @param <T> the payload type your processor receives
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html">Lambda:
 *      partial batch responses for Kinesis</a>
 */
public final class KinesisBatchHandler<T>
        implements RequestHandler<KinesisEvent, StreamsEventResponse>, AutoCloseable {

    private final BatchProcessor<ByteBuffer, T> processor;
    private final boolean deaggregate;
    private final RecordProcessor<T> recordProcessor;
    private final RecordDecoder<ByteBuffer, T> decoder;
    private final byte[] primingSample;
    /** Held so that CRaC, which references registered resources weakly, keeps it; null when turned off. */
    @SuppressWarnings({"unused", "FieldCanBeLocal"})
    private final CheckpointHook checkpointHook;

    private KinesisBatchHandler(Builder<T> b) {
        this.deaggregate = b.deaggregate;
        this.recordProcessor = b.processor;
        this.decoder = new KplAwareDecoder<>(b.decoder, b.deaggregate);
        this.primingSample = b.primingSample;
        this.processor = BatchProcessor.create(b.processor, decoder, b.config);
        this.checkpointHook = b.primeBeforeCheckpoint
                ? CheckpointHook.register("KinesisBatchHandler " + b.config.consumerName(), this::prime) : null;
    }

    /**
     * Starts a builder.
     *
     * @param processor your record processor
     */
    public static <T> Builder<T> builder(RecordProcessor<T> processor) {
        return new Builder<>(Objects.requireNonNull(processor, "processor"));
    }

    /**
     * Processes the event and returns the response for Lambda.
     *
     * @throws StreamProcessingException if the event is malformed, or the whole batch is unsafe to report on (e.g.
     *                                   the dedup table is unreachable); Lambda then retries the batch
     */
    @Override
    public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
        return process(event, context).response();
    }

    /**
     * Processes the event and returns every record's outcome with the response, for tests and for callers that
     * want more than the response. Same contract as {@link #handleRequest}.
     */
    public BatchResult process(KinesisEvent event, Context context) {
        List<StreamRecord<ByteBuffer>> records = event == null ? List.of()
                : KinesisRecords.toStreamRecords(event.getRecords(), deaggregate, null);
        if (records.isEmpty()) {
            return new BatchResult(List.of(), new StreamsEventResponse(new ArrayList<>()), Duration.ZERO);
        }
        return processor.process(records, context);
    }

    /**
     * Primes the handler for a fast first invocation: a synthetic event (shard {@value Priming#SHARD_ID}; one record
     * of your {@link Builder#primingSample(byte[]) sample}, or without one two records of data {@code {}}, the first
     * of which skips your decoder so that the engine's success path runs whatever your decoder says) is read as
     * the Lambda runtime reads events (with its serializer when it is on the class path), decoded with your
     * decoder, run through the engine with a throw-away in-memory dedup store and a discarding failure sink, and its
     * response written as the runtime writes it; then the SDK code of your dedup store and sink runs against
     * clients that answer in the JVM. Nothing is written to your tables, queues or metrics. Your processor runs only
     * with a sample (see {@link Priming} for the whole contract).
     *
     * <p>Runs by itself before a SnapStart/CRaC checkpoint; safe to call at any time, any number of times.
     *
     * @return the synthetic batch's outcomes (its record is {@code PROCESSED} unless your decoder or, with a
     *         sample, your processor failed it)
     */
    public BatchResult prime() {
        byte[] data = primingSample != null ? primingSample : PrimingEvents.DEFAULT_DATA;
        // Without a sample, a second record: Priming runs the first past your decoder, the second through it.
        KinesisEvent event = PrimingEvents.kinesisEvent(data, primingSample != null ? 1 : 2);
        List<StreamRecord<ByteBuffer>> records = KinesisRecords.toStreamRecords(event.getRecords(), deaggregate, null);
        BatchResult result = Priming.run(primingSample != null ? recordProcessor : null, decoder, config(), records);
        RuntimeSerialization.writeResponse(result.response());
        return result;
    }

    /** The processing configuration in use. */
    public ProcessingConfig config() {
        return processor.config();
    }

    /** Stops the thread pool the engine created for key-parallel processing, if any. Idempotent. */
    @Override
    public void close() {
        processor.close();
    }

    /**
     * Builds a {@link KinesisBatchHandler}. Not thread-safe; {@link #build()} validates.
     *
     * @param <T> the payload type
     */
    public static final class Builder<T> {
        private final RecordProcessor<T> processor;
        private RecordDecoder<ByteBuffer, T> decoder;
        private ProcessingConfig config;
        private boolean deaggregate = true;
        private byte[] primingSample;
        private boolean primeBeforeCheckpoint = true;

        private Builder(RecordProcessor<T> processor) {
            this.processor = processor;
        }

        /** How record bytes become your payload type; required. See {@link KinesisDecoders}. */
        public Builder<T> decoder(RecordDecoder<ByteBuffer, T> decoder) {
            this.decoder = decoder;
            return this;
        }

        /** Failure mode, dedup store and mode, failure sink, concurrency…; required. */
        public Builder<T> config(ProcessingConfig config) {
            this.config = config;
            return this;
        }

        /**
         * Whether to unpack KPL aggregates. Default true: a payload from a non-KPL producer that starts with the
         * four magic bytes and ends with a valid MD5 of the rest is, for practical purposes, impossible. Turn it
         * off to receive aggregates as opaque records (your decoder then sees the protobuf bytes).
         */
        public Builder<T> deaggregate(boolean on) {
            this.deaggregate = on;
            return this;
        }

        /**
         * A record's data for {@link #prime()} to decode and hand to your processor, which then runs in priming
         * like in a real invocation — with its real effects, so choose a sample whose effect you accept (the
         * record's shard id is {@value Priming#SHARD_ID}, its partition key {@code shardwise-priming}). Default
         * none: priming decodes {@code {}} and runs a processor that does nothing in place of yours.
         */
        public Builder<T> primingSample(byte[] data) {
            this.primingSample = data == null ? null : data.clone();
            return this;
        }

        /**
         * Whether {@link #prime()} runs before a Lambda SnapStart (CRaC) checkpoint. Default true; outside CRaC it
         * never runs by itself either way.
         */
        public Builder<T> primeBeforeCheckpoint(boolean on) {
            this.primeBeforeCheckpoint = on;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the decoder or the config is missing
         * @throws StreamProcessingException if the config's dedup store is not usable (see
         *                                   {@link BatchProcessor#create})
         */
        public KinesisBatchHandler<T> build() {
            if (decoder == null) {
                throw new IllegalArgumentException("decoder is required: set decoder(KinesisDecoders.json(MyType"
                        + ".class)), KinesisDecoders.utf8(), KinesisDecoders.bytes() or your own");
            }
            if (config == null) {
                throw new IllegalArgumentException("config is required: set config(ProcessingConfig.builder"
                        + "(\"<consumer name>\").build())");
            }
            return new KinesisBatchHandler<>(this);
        }
    }
}
