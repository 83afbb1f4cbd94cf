package io.shardwise.testkit.esm.internal;

import io.shardwise.testkit.esm.Checkpoint;
import io.shardwise.testkit.esm.Invocation;
import io.shardwise.testkit.esm.OnFailureRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a runner did, in order: invocations, checkpoints, on-failure records. Every change wakes up waiters, so
 * tests wait for a condition instead of sleeping. Thread-safe (one monitor).
 */
public final class Journal {

    private final List<Invocation> invocations = new ArrayList<>();
    private final List<Checkpoint> checkpoints = new ArrayList<>();
    private final List<OnFailureRecord> onFailures = new ArrayList<>();

    /** Appends an invocation, giving it the next index. */
    public synchronized Invocation add(Function<Long, Invocation> withIndex) {
        Invocation invocation = withIndex.apply((long) invocations.size());
        invocations.add(invocation);
        notifyAll();
        return invocation;
    }

    public synchronized void add(Checkpoint checkpoint) {
        checkpoints.add(checkpoint);
        notifyAll();
    }

    public synchronized void add(OnFailureRecord record) {
        onFailures.add(record);
        notifyAll();
    }

    public synchronized List<Invocation> invocations() {
        return List.copyOf(invocations);
    }

    public synchronized List<Checkpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    public synchronized List<OnFailureRecord> onFailures() {
        return List.copyOf(onFailures);
    }

    /** Wakes up waiters (state outside the journal changed). */
    public synchronized void poke() {
        notifyAll();
    }

    /**
     * Waits until {@code condition} holds, re-checking on every change and at least every {@code recheck}.
     *
     * @throws AssertionError with {@code describe}'s text if it does not hold within {@code timeout}
     */
    public void await(BooleanSupplier condition, Duration timeout, Duration recheck, Supplier<String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("not reached within " + timeout + ": " + describe.get());
            }
            synchronized (this) {
                try {
                    wait(Math.max(1, Math.min(recheck.toMillis(), left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting: " + describe.get(), e);
                }
            }
        }
    }
}
