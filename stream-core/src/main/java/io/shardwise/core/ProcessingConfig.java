package io.shardwise.core;

import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.sink.FailureSink;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * How a handler processes batches. Immutable and thread-safe; build it once, in the Lambda handler's
 * constructor.
 *
 * <pre>{@code
 * ProcessingConfig config = ProcessingConfig.builder("order-totals")
 *         .dedupStore(DynamoDbDedupStore.builder(dynamoDb, "shardwise-dedup").build())
 *         .dedupMode(DedupMode.TRANSACTIONAL)
 *         .failureSink(SqsFailureSink.builder().client(sqs).queueUrl(queueUrl).build())
 *         .build();
 * }</pre>
 */
public final class ProcessingConfig {

    /** Default retry budget: a retryable failure is parked on its third failed attempt. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Default time kept free at the end of an invocation. */
    public static final Duration DEFAULT_DEADLINE_MARGIN = Duration.ofSeconds(1);
    /**
     * Default lifetime of completed markers: two days, longer than the default 24-hour retention of both Kinesis
     * and DynamoDB Streams, so a record is never reprocessed because its marker expired first. Raise it when a
     * Kinesis stream keeps data longer.
     */
    public static final Duration DEFAULT_RECORD_TTL = Duration.ofDays(2);

    private final String consumerName;
    private final FailureMode failureMode;
    private final int maxConcurrency;
    private final Executor executor;
    private final Duration deadlineMargin;
    private final int maxAttempts;
    private final DedupStore dedupStore;
    private final DedupMode dedupMode;
    private final int watermarkGroupSize;
    private final boolean shardWatermark;
    private final boolean payloadValidation;
    private final Duration recordTtl;
    private final FailureSink failureSink;
    private final boolean logPayloads;
    private final boolean metrics;
    private final Clock clock;
    private final DynamoDbClient guardedClient;
    private final boolean overrunWatch;
    private final java.util.concurrent.ScheduledExecutorService overrunTimer;

    private ProcessingConfig(Builder b) {
        this.consumerName = b.consumerName;
        this.failureMode = b.failureMode;
        this.maxConcurrency = b.maxConcurrency;
        this.executor = b.executor;
        this.deadlineMargin = b.deadlineMargin;
        this.maxAttempts = b.maxAttempts;
        this.dedupStore = b.dedupStore;
        this.dedupMode = b.dedupMode;
        this.watermarkGroupSize = b.watermarkGroupSize;
        this.shardWatermark = b.shardWatermark;
        this.payloadValidation = b.payloadValidation;
        this.recordTtl = b.recordTtl;
        this.failureSink = b.failureSink;
        this.logPayloads = b.logPayloads;
        this.metrics = b.metrics;
        this.clock = b.clock;
        this.guardedClient = b.guardedClient;
        this.overrunWatch = b.overrunWatch;
        this.overrunTimer = b.overrunTimer;
    }

    /**
     * @param consumerName names this consumer in dedup ids, parked records, logs and metrics (e.g. the function
     *                     name). Two handlers sharing a dedup table must use different names.
     */
    public static Builder builder(String consumerName) {
        return new Builder(consumerName);
    }

