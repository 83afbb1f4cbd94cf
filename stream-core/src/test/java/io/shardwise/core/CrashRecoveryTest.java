package io.shardwise.core;

import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An invocation that dies between a record's effect and its completion write (Lambda timeout, out of memory)
 * leaves an INPROGRESS lease behind. Until the lease ends, a redelivery must not run the record concurrently;
 * after it ends, the record is retried. The lease is bounded by the crashed invocation's remaining time.
 */
class CrashRecoveryTest {

    /** Thrown to abandon an invocation mid-record, as a hard crash would. */
    static final class Crash extends VirtualMachineError {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void aCrashAfterTheEffectIsRetriedOnceTheLeaseExpires() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-22T12:00:00Z"));
        Clock clock = new Clock() {
            @Override public ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(ZoneId zone) { return this; }
            @Override public Instant instant() { return now.get(); }
        };
        InMemoryDedupStore store = new InMemoryDedupStore(clock);
        ScriptedProcessor p = new ScriptedProcessor();
        AtomicReference<Boolean> crashNext = new AtomicReference<>(true);
        RecordProcessor<String> crashing = new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) throws Exception {
                p.process(record, context); // the effect happens...
                if (crashNext.getAndSet(false)) {
                    throw new Crash(); // ...then the invocation dies before the completion write
                }
            }
        };
        ProcessingConfig cfg = ProcessingConfig.builder("crash").metrics(false).dedupStore(store).clock(clock)
                .build();
        BatchProcessor<String, String> bp = BatchProcessor.create(crashing, cfg);
        List<StreamRecord<String>> batch = Records.shard(2, 1);

        // Invocation 1: 30 s timeout, dies on r0 after its effect.
        try {
            bp.process(batch, FakeContext.of("f", clock, Duration.ofSeconds(30)));
            throw new AssertionError("expected the crash to propagate");
        } catch (Crash expected) {
            // Lambda would report a timeout / runtime error and redeliver the whole batch.
        }

        // Invocation 2, 10 s later: r0's lease (bounded by invocation 1's remaining 30 s) is still live.
        now.set(now.get().plusSeconds(10));
        BatchResult second = bp.process(batch, FakeContext.of("f", clock, Duration.ofSeconds(30)));
        assertThat(second.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.FAILED, Outcome.NOT_ATTEMPTED);
        assertThat(second.outcomes().get(0).error()).hasMessageContaining("being processed by another invocation");

        // Invocation 3, after the lease ended: r0 is retried (at least once: its effect runs again), then r1.
        now.set(now.get().plusSeconds(25));
        BatchResult third = bp.process(batch, FakeContext.of("f", clock, Duration.ofSeconds(30)));
        assertThat(third.allDone()).isTrue();
        assertThat(p.delivered).containsExactly("r0", "r0", "r1");

        // And from then on it is a duplicate.
        BatchResult fourth = bp.process(batch, FakeContext.of("f", clock, Duration.ofSeconds(30)));
        assertThat(fourth.outcomes()).extracting(RecordOutcome::outcome).containsOnly(Outcome.SKIPPED_DUPLICATE);
    }
}
