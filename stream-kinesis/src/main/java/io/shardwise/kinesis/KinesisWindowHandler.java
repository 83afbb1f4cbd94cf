package io.shardwise.kinesis;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.TimeWindow;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.core.BatchProcessor;
import io.shardwise.core.BatchResult;
import io.shardwise.core.ExceptionClassifier;
import io.shardwise.core.Priming;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.internal.priming.CheckpointHook;
import io.shardwise.core.internal.priming.RuntimeSerialization;
import io.shardwise.kinesis.internal.KinesisRecords;
import io.shardwise.kinesis.internal.KplAwareDecoder;
import io.shardwise.kinesis.internal.PrimingEvents;
import io.shardwise.kinesis.internal.WindowStateCodec;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Aggregates a Kinesis stream over Lambda tumbling windows: you fold each record into a typed state; the library
 * carries the state between invocations (as JSON, through Lambda) and hands you the final state when the window
 * ends. Build it once, in your handler's constructor, and delegate to it:
 *
 * <pre>{@code
 * public class TotalsHandler implements RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse> {
 *     private final KinesisWindowHandler<Order, Totals> handler =
 *             KinesisWindowHandler.builder(new TotalsAggregator(), Totals.class)
 *                     .decoder(KinesisDecoders.json(Order.class))
 *                     .config(ProcessingConfig.builder("order-totals").build())
 *                     .build();
 *
 *     @Override
 *     public TimeWindowEventResponse handleRequest(KinesisTimeWindowEvent event, Context context) {
 *         return handler.handleRequest(event, context);
 *     }
 * }
 *
 * class TotalsAggregator extends KinesisWindowHandler.Aggregator<Order, Totals> {
 *     public Totals initialState(KinesisWindowHandler.Window window) { return Totals.EMPTY; }
 *     public Totals fold(Totals totals, StreamRecord<Order> record) { return totals.plus(record.payload()); }
 *     public void onWindowEnd(KinesisWindowHandler.Window window, Totals totals) { publish(window, totals); }
 * }
 * }</pre>
 *
 * Configure the event source mapping with {@code TumblingWindowInSeconds} and
 * {@code FunctionResponseTypes: [ReportBatchItemFailures]}.
 *
 * <h2>What one invocation does</h2>
 * <ol>
 *   <li>Reads the state Lambda carried in (entry {@code shardwise.state} of the event's {@code state}); a new
 *       window starts from {@link Aggregator#initialState}.</li>
 *   <li>Maps, de-aggregates and decodes the records exactly as {@link KinesisBatchHandler} does, and folds them in
 *       shard order through the engine, so failures are handled like any batch: a record whose decoding fails or
 *       whose fold throws a non-retryable error is parked (and not folded); a retryable failure stops the batch
 *       and is reported in {@code batchItemFailures}.</li>
 *   <li>Returns the state <em>of the records that are done</em>, beside {@code batchItemFailures}: Lambda
 *       redelivers from the failed record with that state, so every record is folded once per successful
 *       delivery. For a KPL aggregate that is done only in part (a user record failed, or the deadline stopped
 *       inside it) that is the state before the aggregate, since the response names the outer record and
 *       Lambda redelivers all of its user records.</li>
 *   <li>On the window's last invocation ({@code isFinalInvokeForWindow}, or {@code isWindowTerminatedEarly}
 *       because Lambda ended it early), calls {@link Aggregator#onWindowEnd} with the final state, then returns an
 *       empty state (Lambda drops it). If a record of that invocation is not done, or {@code onWindowEnd} throws,
 *       the invocation fails instead, so Lambda repeats it with the state it carried in: the documented way
 *       Lambda retries a window's final invocation.</li>
 * </ol>
 *
 * <h2>Limits and restrictions</h2>
 * <ul>
 *   <li>The state, serialized, must stay within {@link #MAX_STATE_BYTES}, Lambda's 1 MB per shard; above it the
 *       invocation fails with a {@link StreamProcessingException} saying so (no state is lost; Lambda retries).</li>
 *   <li>The config may not have a dedup store (the state, which Lambda checkpoints with the records, is the
 *       effect; a dedup store would skip redelivered records whose fold was lost with a failed invocation's state)
 *       nor {@code maxConcurrency > 1} (a fold is one sequence). {@link Builder#build()} refuses both.</li>
 * </ul>
 *
 * <p>Cold starts: {@link #prime()} (run by itself before a SnapStart/CRaC checkpoint) folds a synthetic record
 * as {@link KinesisBatchHandler#prime()} does; your aggregator's {@code initialState} and {@code fold} run only with
 * a {@link Builder#primingSample(byte[]) sample}, {@code onWindowEnd} never.
 *
 * <p>Thread-safe: each invocation's state is its own.
 *
 * @param <T> the decoded payload type
 * @param <S> the state type (serialized with Jackson)
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html">Lambda: tumbling
 *      windows with Kinesis</a>
 */
public final class KinesisWindowHandler<T, S>
        implements RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse> {

    /**
     * Lambda's limit for a tumbling window's state, per shard: 1 MB, read as 1,048,576 bytes of the state object's
     * JSON.
     */
    public static final long MAX_STATE_BYTES = 1024L * 1024L;

    /**
     * What you write: how records fold into the window state. One instance serves every shard and invocation;
     * keep per-window data in the state, not in fields.
     *
     * <p>{@link #fold} must not modify the state it is given when it throws: the state returned to Lambda is the
     * last one a fold returned, and it must not contain a failed record's partial effect. Returning a new state
     * (immutable records) is the simplest way to be safe.
     *
     * @param <T> the decoded payload type
     * @param <S> the state type
     */
    public abstract static class Aggregator<T, S> {

        /** The state a new window starts from. Must not return null. */
        public abstract S initialState(Window window);

        /**
         * Folds one record into the state. Called in shard order.
         *
         * @return the new state (may be the same object); never null
         * @throws Exception to fail this record: {@link #isRetryable} decides whether it is retried (the batch
         *                   stops there) or parked (it is not part of the state)
         */
        public abstract S fold(S state, StreamRecord<T> record) throws Exception;

        /**
         * Called once per window, with the state of all its records, on the window's last invocation. Default:
         * nothing. Throwing fails the invocation; Lambda repeats the final invocation with the state it carried
         * in, so this may be called again for the same window: make its effect idempotent (e.g. write the result
         * keyed by shard id and window start).
         */
        public void onWindowEnd(Window window, S state) throws Exception {
            // no-op by default
        }

        /** Whether a failed fold is worth retrying. Default: {@link ExceptionClassifier#DEFAULT}. */
        public boolean isRetryable(Throwable error) {
            return ExceptionClassifier.DEFAULT.isRetryable(error);
        }
    }

    /**
     * The window an invocation belongs to.
     *
     * @param start           window start (inclusive), from the event's {@code window.start}
     * @param end             window end, from {@code window.end}
     * @param shardId         the shard
     * @param sourceArn       the stream ARN, or null if the event has neither it nor records
     * @param finalInvoke     {@code isFinalInvokeForWindow}
     * @param terminatedEarly {@code isWindowTerminatedEarly}: Lambda ended the window early (its state grew past
     *                        the limit); records of the same time span will follow in a fresh window
     */
    public record Window(Instant start, Instant end, String shardId, String sourceArn, boolean finalInvoke,
                         boolean terminatedEarly) {

        /** Whether this invocation ends the window (final, or terminated early). */
        public boolean ends() {
            return finalInvoke || terminatedEarly;
        }

        /** For messages: shard and time span. */
        public String describe() {
            return "shard " + shardId + ", window " + start + " to " + end;
        }
    }

    private final Aggregator<T, S> aggregator;
    private final RecordDecoder<ByteBuffer, T> decoder;
    private final ProcessingConfig config;
    private final boolean deaggregate;
    private final WindowStateCodec<S> codec;
    private final byte[] primingSample;
    /** Held so that CRaC, which references registered resources weakly, keeps it; null when turned off. */
    @SuppressWarnings({"unused", "FieldCanBeLocal"})
    private final CheckpointHook checkpointHook;

    private KinesisWindowHandler(Builder<T, S> b, ObjectMapper stateMapper, JavaType stateType) {
        this.aggregator = b.aggregator;
        this.decoder = new KplAwareDecoder<>(b.decoder, b.deaggregate);
        this.config = b.config;
        this.deaggregate = b.deaggregate;
        this.codec = new WindowStateCodec<>(stateMapper, stateType, MAX_STATE_BYTES);
        this.primingSample = b.primingSample;
        this.checkpointHook = b.primeBeforeCheckpoint
                ? CheckpointHook.register("KinesisWindowHandler " + b.config.consumerName(), this::prime) : null;
    }

    /** Starts a builder for a state of class {@code stateType}. */
    public static <T, S> Builder<T, S> builder(Aggregator<T, S> aggregator, Class<S> stateType) {
        Objects.requireNonNull(stateType, "stateType");
        return new Builder<>(aggregator, mapper -> mapper.constructType(stateType));
    }

    /** Starts a builder for a generic state type such as {@code Map<String, Long>}. */
    public static <T, S> Builder<T, S> builder(Aggregator<T, S> aggregator, TypeReference<S> stateType) {
        Objects.requireNonNull(stateType, "stateType");
        return new Builder<>(aggregator, mapper -> mapper.constructType(stateType));
    }

    /**
     * Folds the event's records into the carried state and returns the new state and the failures.
     *
     * @throws StreamProcessingException if the event is malformed, the state cannot be read or exceeds
     *                                   {@link #MAX_STATE_BYTES}, the window's final invocation has a record that
     *                                   is not done, or {@link Aggregator#onWindowEnd} throws; Lambda then retries
     *                                   the invocation with the same state
     */
    @Override
    public TimeWindowEventResponse handleRequest(KinesisTimeWindowEvent event, Context context) {
        if (event == null) {
            return new TimeWindowEventResponse(new LinkedHashMap<>(), new ArrayList<>());
        }
        List<StreamRecord<ByteBuffer>> records =
                KinesisRecords.toStreamRecords(event.getRecords(), deaggregate, blankToNull(event.getShardId()));
        Window window = windowOf(event, records);
        S carried = codec.read(event.getState(), window.describe());
        S state = carried != null ? carried : aggregator.initialState(window);
        if (state == null) {
            throw new StreamProcessingException(aggregator.getClass().getName() + ".initialState returned null for "
                    + window.describe() + "; return an empty state instead");
        }
        Fold fold = new Fold(state, window.describe());
        BatchResult result = fold(fold, records, context);
        if (window.ends()) {
            endWindow(window, fold.state, result);
            return new TimeWindowEventResponse(new LinkedHashMap<>(), new ArrayList<>());
        }
        List<TimeWindowEventResponse.BatchItemFailure> failures = failures(result);
        return new TimeWindowEventResponse(fold.stateToReturn(failures), failures);
    }

    /**
     * Primes the handler for a fast first invocation, as {@link KinesisBatchHandler#prime()} does: a synthetic
     * event (shard {@value Priming#SHARD_ID}; without a sample two records of data {@code {}}, with one your
     * {@link Builder#primingSample(byte[]) sample}) is decoded and run through the engine, with a discarding failure
     * sink in place of yours, and the response (with the state) written as the runtime writes it. With a sample, the
     * record is folded into your {@code initialState} of a synthetic window and that state serialized; without one,
     * none of your aggregator's methods runs. {@code onWindowEnd} never runs. Nothing is written anywhere.
     *
     * @return the synthetic batch's outcomes
     */
    public BatchResult prime() {
        byte[] data = primingSample != null ? primingSample : PrimingEvents.DEFAULT_DATA;
        List<StreamRecord<ByteBuffer>> records =
                KinesisRecords.toStreamRecords(PrimingEvents.records(data, primingSample != null ? 1 : 2),
                        deaggregate, null);
        BatchResult result;
        Map<String, String> state = new LinkedHashMap<>();
        if (primingSample == null) {
            result = Priming.run(null, decoder, config, records);
        } else {
            Instant start = Instant.now();
            Window window = new Window(start, start.plus(Duration.ofMinutes(1)), Priming.SHARD_ID,
                    records.get(0).sourceArn(), false, false);
            Fold fold = new Fold(aggregator.initialState(window), window.describe());
            result = Priming.run(fold, decoder, config, records);
            state = fold.stateToReturn(failures(result));
        }
        RuntimeSerialization.writeResponse(new TimeWindowEventResponse(state, failures(result)));
        return result;
    }

    private BatchResult fold(Fold fold, List<StreamRecord<ByteBuffer>> records, Context context) {
        if (records.isEmpty()) {
            return null;
        }
        // The fold carries this invocation's state, so each invocation gets its own engine. The config has no
        // dedup store and no thread pool (build() refuses both), so creating one is cheap.
        try (BatchProcessor<ByteBuffer, T> engine = BatchProcessor.create(fold, decoder, config)) {
            return engine.process(records, context);
        }
    }

    private void endWindow(Window window, S state, BatchResult result) {
        if (result != null && !result.allDone()) {
            RecordOutcome first = result.outcomes().stream().filter(o -> !o.outcome().isDone()).findFirst()
                    .orElseThrow();
            throw new StreamProcessingException("The final invocation of " + window.describe() + " has a record "
                    + "that is not done (sequence number " + first.sequenceNumber() + ", " + first.outcome()
                    + (first.error() == null ? "" : ": " + first.error()) + "). Failing the invocation so that "
                    + "Lambda repeats it with the state it carried in; onWindowEnd was not called.",
                    first.error());
        }
        try {
            aggregator.onWindowEnd(window, state);
        } catch (StreamProcessingException e) {
            throw e;
        } catch (Exception e) {
            throw new StreamProcessingException(aggregator.getClass().getName() + ".onWindowEnd failed for "
                    + window.describe() + ": " + e + ". Lambda repeats the window's final invocation.", e);
        }
    }

    private static List<TimeWindowEventResponse.BatchItemFailure> failures(BatchResult result) {
        List<TimeWindowEventResponse.BatchItemFailure> out = new ArrayList<>();
        if (result == null || result.response().getBatchItemFailures() == null) {
            return out;
        }
        for (StreamsEventResponse.BatchItemFailure f : result.response().getBatchItemFailures()) {
            out.add(new TimeWindowEventResponse.BatchItemFailure(f.getItemIdentifier()));
        }
        return out;
    }

    private static Window windowOf(KinesisTimeWindowEvent event, List<StreamRecord<ByteBuffer>> records) {
        TimeWindow w = event.getWindow();
        if (w == null) {
            throw malformed("window is null: not a tumbling-window event (is TumblingWindowInSeconds set on the "
                    + "event source mapping?)");
        }
        StreamRecord<ByteBuffer> first = records.isEmpty() ? null : records.get(0);
        String shardId = blankToNull(event.getShardId());
        if (shardId == null) {
            if (first == null) {
                throw malformed("shardId is missing and there are no records to take it from");
            }
            shardId = first.shardId();
        }
        String arn = blankToNull(event.getEventSourceArn());
        if (arn == null && first != null) {
            arn = first.sourceArn();
        }
        return new Window(instant(w.getStart(), "window.start"), instant(w.getEnd(), "window.end"), shardId, arn,
                Boolean.TRUE.equals(event.getIsFinalInvokeForWindow()),
                Boolean.TRUE.equals(event.getIsWindowTerminatedEarly()));
    }

    private static Instant instant(String value, String field) {
        if (value == null) {
            throw malformed(field + " is null");
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw malformed(field + " is '" + value + "', expected an ISO-8601 instant such as 2020-12-09T07:04:00Z");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static StreamProcessingException malformed(String detail) {
        return new StreamProcessingException("Malformed Kinesis tumbling-window event: " + detail + ".");
    }

    /**
     * The engine-facing processor of one invocation: folds records into its own state, in order.
     *
     * <p>The response can only name an aggregate's outer record, so Lambda redelivers all its user records, and the
     * returned state must be the one before the aggregate when one of its user records is not done (failed, or
     * not started before the deadline): otherwise the user records folded before it fold again. Hence a snapshot,
     * serialized (folds may change the state in place), when the first user record of an aggregate is folded.
     */
    private final class Fold extends RecordProcessor<T> {
        // All fields: written by the engine's single lane (maxConcurrency is 1), read after process() returns.
        private S state;
        private final String where;
        /** The outer sequence number of the aggregate being folded, or null. */
        private String aggregate;
        /** Lambda's state map as of just before {@link #aggregate}'s first folded user record. */
        private Map<String, String> beforeAggregate;
        /** Why that snapshot could not be taken (thrown only if it is needed). */
        private StreamProcessingException snapshotError;

        Fold(S initial, String where) {
            this.state = initial;
            this.where = where;
        }

        /** The state to hand back with {@code failures}: the state of the outer records that are done. */
        Map<String, String> stateToReturn(List<TimeWindowEventResponse.BatchItemFailure> failures) {
            boolean aggregateNotDone = aggregate != null && !failures.isEmpty()
                    && aggregate.equals(failures.get(0).getItemIdentifier());
            if (!aggregateNotDone) {
                return codec.write(state, where);
            }
            if (snapshotError != null) {
                throw snapshotError;
            }
            return beforeAggregate;
        }

        @Override
        public void process(StreamRecord<T> record, RecordContext context) throws Exception {
            if (!record.isSubRecord()) {
                aggregate = null;
            } else if (!record.sequenceNumber().equals(aggregate)) {
                aggregate = record.sequenceNumber();
                try {
                    beforeAggregate = codec.write(state, where);
                    snapshotError = null;
                } catch (StreamProcessingException e) {
                    beforeAggregate = null;
                    snapshotError = e; // the same error the final write would raise: the invocation fails then
                }
            }
            S next = aggregator.fold(state, record);
            if (next == null) {
                throw new IllegalStateException(aggregator.getClass().getName() + ".fold returned null for "
                        + record.describe() + "; return the (possibly unchanged) state instead");
            }
            state = next;
        }

        @Override
        public boolean isRetryable(Throwable error) {
            return aggregator.isRetryable(error);
        }
    }

    /**
     * Builds a {@link KinesisWindowHandler}. Not thread-safe; {@link #build()} validates.
     *
     * @param <T> the payload type
     * @param <S> the state type
     */
    public static final class Builder<T, S> {
        private final Aggregator<T, S> aggregator;
        private final Function<ObjectMapper, JavaType> stateType;
        private RecordDecoder<ByteBuffer, T> decoder;
        private ProcessingConfig config;
        private ObjectMapper stateMapper;
        private boolean deaggregate = true;
        private byte[] primingSample;
        private boolean primeBeforeCheckpoint = true;

        private Builder(Aggregator<T, S> aggregator, Function<ObjectMapper, JavaType> stateType) {
            this.aggregator = Objects.requireNonNull(aggregator, "aggregator");
            this.stateType = stateType;
        }

        /** How record bytes become your payload type; required. See {@link KinesisDecoders}. */
        public Builder<T, S> decoder(RecordDecoder<ByteBuffer, T> decoder) {
            this.decoder = decoder;
            return this;
        }

        /**
         * Failure sink, deadline margin, logging…; required. No dedup store and {@code maxConcurrency} 1 (see the
         * class documentation).
         */
        public Builder<T, S> config(ProcessingConfig config) {
            this.config = config;
            return this;
        }

        /**
         * The Jackson mapper for the state. Default: {@link KinesisDecoders#defaultObjectMapper()}. Configured once
         * and not modified afterwards.
         */
        public Builder<T, S> stateMapper(ObjectMapper mapper) {
            this.stateMapper = mapper;
            return this;
        }

        /** Whether to unpack KPL aggregates; default true. See {@link KinesisBatchHandler.Builder#deaggregate}. */
        public Builder<T, S> deaggregate(boolean on) {
            this.deaggregate = on;
            return this;
        }

        /**
         * A record's data for {@link #prime()} to decode and fold into your {@code initialState} of a synthetic
         * window ({@code fold} should have no effects of its own; {@code onWindowEnd} never runs in priming).
         * Default none: priming decodes {@code {}} and none of your aggregator's methods runs.
         */
        public Builder<T, S> primingSample(byte[] data) {
            this.primingSample = data == null ? null : data.clone();
            return this;
        }

        /** Whether {@link #prime()} runs before a Lambda SnapStart (CRaC) checkpoint. Default true. */
        public Builder<T, S> primeBeforeCheckpoint(boolean on) {
            this.primeBeforeCheckpoint = on;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the decoder or config is missing, or the config has a dedup store or
         *                                  {@code maxConcurrency > 1}
         */
        public KinesisWindowHandler<T, S> build() {
            if (decoder == null) {
                throw new IllegalArgumentException("decoder is required: set decoder(KinesisDecoders.json(MyType"
                        + ".class)) or another KinesisDecoders decoder");
            }
            if (config == null) {
                throw new IllegalArgumentException("config is required: set config(ProcessingConfig.builder"
                        + "(\"<consumer name>\").build())");
            }
            if (config.dedupStore().isPresent()) {
                throw new IllegalArgumentException("A tumbling window handler cannot use a dedup store: the window "
                        + "state, which Lambda stores with its checkpoint, is the effect of the records, and a "
                        + "dedup store would skip redelivered records whose fold was lost with a failed "
                        + "invocation's state. Remove dedupStore(...) from the ProcessingConfig.");
            }
            if (config.maxConcurrency() != 1) {
                throw new IllegalArgumentException("A tumbling window handler folds records into one state in shard "
                        + "order, so maxConcurrency must be 1, was " + config.maxConcurrency());
            }
            ObjectMapper mapper = stateMapper != null ? stateMapper : KinesisDecoders.defaultObjectMapper();
            return new KinesisWindowHandler<>(this, mapper, stateType.apply(mapper));
        }
    }
}
