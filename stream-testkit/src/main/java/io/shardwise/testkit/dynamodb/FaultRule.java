package io.shardwise.testkit.dynamodb;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One fault to inject: which requests it applies to (operations, table, key), how often it fires (always, with a
 * probability drawn from the engine's seeded random, every n-th matching request, or a bounded number of times),
 * and what it does ({@link FaultKind}). Register it with {@link Faults#add(FaultRule)}.
 *
 * <pre>{@code
 * engine.faults().add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST).operations("PutItem").table("dedup").once().build());
 * }</pre>
 *
 * <p><b>Thread-safety:</b> immutable apart from its fire counter, which is atomic.
 */
public final class FaultRule {

    /** How a lost response shows to the caller ({@link FaultKind#APPLIED_THEN_LOST}). */
    public enum LostResponse {
        /** HTTP 500 {@code InternalServerError}. */
        INTERNAL_ERROR,
        /** An I/O timeout: the connection ends without a response. */
        TIMEOUT
    }

    /** Which throttling error {@link FaultKind#THROTTLE} answers with. */
    public enum ThrottleError {
        /** {@code ProvisionedThroughputExceededException}. */
        PROVISIONED_THROUGHPUT_EXCEEDED,
        /** {@code ThrottlingException}. */
        THROTTLING
    }

    private final FaultKind kind;
    private final Set<String> operations;
    private final String table;
    private final Predicate<Map<String, AttributeValue>> key;
    private final double probability;
    private final int everyNth;
    private final long maxTimes;
    private final Duration latency;
    private final LostResponse lostAs;
    private final ThrottleError throttleError;
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong fired = new AtomicLong();

    private FaultRule(Builder b) {
        this.kind = b.kind;
        this.operations = Set.copyOf(b.operations);
        this.table = b.table;
        this.key = b.key;
        this.probability = b.probability;
        this.everyNth = b.everyNth;
        this.maxTimes = b.maxTimes;
        this.latency = b.latency;
        this.lostAs = b.lostAs;
        this.throttleError = b.throttleError;
    }

    /** A builder for a rule of {@code kind}; by default it fires on every request of every operation. */
    public static Builder builder(FaultKind kind) {
        return new Builder(Objects.requireNonNull(kind, "kind"));
    }

    /** What the rule does to a request it fires on. */
    public FaultKind kind() {
        return kind;
    }

    /** The operations it applies to (e.g. {@code PutItem}); empty means all. */
    public Set<String> operations() {
        return operations;
    }

    /** The table it applies to, or null for any. */
    public String table() {
        return table;
    }

    /** The key predicate, or null for any key. */
    public Predicate<Map<String, AttributeValue>> key() {
        return key;
    }

    /** The probability it fires on a matching request (1: always). */
    public double probability() {
        return probability;
    }

    /** It fires on every n-th matching request (1: on each). */
    public int everyNth() {
        return everyNth;
    }

    /** The most times it fires ({@link Long#MAX_VALUE}: unbounded). */
    public long maxTimes() {
        return maxTimes;
    }

    /** The delay a {@link FaultKind#LATENCY} rule adds, or null. */
    public Duration latency() {
        return latency;
    }

    /** How a request whose response is lost ends for the caller. */
    public LostResponse lostAs() {
        return lostAs;
    }

    /** The error a {@link FaultKind#THROTTLE} rule answers with. */
    public ThrottleError throttleError() {
        return throttleError;
    }

    /** How many times it fired so far. */
    public long fired() {
        return fired.get();
    }

    /** Whether it has no operation, table or key filter (so it concerns the whole endpoint). */
    public boolean unfiltered() {
        return operations.isEmpty() && table == null && key == null;
    }

    long nextMatch() {
        return matched.incrementAndGet();
    }

