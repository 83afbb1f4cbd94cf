package io.shardwise.core;

import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.sink.ParkedRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.shardwise.core.Records.seq;
import static io.shardwise.core.Records.shard;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A processor interrupted mid-batch (in Lambda, usually the runtime shutting down). The interrupted record's
 * bookkeeping (failure count, parking) must complete although the AWS SDK aborts calls made on an interrupted
 * thread; the batch then starts no further record, and the interrupt flag is set again when the engine returns.
 */
class InterruptTest {

    /** Fails like the AWS SDK (AbortedException) when called on an interrupted thread. */
    static void failIfInterrupted(String call) {
        if (Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException("aborted: " + call + " called on an interrupted thread (as the SDK's "
                    + "AbortedException)");
        }
    }

    /** An in-memory store that refuses every call made on an interrupted thread (all methods, present and future). */
    static DedupStore interruptSensitiveStore() {
        InMemoryDedupStore delegate = new InMemoryDedupStore();
        return (DedupStore) Proxy.newProxyInstance(DedupStore.class.getClassLoader(), new Class<?>[] {DedupStore.class},
                (proxy, method, args) -> {
                    failIfInterrupted(method.getName());
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A failure sink that refuses records handed over on an interrupted thread, as an SDK-backed sink would. */
    static final class InterruptSensitiveSink extends RecordingSink {
        @Override
        public void park(ParkedRecord record) {
            failIfInterrupted("park");
            super.park(record);
        }
    }

    /** How the processor reports the interrupt. */
    enum Interrupt {
        /** It lets the InterruptedException out. */
        THROWN,
        /** The usual idiom: catch it, restore the flag, throw an unchecked exception. */
        RESTORED_AND_WRAPPED
    }

    /** Records each call's attempt number; the first call of r1 is interrupted. */
    static final class InterruptedOnce extends RecordProcessor<String> {
        final Interrupt how;
        final List<String> calls = new CopyOnWriteArrayList<>();

        InterruptedOnce(Interrupt how) {
            this.how = how;
        }

        @Override
        public void process(StreamRecord<String> record, RecordContext context) throws Exception {
            calls.add(record.payload() + "#" + context.attempt());
            if (record.payload().equals("r1") && context.attempt() == 1) {
                InterruptedException interrupt = new InterruptedException("shutting down (test)");
                if (how == Interrupt.THROWN) {
                    throw interrupt;
                }
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while calling downstream", interrupt);
            }
        }
    }

    @AfterEach
    void clearTheFlag() {
        Thread.interrupted(); // never leak an interrupt into the next test
    }

    private static List<Outcome> outcomes(BatchResult r) {
        return r.outcomes().stream().map(RecordOutcome::outcome).toList();
    }

    private static ProcessingConfig.Builder config(DedupMode mode) {
        return ProcessingConfig.builder("interrupts").metrics(false).dedupStore(interruptSensitiveStore())
                .dedupMode(mode);
    }

    @ParameterizedTest
    @EnumSource(value = DedupMode.class, names = "GUARDED", mode = EnumSource.Mode.EXCLUDE) // GUARDED: GuardedModeTest
    void theInterruptedRecordsFailureIsRecordedTheBatchStopsAndTheFlagIsSetAgain(DedupMode mode) {
        for (Interrupt how : Interrupt.values()) {
            InterruptedOnce p = new InterruptedOnce(how);
            BatchProcessor<String, String> bp = BatchProcessor.create(p, config(mode)
                    .failureMode(FailureMode.ISOLATE_PARTITION_KEY).build());
            List<StreamRecord<String>> batch = shard(4, 2); // r1 and r3 of key k1, r0 and r2 of key k0

            BatchResult first = bp.process(batch, null);

            assertThat(Thread.interrupted()).as("%s: interrupt flag set again on return", how).isTrue();
            assertThat(outcomes(first)).as(how.name()).containsExactly(Outcome.PROCESSED, Outcome.FAILED,
                    Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED);
            assertThat(first.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                    .containsExactly(seq(1));

            // Lambda redelivers from r1: r1's failed attempt was counted, r0 is done.
            BatchResult second = bp.process(batch, null);
            assertThat(second.allDone()).isTrue();
            assertThat(outcomes(second).get(0)).isEqualTo(Outcome.SKIPPED_DUPLICATE);
            assertThat(p.calls).as(how.name()).containsExactly("r0#1", "r1#1", "r1#2", "r2#1", "r3#1");
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DedupMode.class, names = "GUARDED", mode = EnumSource.Mode.EXCLUDE) // GUARDED: GuardedModeTest
    void anInterruptedRecordOutOfAttemptsIsParkedBeforeTheBatchStops(DedupMode mode) {
        InterruptSensitiveSink sink = new InterruptSensitiveSink();
        BatchProcessor<String, String> bp = BatchProcessor.create(new InterruptedOnce(Interrupt.THROWN),
                config(mode).maxAttempts(1).failureSink(sink).build());

        BatchResult r = bp.process(shard(3, 1), null);

        assertThat(Thread.interrupted()).isTrue();
        assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.PARKED, Outcome.NOT_ATTEMPTED);
        assertThat(r.response().getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                .containsExactly(seq(2));
        assertThat(sink.parked).singleElement().satisfies(parked -> {
            assertThat(parked.sequenceNumber()).isEqualTo(seq(1));
            assertThat(parked.errorClass()).isEqualTo(InterruptedException.class.getName());
        });
    }

    @ParameterizedTest
    @EnumSource(value = DedupMode.class, names = "GUARDED", mode = EnumSource.Mode.EXCLUDE) // GUARDED: GuardedModeTest
    void onAKeyParallelWorkerTheBookkeepingCompletesAndTheFlagIsHandedToTheCallerNotLeftOnThePool(DedupMode mode)
            throws Exception {
        InterruptedOnce p = new InterruptedOnce(Interrupt.THROWN);
        List<StreamRecord<String>> oneKey = new ArrayList<>(shard(3, 1));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (BatchProcessor<String, String> bp = BatchProcessor.create(p, config(mode).maxConcurrency(2)
                .executor(pool).build())) {
            BatchResult r = bp.process(oneKey, null);

            assertThat(Thread.interrupted()).as("the caller sees the interrupt").isTrue(); // (and clears it)
            assertThat(pool.submit(() -> Thread.currentThread().isInterrupted()).get())
                    .as("the pool's worker is not left interrupted").isFalse();
            assertThat(outcomes(r)).containsExactly(Outcome.PROCESSED, Outcome.FAILED, Outcome.NOT_ATTEMPTED);
            bp.process(oneKey.subList(1, 3), null);
            assertThat(p.calls).containsExactly("r0#1", "r1#1", "r1#2", "r2#1");
        } finally {
            pool.shutdownNow();
        }
    }
}