    /** The consumer's name: the prefix of its dedup ids and the dimension of its metrics. */
    public String consumerName() { return consumerName; }
    /** What happens to the records after a failed one. */
    public FailureMode failureMode() { return failureMode; }
    /** Maximum partition keys processed at once within a batch; 1 = sequential. */
    public int maxConcurrency() { return maxConcurrency; }
    /** The executor for key-parallel processing, if the caller supplied one. */
    public Optional<Executor> executor() { return Optional.ofNullable(executor); }
    /** No record starts when less than this much invocation time is left. */
    public Duration deadlineMargin() { return deadlineMargin; }
    /** Failed attempts after which a retryable failure is parked (counted in the dedup store). */
    public int maxAttempts() { return maxAttempts; }
    /** The dedup store, if one is configured. */
    public Optional<DedupStore> dedupStore() { return Optional.ofNullable(dedupStore); }
    /** How the dedup store is used (meaningful only with a dedup store). */
    public DedupMode dedupMode() { return dedupMode; }
    /** In {@link DedupMode#WATERMARK}: the watermark advances every this many records. */
    public int watermarkGroupSize() { return watermarkGroupSize; }
    /** In watermark mode: one watermark per shard (true) or per partition key (false, the default). */
    public boolean shardWatermark() { return shardWatermark; }
    /** Whether a payload hash is stored with each marker and a differing payload under a known key reported. */
    public boolean payloadValidation() { return payloadValidation; }
    /** How long completed markers are kept. */
    public Duration recordTtl() { return recordTtl; }
    /** Where poison records go, if anywhere. */
    public Optional<FailureSink> failureSink() { return Optional.ofNullable(failureSink); }
    /** Whether failure log lines include payloads. */
    public boolean logPayloads() { return logPayloads; }
    /** Whether CloudWatch EMF metrics are written to standard output. */
    public boolean metrics() { return metrics; }
    /** The clock for leases and TTLs. */
    public Clock clock() { return clock; }
    /** The client {@link DedupMode#GUARDED} sends the records' guarded writes with. */
    public Optional<DynamoDbClient> guardedClient() { return Optional.ofNullable(guardedClient); }
    /** Whether an attempt still running when the invocation is about to time out is counted (see the builder). */
    public boolean overrunWatch() { return overrunWatch; }
    /** The timer the overrun watch fires on, if the caller supplied one (see the builder). */
    public Optional<java.util.concurrent.ScheduledExecutorService> overrunTimer() {
        return Optional.ofNullable(overrunTimer);
    }

    /**
     * This config with another dedup store, failure sink and GUARDED client, without metrics and payload logging:
     * what {@link Priming} runs its synthetic batch with, so that nothing of it reaches a real table, queue or
     * metric. Every other setting (failure mode, concurrency, executor, mode, clock…) is kept, so priming runs the
     * same code paths as a real batch.
     */
    ProcessingConfig withStoreAndSinkForPriming(DedupStore store, FailureSink sink, DynamoDbClient guardedClient) {
        Builder b = new Builder(consumerName);
        b.failureMode = failureMode;
        b.maxConcurrency = maxConcurrency;
        b.executor = executor;
        b.deadlineMargin = deadlineMargin;
        b.maxAttempts = maxAttempts;
        b.dedupStore = store;
        b.dedupMode = store == null ? null : dedupMode;
        b.watermarkGroupSize = watermarkGroupSize;
        b.shardWatermark = shardWatermark;
        b.payloadValidation = payloadValidation;
        b.recordTtl = recordTtl;
        b.failureSink = sink;
        b.logPayloads = false;
        b.metrics = false;
        b.clock = clock;
        b.overrunWatch = overrunWatch;
        b.overrunTimer = overrunTimer;
        b.guardedClient = guardedClient;
        return b.build();
    }

    /** Builds a {@link ProcessingConfig}. Not thread-safe; {@link #build()} validates everything. */
    public static final class Builder {
        private final String consumerName;
        private FailureMode failureMode = FailureMode.STOP_AT_FIRST_FAILURE;
        private int maxConcurrency = 1;
        private Executor executor;
        private Duration deadlineMargin = DEFAULT_DEADLINE_MARGIN;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private DedupStore dedupStore;
        private DedupMode dedupMode;
        private int watermarkGroupSize = 1;
        private boolean shardWatermark;
        private boolean payloadValidation;
        private Duration recordTtl = DEFAULT_RECORD_TTL;
        private FailureSink failureSink;
        private boolean logPayloads;
        private boolean metrics = true;
        private Clock clock = Clock.systemUTC();
        private DynamoDbClient guardedClient;
        private boolean overrunWatch = true;
        private java.util.concurrent.ScheduledExecutorService overrunTimer;

        private Builder(String consumerName) {
            this.consumerName = consumerName;
        }

        /** Default {@link FailureMode#STOP_AT_FIRST_FAILURE}. */
        public Builder failureMode(FailureMode mode) { this.failureMode = mode; return this; }