    boolean tryFire() {
        while (true) {
            long n = fired.get();
            if (n >= maxTimes) {
                return false;
            }
            if (fired.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    @Override
    public String toString() {
        return "FaultRule[" + kind + (operations.isEmpty() ? "" : " " + operations)
                + (table == null ? "" : " table=" + table) + (key == null ? "" : " key=<predicate>")
                + (probability < 1 ? " p=" + probability : "") + (everyNth > 1 ? " every " + everyNth : "")
                + (maxTimes == Long.MAX_VALUE ? "" : " max " + maxTimes) + ", fired " + fired + "]";
    }

    /** Builds a {@link FaultRule}; {@link #build()} checks the combination. */
    public static final class Builder {
        private final FaultKind kind;
        private Set<String> operations = Set.of();
        private String table;
        private Predicate<Map<String, AttributeValue>> key;
        private double probability = 1.0;
        private int everyNth = 1;
        private long maxTimes = Long.MAX_VALUE;
        private Duration latency;
        private LostResponse lostAs = LostResponse.INTERNAL_ERROR;
        private ThrottleError throttleError = ThrottleError.PROVISIONED_THROUGHPUT_EXCEEDED;

        private Builder(FaultKind kind) {
            this.kind = kind;
        }

        /** Only these operations, by API name ({@code PutItem}, {@code TransactWriteItems}, {@code GetRecords}). */
        public Builder operations(String... names) {
            this.operations = Set.of(names);
            return this;
        }

        /** Only requests that touch this table (by name). */
        public Builder table(String name) {
            this.table = Objects.requireNonNull(name, "table");
            return this;
        }

        /**
         * Only requests that touch an item whose key attributes satisfy {@code predicate} (for a batch or a
         * transaction: any of its items). The map holds the key attributes only.
         */
        public Builder key(Predicate<Map<String, AttributeValue>> predicate) {
            this.key = Objects.requireNonNull(predicate, "predicate");
            return this;
        }

        /** Fires on a matching request with this probability, drawn from the engine's seeded random. */
        public Builder probability(double p) {
            this.probability = p;
            return this;
        }

        /** Fires on every n-th matching request (the n-th, the 2n-th, ...). */
        public Builder everyNth(int n) {
            this.everyNth = n;
            return this;
        }

        /** Fires at most {@code n} times, then stays registered but inert. */
        public Builder times(long n) {
            this.maxTimes = n;
            return this;
        }

        /** Fires once: {@code times(1)}. */
        public Builder once() {
            return times(1);
        }

        /** The delay of a {@link FaultKind#LATENCY} rule. */
        public Builder latency(Duration latency) {
            this.latency = Objects.requireNonNull(latency, "latency");
            return this;
        }

        /** How an {@link FaultKind#APPLIED_THEN_LOST} response is lost (default: a 500). */
        public Builder lostAs(LostResponse lostAs) {
            this.lostAs = Objects.requireNonNull(lostAs, "lostAs");
            return this;
        }

        /** The error a {@link FaultKind#THROTTLE} rule answers with (default ProvisionedThroughputExceeded). */
        public Builder throttleError(ThrottleError error) {
            this.throttleError = Objects.requireNonNull(error, "error");
            return this;
        }

        /**
         * @throws IllegalArgumentException when the probability is outside (0, 1], every-n-th or times is below 1,
         *     or a LATENCY rule has no latency
         */
        public FaultRule build() {
            if (!(probability > 0 && probability <= 1)) {
                throw new IllegalArgumentException("probability must be in (0, 1], was " + probability);
            }
            if (everyNth < 1) {
                throw new IllegalArgumentException("everyNth must be at least 1, was " + everyNth);
            }
            if (maxTimes < 1) {
                throw new IllegalArgumentException("times must be at least 1, was " + maxTimes);
            }
            if (kind == FaultKind.LATENCY && (latency == null || latency.isNegative())) {
                throw new IllegalArgumentException("a LATENCY rule needs latency(Duration) of zero or more");
            }
            if (kind != FaultKind.LATENCY && latency != null) {
                throw new IllegalArgumentException("latency(Duration) only applies to LATENCY rules, not " + kind);
            }
            return new FaultRule(this);
        }
    }
}
