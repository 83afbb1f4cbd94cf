package io.shardwise.core.dedup;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts AWS SDK requests by operation name ({@code "BatchGetItem"}, {@code "UpdateItem"},
 * {@code "TransactWriteItems"}, …): what a dedup mode costs, measured rather than estimated.
 *
 * <pre>{@code
 * RequestCounter counter = new RequestCounter();
 * DynamoDbClient dynamoDb = DynamoDbClient.builder()
 *         .overrideConfiguration(c -> c.addExecutionInterceptor(counter))
 *         .build();
 * ...
 * counter.snapshot(); // {BatchGetItem=10, TransactWriteItems=12}
 * }</pre>
 *
 * <p>One count per API call, made before the call is sent ({@code beforeExecution}): the SDK's own retries of a
 * call are not counted again, a call that fails is counted. {@link InMemoryDedupStore#requestCounter()} counts
 * the calls the DynamoDB store would have made, under the same names, so tests can assert costs without
 * DynamoDB.
 *
 * <p>Thread-safe: counts may be read and reset while requests are in flight (a reset racing a request may or
 * may not include it).
 */
public final class RequestCounter implements ExecutionInterceptor {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
        String operation = executionAttributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        record(operation != null ? operation : context.request().getClass().getSimpleName());
    }

    /** Counts one call of {@code operation}; used by {@link InMemoryDedupStore}. */
    void record(String operation) {
        counts.computeIfAbsent(Objects.requireNonNull(operation, "operation"), k -> new LongAdder()).increment();
    }

    /** The number of calls of {@code operation} (e.g. {@code "TransactWriteItems"}) since the last reset. */
    public long count(String operation) {
        LongAdder adder = counts.get(operation);
        return adder == null ? 0 : adder.sum();
    }

    /** Calls of every operation since the last reset. */
    public long total() {
        long total = 0;
        for (LongAdder adder : counts.values()) {
            total += adder.sum();
        }
        return total;
    }

    /** An immutable copy of the counts by operation name, sorted by name, leaving out operations never called. */
    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((operation, adder) -> {
            long n = adder.sum();
            if (n != 0) {
                copy.put(operation, n);
            }
        });
        return Collections.unmodifiableMap(copy);
    }

    /** Sets every count to zero. */
    public void reset() {
        counts.values().forEach(LongAdder::reset);
    }

    @Override
    public String toString() {
        return "RequestCounter" + snapshot();
    }
}