        /**
         * Process up to {@code n} partition keys at once within a batch (order kept per key). Default 1
         * (sequential). Worth it for I/O-bound processors.
         */
        public Builder maxConcurrency(int n) { this.maxConcurrency = n; return this; }

        /**
         * The executor for key-parallel processing (e.g. {@code Executors.newVirtualThreadPerTaskExecutor()} on
         * Java 21). The caller owns it. Default: a pool of {@code maxConcurrency} daemon threads owned by the
         * processor.
         */
        public Builder executor(Executor executor) { this.executor = executor; return this; }

        /** Stop starting records when less than this much invocation time is left. Default 1 s. */
        public Builder deadlineMargin(Duration margin) { this.deadlineMargin = margin; return this; }

        /**
         * Failed attempts after which a retryable failure is parked. Default 3. Counted across invocations in the
         * dedup store; without one, retryable failures are never parked by the library (Lambda's
         * {@code MaximumRetryAttempts} then applies).
         */
        public Builder maxAttempts(int attempts) { this.maxAttempts = attempts; return this; }

        /** The dedup store; default none (at-least-once, no skipping). */
        public Builder dedupStore(DedupStore store) { this.dedupStore = store; return this; }

        /** How the dedup store is used; default {@link DedupMode#PER_RECORD} when a store is set. */
        public Builder dedupMode(DedupMode mode) { this.dedupMode = mode; return this; }

        /** In {@link DedupMode#WATERMARK}: advance the watermark every {@code n} records. Default 1. */
        public Builder watermarkGroupSize(int n) { this.watermarkGroupSize = n; return this; }

        /**
         * In {@link DedupMode#WATERMARK}: keep one watermark per shard instead of one per partition key. Fewer
         * reads, and with {@code watermarkGroupSize > 1} far fewer writes — but correct <b>only</b> when the event
         * source mapping's {@code ParallelizationFactor} is 1 (its default): with more, Lambda runs several batches
         * of one shard at once, each holding some partition keys, and one batch's watermark would skip another's
         * records. Requires sequential {@link FailureMode#STOP_AT_FIRST_FAILURE}. Default off (per key: safe with
         * any parallelization factor).
         */
        public Builder shardWatermark(boolean on) { this.shardWatermark = on; return this; }

        /**
         * Store a SHA-256 of each payload with its marker, and report a record whose key is known but whose
         * payload differs (non-retryable, so parked) instead of skipping it. Default off.
         */
        public Builder payloadValidation(boolean on) { this.payloadValidation = on; return this; }

        /** How long completed markers are kept; default {@link #DEFAULT_RECORD_TTL}. */
        public Builder recordTtl(Duration ttl) { this.recordTtl = ttl; return this; }

        /** Where poison records go; default none (they stay failed and block the shard, loudly). */
        public Builder failureSink(FailureSink sink) { this.failureSink = sink; return this; }

        /** Include payloads in failure log lines. Default off: payloads may hold personal data. */
        public Builder logPayloads(boolean on) { this.logPayloads = on; return this; }

        /** Emit CloudWatch EMF metrics to standard output. Default on. */
        public Builder metrics(boolean on) { this.metrics = on; return this; }

        /** The clock for leases and TTLs (tests inject one). Default UTC system clock. */
        public Builder clock(Clock clock) { this.clock = clock; return this; }

        /**
         * In {@link DedupMode#GUARDED}: the client the records' guarded writes are sent with (its region,
         * credentials and retry policy apply; the caller owns it). Required in that mode, refused in others.
         */
        public Builder guardedClient(DynamoDbClient client) { this.guardedClient = client; return this; }

