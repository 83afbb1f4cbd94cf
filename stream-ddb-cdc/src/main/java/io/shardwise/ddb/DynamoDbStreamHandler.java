package io.shardwise.ddb;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.BatchProcessor;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Priming;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.internal.priming.CheckpointHook;
import io.shardwise.core.internal.priming.RuntimeSerialization;
import io.shardwise.ddb.internal.ChangeMapper;
import io.shardwise.ddb.internal.EventIdDedupProcessor;
import io.shardwise.ddb.internal.LambdaRecords;
import io.shardwise.ddb.internal.PrimingEvents;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

import java.util.List;
import java.util.Objects;

/**
 * A Lambda handler for DynamoDB Streams: each record of the event becomes a {@link ChangeRecord} (images typed
 * through a {@code TableSchema<T>}) and goes to a {@link RecordProcessor}, in shard order, through the
 * shardwise engine; the partial batch response ({@code ReportBatchItemFailures}) is computed from the outcomes.
 *
 * <pre>{@code
 * public class OrderChanges implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
 *     private final DynamoDbStreamHandler<Order> handler = DynamoDbStreamHandler.builder(TableSchema.fromBean(Order.class))
 *             .processor(RecordProcessor.of((record, ctx) -> {
 *                 ChangeRecord<Order> change = record.payload();
 *                 if (change.eventName() == ChangeRecord.EventName.MODIFY && change.hasChanged("status")) {
 *                     notify(change.newImage().orElseThrow());
 *                 }
 *             }))
 *             .config(ProcessingConfig.builder("order-changes").build())
 *             .build();
 *
 *     public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
 *         return handler.handleRequest(event, context);
 *     }
 * }
 * }</pre>
 * Build it once, in the Lambda handler class's constructor or field initialiser (init phase: the dedup table is
 * checked then, and SnapStart snapshots it).
 *
 * <h2>What the processor gets</h2>
 * A {@code StreamRecord<ChangeRecord<T>>} whose
 * <ul>
 *   <li>{@code partitionKey} is the item's primary key as a canonical string (key attributes sorted by name,
 *       type-tagged DynamoDB JSON, numbers normalised, e.g. {@code {"pk":{"S":"order#1"},"sk":{"N":"7"}}}), so
 *       {@link io.shardwise.core.FailureMode#ISOLATE_PARTITION_KEY} and key-parallel processing keep each item's
 *       changes in order, as Lambda does with a {@code ParallelizationFactor} above 1;</li>
 *   <li>{@code data} is the stream record as Lambda's JSON, which is what a parked record carries;</li>
 *   <li>{@code shardId} is the stream label ({@code stream/<label>} from {@code eventSourceARN}): Lambda's DynamoDB
 *       events name no shard, so it identifies the stream, not the shard;</li>
 *   <li>{@code sequenceNumber} and {@code eventId} are the record's.</li>
 * </ul>
 * A record that cannot be decoded (malformed attribute values, an image that does not fit {@code T}) fails
 * non-retryably and is parked with its JSON; it never fails the batch. So does one whose keys or images break
 * DynamoDB's own item limits (a number of more than 38 significant digits or outside 1E-130 to 9.99…E+125, a value
 * nested inside more than 32 maps or lists, a map of more than 400 KB): the real service never sends one, and it is
 * refused before any parse or conversion whose cost grows faster than its size.
 *
 * <h2>Dedup key</h2>
 * The default dedup key is the record's {@code eventID}, unique per change and the same on every redelivery. A
 * processor that overrides {@link RecordProcessor#dedupKey} keeps its own key.
 *
 * <h2>Limits</h2>
 * {@link DedupMode#WATERMARK} and {@link DedupMode#GUARDED} are refused: a watermark, and GUARDED's guard on the
 * item, compare positions within a shard, and this event does not say which shard it holds. Tumbling-window events ({@code DynamodbTimeWindowEvent}) are not handled here.
 *
 * <p>Thread-safe: one instance serves every invocation of the execution environment, and concurrent calls are
 * fine.
 *
 * @param <T> the item type
 */
