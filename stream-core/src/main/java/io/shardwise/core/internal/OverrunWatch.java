package io.shardwise.core.internal;

import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the attempts that would end unseen. {@code TRANSACTIONAL} and {@code GUARDED} records, and position-keyed
 * records in {@code WATERMARK} mode, take no lease (nothing is written before their effect, by design of their cost), so when
 * a processor hangs until Lambda's timeout kills the invocation, nothing records that attempt, and a record that
 * hangs every time would never use up its retry budget. (Under a lease the next claim counts the ended lease
 * instead, see {@link StoreHandling#claim}.)
 *
 * <p>Contract: armed per invocation with a Lambda context, it fires once, on a timer thread, when half the deadline
 * margin is left; for each such record still in the processor then, it records a failed attempt
 * ({@link DedupStore#recordFailure} without a lease, bounded by the time that is left) and marks the record so that
 * a failure that follows, should the processor still return, is not counted twice. It writes nothing unless a record
 * overruns. A record that overran and then succeeds is committed as usual (a done record's count does not matter).
 * Thread-safety: {@link #entered}/{@link #left} run on the processor's thread, {@link #fire} on the timer's; each
 * record's hand-over is one atomic map operation.
 */
final class OverrunWatch {
    private static final Logger RECORD_LOG = LoggerFactory.getLogger("io.shardwise.record");
    /** What the last write may take at most: it must finish before Lambda's timeout. */
    private static final long WRITE_RESERVE_MILLIS = 50;

    private final BatchRun<?, ?> run;
    private final DedupStore unbounded;
    /** Records in the processor now, with whether this watch counted their attempt. */
    private final Map<Slot<?, ?>, AtomicBoolean> inProcessor = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> timer;

    private OverrunWatch(BatchRun<?, ?> run, DedupStore unbounded, ScheduledExecutorService scheduler, long delay) {
        this.run = run;
        this.unbounded = unbounded;
        this.timer = scheduler.schedule(this::fire, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * A watch for {@code run}, or null where none is needed: no Lambda context (no timeout to overrun), no dedup
     * store, a mode whose records are all claimed under a lease, or the watch turned off.
     */
    static OverrunWatch arm(BatchRun<?, ?> run, DedupStore unbounded,
                            java.util.function.Supplier<ScheduledExecutorService> scheduler) {
        if (run.context == null || unbounded == null || !run.config.overrunWatch()
                || run.mode == DedupMode.PER_RECORD) {
            return null;
        }
        long delay = run.context.getRemainingTimeInMillis() - run.marginMillis / 2;
        return new OverrunWatch(run, unbounded, scheduler.get(), Math.max(0, delay));
    }

    /** The processor starts {@code s} (its own thread). Records claimed under a lease are not watched. */
    void entered(Slot<?, ?> s) {
        if (!s.payloadKeyed) {
            inProcessor.put(s, new AtomicBoolean());
        }
    }

    /** The processor returned or threw for {@code s}: whether this watch counted the attempt is noted on it. */
    void left(Slot<?, ?> s) {
        AtomicBoolean counted = inProcessor.remove(s);
        if (counted != null && counted.get()) {
            s.attemptCountedByWatch = true;
        }
    }

    /** The invocation ended: nothing more to watch. */
    void disarm() {
        timer.cancel(false);
    }

    private void fire() {
        for (Slot<?, ?> s : inProcessor.keySet()) {
            // Marked under the map's lock for s: either left() already took it (and counts a failure itself), or
            // left() will see the mark.
            boolean[] mine = {false};
            inProcessor.computeIfPresent(s, (k, counted) -> {
                mine[0] = counted.compareAndSet(false, true);
                return counted;
            });
            if (mine[0]) {
                count(s);
            }
        }
    }

    private void count(Slot<?, ?> s) {
        try {
            int attempts = unbounded.withCallTimeout(() -> Duration.ofMillis(
                    run.context.getRemainingTimeInMillis() - WRITE_RESERVE_MILLIS))
                    .recordFailure(s.id, null, run.expiresAt(run.now()));
            run.dedupCalls.incrementAndGet();
            RECORD_LOG.warn("{\"event\":\"attempt_overran\",\"consumer\":\"{}\",\"record\":\"{}\",\"attempts\":{},"
                    + "\"detail\":\"still in the processor as the invocation is about to time out; counted as a "
                    + "failed attempt ({} of maxAttempts {}). Raise the function timeout or lower the batch size if "
                    + "the processor is only slow.\"}", run.config.consumerName(), s.raw.describe(), attempts,
                    attempts, run.config.maxAttempts());
        } catch (RuntimeException e) {
            // Best effort: the invocation is about to end anyway; the attempt then goes uncounted, as before.
            RECORD_LOG.warn("{\"event\":\"attempt_overran\",\"consumer\":\"{}\",\"record\":\"{}\",\"detail\":\"could "
                    + "not count the overrunning attempt: {}\"}", run.config.consumerName(), s.raw.describe(),
                    e.getMessage());
        }
    }
}
