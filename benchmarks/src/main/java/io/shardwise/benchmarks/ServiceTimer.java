package io.shardwise.benchmarks;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Time spent between sending a request and receiving its response, by operation: DynamoDB Local's own work plus
 * the loopback hop, without the injected latency (registered after {@link LatencyInjector}, so its
 * {@code beforeTransmission} runs once the delay is over). It tells how much of a batch's wall time is the
 * emulator's cost, which differs from DynamoDB's (DynamoDB Local runs on SQLite in this JVM). Thread-safe.
 */
public final class ServiceTimer implements ExecutionInterceptor {
    private static final ExecutionAttribute<Long> SENT = new ExecutionAttribute<>("shardwise.benchmarks.sent");

    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attributes.putAttribute(SENT, System.nanoTime());
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Long sent = attributes.getAttribute(SENT);
        if (sent != null) {
            String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            nanos.computeIfAbsent(op == null ? "?" : op, k -> new LongAdder()).add(System.nanoTime() - sent);
        }
    }

    /** Milliseconds by operation since the last reset (summed over threads). */
    public Map<String, Double> snapshotMillis() {
        Map<String, Double> out = new TreeMap<>();
        nanos.forEach((op, n) -> {
            long v = n.sum();
            if (v != 0) {
                out.put(op, v / 1e6);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    public void reset() {
        nanos.values().forEach(LongAdder::reset);
    }
}
