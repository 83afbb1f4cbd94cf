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
 * Time spent between sending a request and receiving its response, by operation: the embedded DynamoDB engine's own
 * work plus the loopback hop, without the injected latency (registered after {@link LatencyInjector}, so its
 * {@code beforeTransmission} runs once the delay is over). It tells how much of a batch's wall time is the engine's cost,
 * which differs from DynamoDB's (the engine is in-memory, in this JVM, behind an HTTP server on loopback).
 * Thread-safe.
 */
public final class ServiceTimer implements ExecutionInterceptor {
    /**
     * Key of {@link #snapshotMillis()} for the wall time during which at least one call was in flight. Summing the
     * operations would count overlapping calls (concurrent reads and commits) twice.
     */
    public static final String BUSY = "(any call in flight)";

    private static final ExecutionAttribute<Long> SENT = new ExecutionAttribute<>("shardwise.benchmarks.sent");
    private static final ExecutionAttribute<Boolean> ENDED = new ExecutionAttribute<>("shardwise.benchmarks.ended");

    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    private int inFlight;
    private long busySince;
    private long busyNanos;

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        long now = System.nanoTime();
        attributes.putAttribute(SENT, now);
        attributes.putAttribute(ENDED, false);
        synchronized (this) {
            if (inFlight++ == 0) {
                busySince = now;
            }
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        end(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        end(attributes); // a call that failed in transmission never reaches afterTransmission
    }

    private void end(ExecutionAttributes attributes) {
        Long sent = attributes.getAttribute(SENT);
        if (sent == null || !Boolean.FALSE.equals(attributes.getAttribute(ENDED))) {
            return; // never sent, or already ended (once per transmission)
        }
        attributes.putAttribute(ENDED, true);
        long now = System.nanoTime();
        String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        nanos.computeIfAbsent(op == null ? "?" : op, k -> new LongAdder()).add(now - sent);
        synchronized (this) {
            if (--inFlight == 0) {
                busyNanos += now - busySince;
            }
        }
    }

    /** Milliseconds by operation since the last reset (summed over threads), and {@link #BUSY}. */
    public Map<String, Double> snapshotMillis() {
        Map<String, Double> out = new TreeMap<>();
        synchronized (this) {
            if (busyNanos != 0) {
                out.put(BUSY, busyNanos / 1e6);
            }
        }
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
        synchronized (this) {
            busyNanos = 0;
        }
    }
}
