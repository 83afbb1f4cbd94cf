package io.shardwise.testkit.esm;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import io.shardwise.testkit.esm.internal.Engine;
import io.shardwise.testkit.esm.internal.FunctionInvoker;
import io.shardwise.testkit.esm.internal.LambdaEventJson;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A local Lambda event source mapping for Kinesis Data Streams or DynamoDB Streams: polls a {@link StreamSource}
 * and invokes a {@link RequestHandler} in this JVM with Lambda's semantics, so stream consumers can be tested end
 * to end without deploying (SAM CLI does not poll streams; LocalStack needs Docker).
 *
 * <pre>{@code
 * try (EventSourceMappingRunner runner =
 *     EventSourceMappingRunner.forKinesis(
 *             StreamSource.kinesis(kinesisClient, "orders"),
 *             EventSourceMapping.builder().batchSize(10).reportBatchItemFailures(true).build(),
 *             new OrderHandler())
 *         .start()) {
 *   // put records …
 *   runner.awaitDrained(Duration.ofSeconds(10));
 *   assertThat(runner.invocations()).extracting(Invocation::outcome).containsOnly(Outcome.SUCCESS);
 * }
 * }</pre>
 *
 * <p><b>What it does as Lambda does</b> (section 2 of the project spec; AWS's Kinesis and DynamoDB ESM pages):
 * <ul>
 *   <li>Events hold records of one shard in order, built as Lambda's JSON and deserialized through
 *       {@code aws-lambda-java-serialization}, as the Java runtime does: the handler sees what it sees in AWS.
 *   <li>{@code BatchSize} and {@code MaximumBatchingWindowInSeconds}: a batch is invoked when it is full, when the
 *       window since its first record was read has passed, or at once when the window is 0.
 *   <li>{@code ReportBatchItemFailures}: checkpoint just before the lowest reported sequence number, redeliver
 *       from there. A null or empty identifier, or one not in the batch (with a warning), fails the whole batch.
 *   <li>A thrown exception or a timeout fails the whole batch: with {@code BisectBatchOnFunctionError} it is split
 *       in halves (first half first; splitting uses no retries), else retried as is. With both bisect and partial
 *       responses, the retry is the reported record to the end of the batch.
 *   <li>{@code MaximumRetryAttempts} / {@code MaximumRecordAgeInSeconds} (-1 = forever, the default: the shard, or
 *       slot, is blocked meanwhile): then the {@link OnFailureRecord} metadata goes to the
 *       {@link EventSourceMapping#onFailure()} destination and the records are skipped. Retries of a record count
 *       the failed invocations in which it was the first record of the batch or the reported failure.
 *   <li>{@code ParallelizationFactor}: each shard's records go to one of N slots by a hash of the partition key
 *       (DynamoDB: item key); each slot has its own batch in flight, retries and tumbling window. The shard
 *       checkpoint never passes a record a slot still holds.
 *   <li>{@code TumblingWindowInSeconds}: windows aligned on the window size by arrival time; batches never span
 *       windows; the state each invocation returns goes into the next event of the window; a window ends with an
 *       invocation without records and {@code isFinalInvokeForWindow: true} (when a record of a later window is
 *       read, when the shard is polled at its tip at or after the window's end on the mapping clock, or when the
 *       shard ends); a state over 1 MB ends the window early ({@code isWindowTerminatedEarly}). A response
 *       without {@code state} is a failed invocation; a failed final invoke is retried until it succeeds. The
 *       checkpoint moves when the final invoke succeeds.
 *   <li>Resharding: a shard starts only when its parents are done (their iterators ended and every record was
 *       done). Shards present at start use the starting position; later ones are read from their start.
 *   <li>The {@link com.amazonaws.services.lambda.runtime.Context} has a request id, the function name, and a
 *       remaining time counting down from the function timeout, which is enforced: the invocation runs on
 *       another thread and is interrupted and abandoned at the timeout, counting as a failed invocation.
 * </ul>
 *
 * <p><b>Observability:</b> every invocation ({@link #invocations()}), checkpoint ({@link #checkpoints()}) and
 * on-failure record ({@link #onFailureRecords()}) is recorded in order; {@link #awaitDrained(Duration)} and
 * {@link #awaitInvocations(Predicate, Duration)} wait on them without sleeping blindly.
 *
 * <p><b>Threads:</b> daemon threads only (discovery, one reader and one thread per slot per shard, a pool for
 * invocations). {@link #close()} stops polling, lets in-flight invocations end (within the function timeout)
 * and waits for the threads. All methods are thread-safe. A runner starts once.
 */
public final class EventSourceMappingRunner implements AutoCloseable {

    private final Engine engine;
    private final EventSourceMapping mapping;
    private final StreamSource source;

    private EventSourceMappingRunner(
            StreamSource source, EventSourceMapping mapping, FunctionInvoker invoker, boolean windowed) {
        this.source = source;
        this.mapping = mapping;
        this.engine = new Engine(mapping, source, invoker, windowed);
    }

    /**
     * A runner that invokes a Kinesis handler. Not started.
     *
     * @throws IllegalArgumentException if the source is not a Kinesis stream or the mapping has a tumbling window
     */
    public static EventSourceMappingRunner forKinesis(
            StreamSource source, EventSourceMapping mapping, RequestHandler<KinesisEvent, StreamsEventResponse> handler) {
        check(source, mapping, handler, StreamSource.Type.KINESIS, false);
        ClassLoader loader = handler.getClass().getClassLoader();
        return new EventSourceMappingRunner(
                source,
                mapping,
                (records, origin, window, context) -> {
                    KinesisEvent event =
                            LambdaEventJson.read(LambdaEventJson.event(records, origin, null), KinesisEvent.class, loader);
                    return streamsResponse(handler.handleRequest(event, context));
                },
                false);
    }

    /**
     * A runner that invokes a Kinesis tumbling-window handler. Not started.
     *
     * @throws IllegalArgumentException if the source is not a Kinesis stream or the mapping has no tumbling window
     */
    public static EventSourceMappingRunner forKinesisWindows(
            StreamSource source,
            EventSourceMapping mapping,
            RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse> handler) {
        check(source, mapping, handler, StreamSource.Type.KINESIS, true);
        ClassLoader loader = handler.getClass().getClassLoader();
        return new EventSourceMappingRunner(
                source,
                mapping,
                (records, origin, window, context) -> {
                    KinesisTimeWindowEvent event =
                            LambdaEventJson.read(
                                    LambdaEventJson.event(records, origin, window), KinesisTimeWindowEvent.class, loader);
                    return windowResponse(handler.handleRequest(event, context));
                },
                true);
    }

    /**
     * A runner that invokes a DynamoDB Streams handler. Not started.
     *
     * @throws IllegalArgumentException if the source is not a DynamoDB stream, the mapping has a tumbling window,
     *     or it starts {@code AT_TIMESTAMP} (DynamoDB mappings support only TRIM_HORIZON and LATEST)
     */
    public static EventSourceMappingRunner forDynamoDb(
            StreamSource source, EventSourceMapping mapping, RequestHandler<DynamodbEvent, StreamsEventResponse> handler) {
        check(source, mapping, handler, StreamSource.Type.DYNAMODB, false);
        ClassLoader loader = handler.getClass().getClassLoader();
        return new EventSourceMappingRunner(
                source,
                mapping,
                (records, origin, window, context) -> {
                    DynamodbEvent event =
                            LambdaEventJson.read(LambdaEventJson.event(records, origin, null), DynamodbEvent.class, loader);
                    return streamsResponse(handler.handleRequest(event, context));
                },
                false);
    }

    /**
     * A runner that invokes a DynamoDB Streams tumbling-window handler. Not started.
     *
     * @throws IllegalArgumentException as {@link #forDynamoDb}, or if the mapping has no tumbling window
     */
    public static EventSourceMappingRunner forDynamoDbWindows(
            StreamSource source,
            EventSourceMapping mapping,
            RequestHandler<DynamodbTimeWindowEvent, TimeWindowEventResponse> handler) {
        check(source, mapping, handler, StreamSource.Type.DYNAMODB, true);
        ClassLoader loader = handler.getClass().getClassLoader();
        return new EventSourceMappingRunner(
                source,
                mapping,
                (records, origin, window, context) -> {
                    DynamodbTimeWindowEvent event =
                            LambdaEventJson.read(
                                    LambdaEventJson.event(records, origin, window), DynamodbTimeWindowEvent.class, loader);
                    return windowResponse(handler.handleRequest(event, context));
                },
                true);
    }

    private static void check(
            StreamSource source, EventSourceMapping mapping, Object handler, StreamSource.Type type, boolean windowed) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(handler, "handler");
        if (source.type() != type) {
            throw new IllegalArgumentException(
                    "the handler takes " + type + " events but " + source + " is a " + source.type() + " stream");
        }
        if (windowed && mapping.tumblingWindowInSeconds() == 0) {
            throw new IllegalArgumentException(
                    "a tumbling-window handler needs EventSourceMapping.builder().tumblingWindowInSeconds(1..900)");
        }
        if (!windowed && mapping.tumblingWindowInSeconds() > 0) {
            throw new IllegalArgumentException(
                    "the mapping has a tumbling window: use forKinesisWindows/forDynamoDbWindows with a "
                            + "TimeWindowEventResponse handler");
        }
        if (type == StreamSource.Type.DYNAMODB && mapping.startingPosition() == StartingPosition.AT_TIMESTAMP) {
            throw new IllegalArgumentException(
                    "DynamoDB Streams mappings support TRIM_HORIZON and LATEST only, not AT_TIMESTAMP");
        }
    }

    private static FunctionInvoker.Response streamsResponse(StreamsEventResponse response) {
        if (response == null || response.getBatchItemFailures() == null) {
            return new FunctionInvoker.Response(null, null);
        }
        return new FunctionInvoker.Response(
                response.getBatchItemFailures().stream()
                        .map(f -> f == null ? null : f.getItemIdentifier())
                        .toList(),
                null);
    }

    private static FunctionInvoker.Response windowResponse(TimeWindowEventResponse response) {
        if (response == null) {
            return new FunctionInvoker.Response(null, null);
        }
        List<String> ids =
                response.getBatchItemFailures() == null
                        ? null
                        : response.getBatchItemFailures().stream()
                                .map(f -> f == null ? null : f.getItemIdentifier())
                                .toList();
        return new FunctionInvoker.Response(ids, response.getState());
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * Lists the shards (so a missing stream fails here) and starts polling.
     *
     * @return this runner
     * @throws IllegalStateException if it was started before
     * @throws RuntimeException what the source throws when the stream cannot be listed
     */
    public EventSourceMappingRunner start() {
        engine.start();
        return this;
    }

    /**
     * Stops polling, lets in-flight invocations end (each within the function timeout) and waits for the threads.
     * Idempotent. Checkpoints stay in the mapping's {@link CheckpointStore}.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Whether it was started and not closed. */
    public boolean isRunning() {
        return engine.isRunning();
    }

    /** The mapping's settings. */
    public EventSourceMapping mapping() {
        return mapping;
    }

    /** The polled stream. */
    public StreamSource source() {
        return source;
    }

    // ------------------------------------------------------------------------------------------------ observing

    /** Every invocation so far, in the order they finished. */
    public List<Invocation> invocations() {
        return engine.journal().invocations();
    }

    /** The invocations of one shard, in order. */
    public List<Invocation> invocations(String shardId) {
        return invocations().stream().filter(i -> i.shardId().equals(shardId)).toList();
    }

    /** Every checkpoint saved so far, in order. */
    public List<Checkpoint> checkpoints() {
        return engine.journal().checkpoints();
    }

    /** The checkpoints of one shard, in order. */
    public List<Checkpoint> checkpoints(String shardId) {
        return checkpoints().stream().filter(c -> c.shardId().equals(shardId)).toList();
    }

    /** The last checkpoint of a shard: a sequence number, {@link CheckpointStore#SHARD_END}, or empty. */
    public Optional<String> checkpoint(String shardId) {
        List<Checkpoint> all = checkpoints(shardId);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1).sequenceNumber());
    }

    /** Every on-failure record sent so far (also when no destination is configured), in order. */
    public List<OnFailureRecord> onFailureRecords() {
        return engine.journal().onFailures();
    }

    /** The shards found so far, in the order found. */
    public List<String> shardIds() {
        return engine.shardIds();
    }

    /**
     * Waits until the mapping is drained: after this call began, the shards were listed and every shard was either
     * done or polled at its tip, and no record is buffered, waiting for a retry or being invoked. Records written
     * before the call are therefore all done when it returns (a tumbling window's final invoke may still be due).
     *
     * @return this runner
     * @throws AssertionError with the state of every shard if not drained within {@code timeout} (for example a
     *     batch that keeps failing with infinite retries)
     */
    public EventSourceMappingRunner awaitDrained(Duration timeout) {
        long since = System.nanoTime();
        engine.discoverSoon();
        engine.journal().await(() -> engine.drainedSince(since), timeout, Duration.ofMillis(10), engine::describe);
        return this;
    }

    /**
     * Waits until {@code condition} holds for the invocations so far.
     *
     * @return the invocations at that moment
     * @throws AssertionError with the state of every shard if it does not hold within {@code timeout}
     */
    public List<Invocation> awaitInvocations(Predicate<List<Invocation>> condition, Duration timeout) {
        engine.journal().await(() -> condition.test(invocations()), timeout, Duration.ofMillis(50), engine::describe);
        return invocations();
    }

    /**
     * Waits until at least {@code count} invocations happened.
     *
     * @return the invocations at that moment
     * @throws AssertionError if there are fewer within {@code timeout}
     */
    public List<Invocation> awaitInvocations(int count, Duration timeout) {
        return awaitInvocations(list -> list.size() >= count, timeout);
    }

    /** The state of every shard, one per line (what timeout messages show). */
    public String describe() {
        return engine.describe();
    }

    @Override
    public String toString() {
        return "EventSourceMappingRunner{" + source + ", " + mapping + "}";
    }
}
