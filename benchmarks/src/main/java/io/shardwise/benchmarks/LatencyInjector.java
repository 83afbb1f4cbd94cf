package io.shardwise.benchmarks;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Adds a fixed delay to every HTTP request an SDK client sends, standing in for the network round trip to
 * DynamoDB in AWS (the embedded engine on loopback answers in about a millisecond or less). The delay is spent in
 * {@code beforeTransmission}, once per attempt (an SDK retry pays it again, as a real retry would), on the calling
 * thread, so concurrent callers wait in parallel as they would on a real network.
 *
 * <p>Thread-safe; {@link #set} takes effect for requests sent afterwards.
 */
public final class LatencyInjector implements ExecutionInterceptor {
    private volatile long nanos;

    /** Sets the delay added to each request; 0 turns injection off. */
    public void set(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("latency must be >= 0 ms, was " + millis);
        }
        this.nanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** The delay in milliseconds. */
    public long millis() {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
        long wait = nanos;
        if (wait == 0) {
            return;
        }
        // parkNanos can return early (spurious wake-ups): wait until the full delay has passed.
        long deadline = System.nanoTime() + wait;
        for (long left = wait; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
