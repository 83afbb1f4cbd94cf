package io.shardwise.core;

import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.testkit.FakeContext;
import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.shardwise.core.Records.shard;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 20, item 7, for the modes that take no lease: a processor that hangs on every attempt until Lambda's
 * timeout ends the invocation must still use up its retry budget and be parked. The "Lambda timeout" here: each
 * delivery runs on a thread the test abandons while the processor hangs (as Lambda freezes and kills it), with a
 * 1.5 s function timeout and the default 1 s margin, so the watch fires 1 s in.
 */
class OverrunWatchTest {

    private final CountDownLatch unblock = new CountDownLatch(1);
    private final List<Thread> abandoned = new ArrayList<>();

    /** GUARDED's writes would go here; the records of these tests stage none. */
    private final DynamoDbEngine engine = DynamoDbEngine.builder().build();

    @AfterEach
    void releaseTheHungDeliveries() throws InterruptedException {
        unblock.countDown();
        for (Thread t : abandoned) {
            t.join(5_000);
        }
        engine.close();
    }

    private ProcessingConfig.Builder config(DedupMode mode, DedupStore store) {
        ProcessingConfig.Builder b = ProcessingConfig.builder("overrun").metrics(false).dedupStore(store)
                .dedupMode(mode);
        return mode == DedupMode.GUARDED ? b.guardedClient(engine.client()) : b;
    }

    @ParameterizedTest
    @EnumSource(value = DedupMode.class, names = {"TRANSACTIONAL", "WATERMARK", "GUARDED"})
    void aRecordThatHangsEveryAttemptIsCountedEachTimeAndParkedOnceTheBudgetIsUsedUp(DedupMode mode)
            throws Exception {
        InMemoryDedupStore store = new InMemoryDedupStore();
        RecordingSink sink = new RecordingSink();
        AtomicInteger runs = new AtomicInteger();
        RecordProcessor<String> hangsOnR0 = RecordProcessor.of((rec, c) -> {
            if (rec.payload().equals("r0")) {
                runs.incrementAndGet();
                unblock.await(); // hangs: the invocation is "killed" around it
                throw new IllegalStateException("the runtime was shut down (test)");
            }
        });
        ProcessingConfig config = config(mode, store).maxAttempts(2).failureSink(sink).build();
        List<StreamRecord<String>> batch = shard(2, 1);
        try (BatchProcessor<String, String> bp = BatchProcessor.create(hangsOnR0, config)) {
            for (int attempt = 1; attempt <= 2; attempt++) {
                Thread delivery = new Thread(() -> bp.process(batch, FakeContext.withTimeout(Duration.ofMillis(1500))));
                delivery.setDaemon(true);
                delivery.start();
                abandoned.add(delivery);
                awaitFailedAttempts(store, attempt);
            }
            assertThat(runs).hasValue(2);

            BatchResult third = bp.process(batch, FakeContext.withTimeout(Duration.ofSeconds(30)));

            assertThat(third.outcomes()).extracting(RecordOutcome::outcome)
                    .containsExactly(Outcome.PARKED, Outcome.PROCESSED);
            assertThat(runs).as("parked without running a third time").hasValue(2);
            assertThat(sink.parked).singleElement().satisfies(p -> {
                assertThat(p.attempts()).isEqualTo(2);
                assertThat(p.errorMessage()).contains("never finished");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(value = DedupMode.class, names = {"TRANSACTIONAL", "WATERMARK", "GUARDED"})
    void anAttemptThatOverranAndThenFailsAnywayIsCountedOnce(DedupMode mode) {
        InMemoryDedupStore store = new InMemoryDedupStore();
        RecordProcessor<String> slowThenFails = RecordProcessor.of((rec, c) -> {
            if (rec.payload().equals("r0")) {
                awaitFailedAttempts(store, 1); // the watch counted this attempt; then it fails on its own
                throw new IllegalStateException("downstream unavailable (test)");
            }
        });
        ProcessingConfig config = config(mode, store).maxAttempts(3).build();
        try (BatchProcessor<String, String> bp = BatchProcessor.create(slowThenFails, config)) {
            BatchResult r = bp.process(shard(2, 1), FakeContext.withTimeout(Duration.ofMillis(1500)));

            assertThat(r.outcomes().get(0).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.outcomes().get(0).attempts()).isEqualTo(1);
            String id = io.shardwise.core.internal.Hashing.dedupId("overrun", shard(2, 1).get(0).positionKey());
            assertThat(store.read(List.of(id)).get(id).attempts()).as("one attempt, counted once").isEqualTo(1);
        }
    }

    /**
     * A timer supplied in the config is the one the watch is armed on (a simulated clock supplies one on its own
     * time), at half the deadline margin before the timeout, and the handler leaves it running when closed.
     */
    @org.junit.jupiter.api.Test
    void theWatchFiresOnASuppliedTimerAtHalfTheMarginBeforeTheTimeout() {
        List<Runnable> armed = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Long> delays = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1) {
            @Override
            public java.util.concurrent.ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                armed.add(command);
                delays.add(unit.toMillis(delay));
                return super.schedule(() -> { }, 1, TimeUnit.DAYS); // fired by the processor below, not by time
            }
        };
        InMemoryDedupStore store = new InMemoryDedupStore();
        RecordProcessor<String> overruns = RecordProcessor.of((rec, c) -> {
            if (rec.payload().equals("r0")) {
                armed.get(0).run(); // the supplied timer fires while r0 is in the processor
                throw new IllegalStateException("downstream unavailable (test)");
            }
        });
        ProcessingConfig config = config(DedupMode.TRANSACTIONAL, store).maxAttempts(3).overrunTimer(timer).build();
        try {
            try (BatchProcessor<String, String> bp = BatchProcessor.create(overruns, config)) {
                BatchResult r = bp.process(shard(2, 1), FakeContext.withTimeout(Duration.ofMillis(1500)));

                assertThat(r.outcomes().get(0).outcome()).isEqualTo(Outcome.FAILED);
                assertThat(r.outcomes().get(0).attempts()).isEqualTo(1);
            }
            assertThat(armed).as("armed once, on the supplied timer").hasSize(1);
            assertThat(delays.get(0)).as("1.5 s timeout, 1 s margin: fires 1 s in").isBetween(900L, 1000L);
            String id = io.shardwise.core.internal.Hashing.dedupId("overrun", shard(2, 1).get(0).positionKey());
            assertThat(store.read(List.of(id)).get(id).attempts()).as("counted once").isEqualTo(1);
            assertThat(timer.isShutdown()).as("a supplied timer is the caller's to shut down").isFalse();
        } finally {
            timer.shutdownNow();
        }
    }

    /** Waits (up to 10 s) until r0's marker counts {@code n} failed attempts: the watch fired for delivery n. */
    private static void awaitFailedAttempts(DedupStore store, int n) {
        String id = io.shardwise.core.internal.Hashing.dedupId("overrun", Records.shard(2, 1).get(0).positionKey());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            DedupStore.Entry e = store.read(List.of(id)).get(id);
            if (e != null && e.attempts() >= n) {
                assertThat(e.attempts()).isEqualTo(n);
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError(interrupted);
            }
        }
        throw new AssertionError("the attempt of delivery " + n + " was never counted: " + store.read(List.of(id)));
    }
}