public final class DynamoDbStreamHandler<T>
        implements RequestHandler<DynamodbEvent, StreamsEventResponse>, AutoCloseable {

    private final BatchProcessor<DynamodbEvent.DynamodbStreamRecord, ChangeRecord<T>> batchProcessor;
    private final RecordProcessor<ChangeRecord<T>> processor;
    private final RecordDecoder<DynamodbEvent.DynamodbStreamRecord, ChangeRecord<T>> decoder;
    private final TableSchema<T> tableSchema;
    private final T primingSample;
    /** Held so that CRaC, which references registered resources weakly, keeps it; null when turned off. */
    @SuppressWarnings({"unused", "FieldCanBeLocal"})
    private final CheckpointHook checkpointHook;

    private DynamoDbStreamHandler(Builder<T> b) {
        this.processor = new EventIdDedupProcessor<>(b.processor);
        this.decoder = decoder(b.tableSchema);
        this.tableSchema = b.tableSchema;
        this.primingSample = b.primingSample;
        this.batchProcessor = BatchProcessor.create(processor, decoder, b.config);
        this.checkpointHook = b.primeBeforeCheckpoint
                ? CheckpointHook.register("DynamoDbStreamHandler " + b.config.consumerName(), this::prime) : null;
    }

    /** The decoder the engine runs per record; package-private so tests decode exactly as the handler does. */
    static <T> RecordDecoder<DynamodbEvent.DynamodbStreamRecord, ChangeRecord<T>> decoder(TableSchema<T> schema) {
        ChangeMapper<T> mapper = new ChangeMapper<>(schema);
        return raw -> mapper.map(LambdaRecords.rawChange(raw), null);
    }

    /**
     * Starts a builder.
     *
     * @param tableSchema maps images to {@code T}: {@code TableSchema.fromBean}, {@code fromImmutableClass},
     *                    a static schema, or {@code TableSchema.documentSchemaBuilder()...build()} for
     *                    {@code EnhancedDocument}s
     */
    public static <T> Builder<T> builder(TableSchema<T> tableSchema) {
        return new Builder<>(tableSchema);
    }

    /**
     * Processes the event and returns Lambda's partial batch response.
     *
     * @throws StreamProcessingException only when the whole batch is unsafe to report on (the dedup table is
     *                                   unreachable, or a record has no sequence number); Lambda then retries it
     */
    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        return process(event, context).response();
    }

    /**
     * Processes the event and returns every record's outcome with the response, for callers that want more than
     * the response (tests, custom handlers). Same contract as {@link #handleRequest}.
     */
    public BatchResult process(DynamodbEvent event, Context context) {
        List<StreamRecord<DynamodbEvent.DynamodbStreamRecord>> records = LambdaRecords.toStreamRecords(event);
        return batchProcessor.process(records, context);
    }

    /**
     * Primes the handler for a fast first invocation: a synthetic {@code INSERT} event (table
     * {@code shardwise-priming}; one record whose new image is your {@link Builder#primingSample sample} or, without
     * one, two records of an item holding only made-up key values, the first of which skips your table schema so
     * that the engine's success path runs whatever the mapping says) is read as the Lambda runtime reads events (with its serializer when it is on
     * the class path), mapped through your table schema, run through the engine with a throw-away in-memory dedup
     * store and a discarding failure sink, and its response written as the runtime writes it; then the SDK code of
     * your dedup store and sink runs against clients that answer in the JVM. Nothing is written to your tables,
     * queues or metrics. Your processor runs only with a sample (see {@link Priming} for the whole contract).
     *
     * <p>Runs by itself before a SnapStart/CRaC checkpoint unless {@link Builder#primeBeforeCheckpoint turned off};
     * safe to call at any time (e.g. from your handler's constructor without SnapStart), any number of times.
     *
     * @return the synthetic batch's outcomes
     */
    public BatchResult prime() {
        // Without a sample, a second record: Priming runs the first past your decoder, the second through it.
        DynamodbEvent event = PrimingEvents.insertEvent(tableSchema, primingSample, primingSample != null ? 1 : 2);
        BatchResult result = Priming.run(primingSample != null ? processor : null, decoder, batchProcessor.config(),
                LambdaRecords.toStreamRecords(event));
        RuntimeSerialization.writeResponse(result.response());
        return result;
    }

    /** Releases the engine's thread pool, if it created one. Idempotent. */
    @Override
    public void close() {
        batchProcessor.close();
    }

    /** Builds a {@link DynamoDbStreamHandler}. Not thread-safe. */
    public static final class Builder<T> {
        private final TableSchema<T> tableSchema;
        private RecordProcessor<ChangeRecord<T>> processor;
        private ProcessingConfig config;
        private T primingSample;
        private boolean primeBeforeCheckpoint = true;

        private Builder(TableSchema<T> tableSchema) {
            this.tableSchema = tableSchema;
        }

        /** The code that handles each change. Required. */
        public Builder<T> processor(RecordProcessor<ChangeRecord<T>> processor) {
            this.processor = processor;
            return this;
        }

        /** Failure mode, dedup, failure sink… Required ({@code ProcessingConfig.builder(name).build()}). */
        public Builder<T> config(ProcessingConfig config) {
            this.config = config;
            return this;
        }

        /**
         * An item for {@link #prime()} to insert in its synthetic event and hand to your processor, which then runs
         * in priming like in a real invocation — with its real effects, so choose a sample whose effect you accept
         * (the record's {@code eventSourceARN} names table {@code shardwise-priming}). Default none: priming maps a
         * made-up key and runs a processor that does nothing in place of yours.
         */
        public Builder<T> primingSample(T item) {
            this.primingSample = item;
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
         * @throws NullPointerException      if the table schema, processor or config is missing
         * @throws IllegalArgumentException  if the config uses {@link DedupMode#WATERMARK} or {@link DedupMode#GUARDED}
         * @throws StreamProcessingException if the configured dedup store is not usable (from the engine)
         */
        public DynamoDbStreamHandler<T> build() {
            Objects.requireNonNull(tableSchema, "tableSchema: pass the item's TableSchema to builder(...)");
            Objects.requireNonNull(processor, "processor: call processor(...) before build()");
            Objects.requireNonNull(config, "config: call config(ProcessingConfig.builder(\"name\").build()) "
                    + "before build()");
            if (config.dedupStore().isPresent() && config.dedupMode() == DedupMode.WATERMARK) {
                throw new IllegalArgumentException("DedupMode.WATERMARK keeps one watermark per shard, but Lambda's "
                        + "DynamoDB Streams events do not say which shard they hold. Use DedupMode.PER_RECORD (keyed "
                        + "by eventID) or DedupMode.TRANSACTIONAL.");
            }
            if (config.dedupStore().isPresent() && config.dedupMode() == DedupMode.GUARDED) {
                throw new IllegalArgumentException("DedupMode.GUARDED records each record's stream position on the "
                        + "item it writes and compares positions within a shard, but Lambda's DynamoDB Streams "
                        + "events do not say which shard they hold. Use DedupMode.TRANSACTIONAL (a marker per "
                        + "eventID, committed with your writes) or DedupMode.PER_RECORD.");
            }
            return new DynamoDbStreamHandler<>(this);
        }
    }
}