        /**
         * In {@link DedupMode#TRANSACTIONAL}, {@link DedupMode#GUARDED} and for position-keyed records in
         * {@link DedupMode#WATERMARK} (modes
         * that write nothing before a record's effect, so a Lambda timeout would end an attempt unseen): when half
         * the {@link #deadlineMargin} is left and a record is still in the processor, a timer thread records its
         * attempt as failed, so that a record that hangs every time uses up {@link #maxAttempts} and is parked.
         * No write unless a record overruns. Default on; where the Lambda context's remaining time is not real time
         * (a simulated clock), pass {@link #overrunTimer} on that time, or turn the watch off.
         */
        public Builder overrunWatch(boolean on) { this.overrunWatch = on; return this; }

        /**
         * The timer the {@link #overrunWatch} is armed on, once per invocation that needs it (one
         * {@code schedule(task, delay, MILLISECONDS)}, cancelled when the invocation ends). Default: one daemon
         * thread per handler, started by the first batch that needs it. For a simulated clock, whose timer fires
         * on simulated time; the handler never shuts a supplied timer down.
         */
        public Builder overrunTimer(java.util.concurrent.ScheduledExecutorService timer) {
            this.overrunTimer = timer;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the setting to change
         */
        public ProcessingConfig build() {
            require(consumerName != null && !consumerName.isBlank(),
                    "consumerName must not be blank: name the consumer, e.g. after the Lambda function");
            require(!consumerName.contains("#"), "consumerName must not contain '#' (it separates the consumer "
                    + "name from the key hash in dedup ids): '" + consumerName + "'");
            Objects.requireNonNull(failureMode, "failureMode");
            require(maxConcurrency >= 1 && maxConcurrency <= 1024,
                    "maxConcurrency must be between 1 and 1024, was " + maxConcurrency);
            Objects.requireNonNull(deadlineMargin, "deadlineMargin");
            require(!deadlineMargin.isNegative(), "deadlineMargin must not be negative, was " + deadlineMargin);
            require(maxAttempts >= 1, "maxAttempts must be at least 1, was " + maxAttempts);
            require(watermarkGroupSize >= 1, "watermarkGroupSize must be at least 1, was " + watermarkGroupSize);
            Objects.requireNonNull(recordTtl, "recordTtl");
            require(recordTtl.compareTo(Duration.ofMinutes(1)) >= 0,
                    "recordTtl must be at least one minute, was " + recordTtl);
            Objects.requireNonNull(clock, "clock");
            if (dedupMode == null) {
                dedupMode = DedupMode.PER_RECORD;
            } else {
                require(dedupStore != null, "dedupMode(" + dedupMode + ") needs a dedupStore: set dedupStore("
                        + "DynamoDbDedupStore...) or remove dedupMode");
            }
            require(failureMode != FailureMode.ISOLATE_PARTITION_KEY || dedupStore != null,
                    "FailureMode.ISOLATE_PARTITION_KEY needs a dedupStore: records after the reported failure "
                            + "that succeeded are redelivered by Lambda and must be skipped. Set dedupStore(...) "
                            + "or use STOP_AT_FIRST_FAILURE");
            require(dedupMode != DedupMode.WATERMARK || watermarkGroupSize == 1 || failureMode
                    == FailureMode.STOP_AT_FIRST_FAILURE, "watermarkGroupSize > 1 works only with "
                    + "STOP_AT_FIRST_FAILURE");
            require(!shardWatermark || (dedupStore != null && dedupMode == DedupMode.WATERMARK),
                    "shardWatermark(true) applies to dedupMode(DedupMode.WATERMARK) only");
            require(!shardWatermark || (maxConcurrency == 1 && failureMode == FailureMode.STOP_AT_FIRST_FAILURE),
                    "shardWatermark(true) needs sequential STOP_AT_FIRST_FAILURE processing (maxConcurrency 1): a "
                            + "shard-wide watermark is only right when the shard's records complete in order");
            require(dedupMode != DedupMode.GUARDED || guardedClient != null, "dedupMode(DedupMode.GUARDED) sends "
                    + "each record's write itself: set guardedClient(dynamoDbClient)");
            require(guardedClient == null || (dedupStore != null && dedupMode == DedupMode.GUARDED),
                    "guardedClient(...) applies to dedupMode(DedupMode.GUARDED) only");
            return new ProcessingConfig(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
