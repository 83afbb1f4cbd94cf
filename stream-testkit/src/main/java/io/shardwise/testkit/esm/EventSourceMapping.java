package io.shardwise.testkit.esm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The settings of one local event source mapping, named and validated as Lambda's
 * {@code CreateEventSourceMapping} names and validates them, plus the few settings of the function and of the
 * runner itself (timeout, clock, poll interval).
 *
 * <p>Defaults are Lambda's where Lambda has one: batch size 100, no batching window, no partial batch responses,
 * no bisect, infinite retries ({@code -1}), infinite record age ({@code -1}), parallelization factor 1, no tumbling
 * window, no on-failure destination. Where Lambda has no default the runner picks a test-friendly one:
 * {@link StartingPosition#TRIM_HORIZON}; a function timeout of 30 seconds (Lambda's own default, 3 seconds, is
 * too tight for a JIT-cold test JVM); polling every 50 ms instead of once a second.
 *
 * <pre>{@code
 * EventSourceMapping mapping = EventSourceMapping.builder()
 *     .batchSize(10)
 *     .reportBatchItemFailures(true)
 *     .maximumRetryAttempts(2)
 *     .onFailure(records::add)
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link Builder#build()} throws {@link IllegalArgumentException} naming the
 * setting to change when a value is outside Lambda's documented range.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html">
 *     CreateEventSourceMapping</a>
 */
public final class EventSourceMapping {

    /** Lambda's largest batch size for Kinesis and DynamoDB Streams. */
    public static final int MAX_BATCH_SIZE = 10_000;

    private final String uuid;
    private final String functionName;
    private final Duration functionTimeout;
    private final int batchSize;
    private final Duration maximumBatchingWindow;
    private final StartingPosition startingPosition;
    private final Instant startingPositionTimestamp;
    private final boolean reportBatchItemFailures;
    private final boolean bisectBatchOnFunctionError;
    private final int maximumRetryAttempts;
    private final int maximumRecordAgeInSeconds;
    private final int parallelizationFactor;
    private final int tumblingWindowInSeconds;
    private final OnFailureDestination onFailure;
    private final String region;
    private final String accountId;
    private final String invokeIdentityArn;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration shardDiscoveryInterval;
    private final Duration retryBackoff;
    private final CheckpointStore checkpointStore;

    private EventSourceMapping(Builder b) {
        this.uuid = b.uuid != null ? b.uuid : UUID.randomUUID().toString();
        this.functionName = b.functionName;
        this.functionTimeout = b.functionTimeout;
        this.batchSize = b.batchSize;
        this.maximumBatchingWindow = b.maximumBatchingWindow;
        this.startingPosition = b.startingPosition;
        this.startingPositionTimestamp = b.startingPositionTimestamp;
        this.reportBatchItemFailures = b.reportBatchItemFailures;
        this.bisectBatchOnFunctionError = b.bisectBatchOnFunctionError;
        this.maximumRetryAttempts = b.maximumRetryAttempts;
        this.maximumRecordAgeInSeconds = b.maximumRecordAgeInSeconds;
        this.parallelizationFactor = b.parallelizationFactor;
        this.tumblingWindowInSeconds = b.tumblingWindowInSeconds;
        this.onFailure = b.onFailure;
        this.region = b.region;
        this.accountId = b.accountId;
        this.invokeIdentityArn =
                b.invokeIdentityArn != null
                        ? b.invokeIdentityArn
                        : "arn:aws:iam::" + b.accountId + ":role/" + b.functionName + "-role";
        this.clock = b.clock;
        this.pollInterval = b.pollInterval;
        this.shardDiscoveryInterval = b.shardDiscoveryInterval;
        this.retryBackoff = b.retryBackoff;
        this.checkpointStore = b.checkpointStore;
    }

    /** A builder with the defaults described in the class comment. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this mapping's settings (including its {@link #uuid()}), to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.uuid = uuid;
        b.functionName = functionName;
        b.functionTimeout = functionTimeout;
        b.batchSize = batchSize;
        b.maximumBatchingWindow = maximumBatchingWindow;
        b.startingPosition = startingPosition;
        b.startingPositionTimestamp = startingPositionTimestamp;
        b.reportBatchItemFailures = reportBatchItemFailures;
        b.bisectBatchOnFunctionError = bisectBatchOnFunctionError;
        b.maximumRetryAttempts = maximumRetryAttempts;
        b.maximumRecordAgeInSeconds = maximumRecordAgeInSeconds;
        b.parallelizationFactor = parallelizationFactor;
        b.tumblingWindowInSeconds = tumblingWindowInSeconds;
        b.onFailure = onFailure;
        b.region = region;
        b.accountId = accountId;
        b.invokeIdentityArn = invokeIdentityArn;
        b.clock = clock;
        b.pollInterval = pollInterval;
        b.shardDiscoveryInterval = shardDiscoveryInterval;
        b.retryBackoff = retryBackoff;
        b.checkpointStore = checkpointStore;
        return b;
    }

    /** The mapping's id; checkpoints are stored under it, so a runner built with the same id resumes. */
    public String uuid() {
        return uuid;
    }

    /** The function name the {@link com.amazonaws.services.lambda.runtime.Context} and on-failure records carry. */
    public String functionName() {
        return functionName;
    }

    /** The function's timeout: each invocation is abandoned (interrupted) and counted as failed after it. */
    public Duration functionTimeout() {
        return functionTimeout;
    }

    /** {@code BatchSize}: the most records in one event. */
    public int batchSize() {
        return batchSize;
    }

    /** {@code MaximumBatchingWindowInSeconds}: how long to gather records before invoking with a partial batch. */
    public Duration maximumBatchingWindow() {
        return maximumBatchingWindow;
    }

    /** {@code StartingPosition}. */
    public StartingPosition startingPosition() {
        return startingPosition;
    }

    /** {@code StartingPositionTimestamp}; null unless {@link StartingPosition#AT_TIMESTAMP}. */
    public Instant startingPositionTimestamp() {
        return startingPositionTimestamp;
    }

    /** Whether {@code FunctionResponseTypes} holds {@code ReportBatchItemFailures}. */
    public boolean reportBatchItemFailures() {
        return reportBatchItemFailures;
    }

    /** {@code BisectBatchOnFunctionError}. */
    public boolean bisectBatchOnFunctionError() {
        return bisectBatchOnFunctionError;
    }

    /** {@code MaximumRetryAttempts}; {@code -1} means retry until the record expires. */
    public int maximumRetryAttempts() {
        return maximumRetryAttempts;
    }

    /** {@code MaximumRecordAgeInSeconds}; {@code -1} means no limit. */
    public int maximumRecordAgeInSeconds() {
        return maximumRecordAgeInSeconds;
    }

    /** {@code ParallelizationFactor}: concurrent batches per shard, order kept per partition key. */
    public int parallelizationFactor() {
        return parallelizationFactor;
    }

    /** {@code TumblingWindowInSeconds}; 0 means no tumbling window. */
    public int tumblingWindowInSeconds() {
        return tumblingWindowInSeconds;
    }

    /** {@code DestinationConfig.OnFailure}; null when there is none (discarded records are then only skipped). */
    public OnFailureDestination onFailure() {
        return onFailure;
    }

    /** The region in event records ({@code awsRegion}) and in the ARNs the runner makes up. */
    public String region() {
        return region;
    }

    /** The account id in the ARNs the runner makes up. */
    public String accountId() {
        return accountId;
    }

    /** The {@code invokeIdentityArn} of Kinesis event records. */
    public String invokeIdentityArn() {
        return invokeIdentityArn;
    }

    /** The function's ARN, as on-failure records carry it. */
    public String functionArn() {
        return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + functionName;
    }

    /** The clock for record age, batching windows, tumbling windows and the timestamps the runner records. */
    public Clock clock() {
        return clock;
    }

    /** How long a shard's poller waits after a {@code GetRecords} that returned nothing. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** How often the runner lists the stream's shards to find new ones (children of a split or merge). */
    public Duration shardDiscoveryInterval() {
        return shardDiscoveryInterval;
    }

    /** The pause before retrying a failed batch. */
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /** Where checkpoints are kept. */
    public CheckpointStore checkpointStore() {
        return checkpointStore;
    }

    @Override
    public String toString() {
        return "EventSourceMapping{uuid=" + uuid + ", batchSize=" + batchSize
                + ", maximumBatchingWindow=" + maximumBatchingWindow + ", startingPosition=" + startingPosition
                + ", reportBatchItemFailures=" + reportBatchItemFailures + ", bisect=" + bisectBatchOnFunctionError
                + ", maximumRetryAttempts=" + maximumRetryAttempts + ", maximumRecordAgeInSeconds="
                + maximumRecordAgeInSeconds + ", parallelizationFactor=" + parallelizationFactor
                + ", tumblingWindowInSeconds=" + tumblingWindowInSeconds + ", onFailure=" + (onFailure != null)
                + ", functionTimeout=" + functionTimeout + "}";
    }

    /** Builds an {@link EventSourceMapping}; not thread-safe. */
    public static final class Builder {
        private String uuid;
        private String functionName = "local-function";
        private Duration functionTimeout = Duration.ofSeconds(30);
        private int batchSize = 100;
        private Duration maximumBatchingWindow = Duration.ZERO;
        private StartingPosition startingPosition = StartingPosition.TRIM_HORIZON;
        private Instant startingPositionTimestamp;
        private boolean reportBatchItemFailures;
        private boolean bisectBatchOnFunctionError;
        private int maximumRetryAttempts = -1;
        private int maximumRecordAgeInSeconds = -1;
        private int parallelizationFactor = 1;
        private int tumblingWindowInSeconds;
        private OnFailureDestination onFailure;
        private String region = "us-east-1";
        private String accountId = "000000000000";
        private String invokeIdentityArn;
        private Clock clock = Clock.systemUTC();
        private Duration pollInterval = Duration.ofMillis(50);
        private Duration shardDiscoveryInterval = Duration.ofMillis(200);
        private Duration retryBackoff = Duration.ofMillis(10);
        private CheckpointStore checkpointStore;

        private Builder() {}

        /** The mapping's id (default: a random UUID); reuse it with a persistent {@link CheckpointStore} to resume. */
        public Builder uuid(String uuid) {
            this.uuid = uuid;
            return this;
        }

        /** The function name (default {@code local-function}). */
        public Builder functionName(String functionName) {
            this.functionName = functionName;
            return this;
        }

        /** The function timeout, enforced (default 30 s; Lambda allows 1 s to 15 min, the runner any positive value). */
        public Builder functionTimeout(Duration functionTimeout) {
            this.functionTimeout = functionTimeout;
            return this;
        }

        /** {@code BatchSize}, 1 to 10,000 (default 100). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** {@code MaximumBatchingWindowInSeconds}, 0 to 300 seconds (default 0). Sub-second values are allowed. */
        public Builder maximumBatchingWindow(Duration window) {
            this.maximumBatchingWindow = window;
            return this;
        }

        /** {@code StartingPosition} (default {@link StartingPosition#TRIM_HORIZON}). */
        public Builder startingPosition(StartingPosition startingPosition) {
            this.startingPosition = startingPosition;
            return this;
        }

        /** {@code StartingPositionTimestamp}: required with, and only with, {@link StartingPosition#AT_TIMESTAMP}. */
        public Builder startingPositionTimestamp(Instant timestamp) {
            this.startingPositionTimestamp = timestamp;
            return this;
        }

        /** {@code FunctionResponseTypes: [ReportBatchItemFailures]} when true (default false). */
        public Builder reportBatchItemFailures(boolean enabled) {
            this.reportBatchItemFailures = enabled;
            return this;
        }

        /** {@code BisectBatchOnFunctionError} (default false). */
        public Builder bisectBatchOnFunctionError(boolean enabled) {
            this.bisectBatchOnFunctionError = enabled;
            return this;
        }

        /** {@code MaximumRetryAttempts}, -1 (infinite, the default) to 10,000. */
        public Builder maximumRetryAttempts(int attempts) {
            this.maximumRetryAttempts = attempts;
            return this;
        }

        /** {@code MaximumRecordAgeInSeconds}: -1 (infinite, the default) or 60 to 604,800. */
        public Builder maximumRecordAgeInSeconds(int seconds) {
            this.maximumRecordAgeInSeconds = seconds;
            return this;
        }

        /** {@code ParallelizationFactor}, 1 (default) to 10. */
        public Builder parallelizationFactor(int factor) {
            this.parallelizationFactor = factor;
            return this;
        }

        /** {@code TumblingWindowInSeconds}, 0 (none, the default) to 900. */
        public Builder tumblingWindowInSeconds(int seconds) {
            this.tumblingWindowInSeconds = seconds;
            return this;
        }

        /** {@code DestinationConfig.OnFailure} (default none). */
        public Builder onFailure(OnFailureDestination destination) {
            this.onFailure = destination;
            return this;
        }

        /** The region of event records and made-up ARNs (default {@code us-east-1}). */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** The account id of made-up ARNs (default {@code 000000000000}). */
        public Builder accountId(String accountId) {
            this.accountId = accountId;
            return this;
        }

        /** The Kinesis records' {@code invokeIdentityArn} (default a role named after the function). */
        public Builder invokeIdentityArn(String arn) {
            this.invokeIdentityArn = arn;
            return this;
        }

        /** The runner's clock (default the system UTC clock); inject a settable one to drive ages and windows. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * The pause after an empty {@code GetRecords} (default 50 ms; Lambda polls once a second). Against real Kinesis,
         * which allows 5 {@code GetRecords} per second per shard shared by all consumers, use 200 ms or more.
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        /** How often shards are listed to find new ones (default 200 ms). */
        public Builder shardDiscoveryInterval(Duration interval) {
            this.shardDiscoveryInterval = interval;
            return this;
        }

        /** The pause before retrying a failed batch (default 10 ms). */
        public Builder retryBackoff(Duration backoff) {
            this.retryBackoff = backoff;
            return this;
        }

        /** Where checkpoints are kept (default: a new {@link CheckpointStore#inMemory()} per mapping). */
        public Builder checkpointStore(CheckpointStore store) {
            this.checkpointStore = store;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the setting that is out of range or missing
         */
        public EventSourceMapping build() {
            require(functionName != null && !functionName.isBlank(), "functionName must not be blank");
            requirePositive(functionTimeout, "functionTimeout");
            require(batchSize >= 1 && batchSize <= MAX_BATCH_SIZE,
                    "batchSize must be 1..10000 (Lambda's limit for streams), was " + batchSize);
            Objects.requireNonNull(maximumBatchingWindow, "maximumBatchingWindow");
            require(!maximumBatchingWindow.isNegative() && maximumBatchingWindow.compareTo(Duration.ofSeconds(300)) <= 0,
                    "maximumBatchingWindow must be 0..300 seconds, was " + maximumBatchingWindow);
            Objects.requireNonNull(startingPosition, "startingPosition");
            require((startingPosition == StartingPosition.AT_TIMESTAMP) == (startingPositionTimestamp != null),
                    "startingPositionTimestamp is required with AT_TIMESTAMP and only with it (startingPosition="
                            + startingPosition + ")");
            require(maximumRetryAttempts >= -1 && maximumRetryAttempts <= 10_000,
                    "maximumRetryAttempts must be -1 (infinite) or 0..10000, was " + maximumRetryAttempts);
            require(maximumRecordAgeInSeconds == -1
                            || (maximumRecordAgeInSeconds >= 60 && maximumRecordAgeInSeconds <= 604_800),
                    "maximumRecordAgeInSeconds must be -1 (infinite) or 60..604800 as in Lambda, was "
                            + maximumRecordAgeInSeconds);
            require(parallelizationFactor >= 1 && parallelizationFactor <= 10,
                    "parallelizationFactor must be 1..10, was " + parallelizationFactor);
            require(tumblingWindowInSeconds >= 0 && tumblingWindowInSeconds <= 900,
                    "tumblingWindowInSeconds must be 0..900, was " + tumblingWindowInSeconds);
            require(region != null && !region.isBlank(), "region must not be blank");
            require(accountId != null && !accountId.isBlank(), "accountId must not be blank");
            Objects.requireNonNull(clock, "clock");
            requirePositive(pollInterval, "pollInterval");
            requirePositive(shardDiscoveryInterval, "shardDiscoveryInterval");
            Objects.requireNonNull(retryBackoff, "retryBackoff");
            require(!retryBackoff.isNegative(), "retryBackoff must not be negative");
            EventSourceMapping built = new EventSourceMapping(this);
            return checkpointStore != null ? built : built.withStore(CheckpointStore.inMemory());
        }

        private static void requirePositive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            require(!d.isNegative() && !d.isZero(), name + " must be positive, was " + d);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException("EventSourceMapping: " + message);
            }
        }
    }

    private EventSourceMapping withStore(CheckpointStore store) {
        Builder b = toBuilder();
        b.checkpointStore = store;
        return new EventSourceMapping(b);
    }
}
