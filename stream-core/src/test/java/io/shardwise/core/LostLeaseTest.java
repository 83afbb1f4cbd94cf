package io.shardwise.core;

import ch.qos.logback.classic.Level;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore.Status;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.dedup.MutableClock;
import io.shardwise.core.internal.Hashing;
import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invocation A runs r0 with a lease bounded by its remaining 10 s; r0 outlives it, and invocation B (a retry racing
 * A) takes the record over and completes it. Then A's attempt ends. Whatever A does next must not overwrite B's
 * marker: every state change is conditional on the lease A holds (SPEC section 4), and a lost lease is logged.
 */
class LostLeaseTest {

    private static final String CONSUMER = "lease";
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
    private final InMemoryDedupStore store = new InMemoryDedupStore(clock);
    private final RecordingSink sink = new RecordingSink();
    private final List<StreamRecord<String>> batch = Records.shard(1, 1);
    private final List<Outcome> seenByB = new ArrayList<>();
    private final CapturedLogs logs = CapturedLogs.of(Level.WARN, "io.shardwise.record");

    @AfterEach
    void release() {
        logs.close();
    }

    private ProcessingConfig.Builder config() {
        return ProcessingConfig.builder(CONSUMER).metrics(false).dedupStore(store).clock(clock).failureSink(sink);
    }

    /** A's processor: outlives its lease, lets B run the same batch, then succeeds or fails. */
    private RecordProcessor<String> outlivedByB(ProcessingConfig cfg, RuntimeException outcomeOfA) {
        return RecordProcessor.of((rec, ctx) -> {
            clock.advance(Duration.ofSeconds(11));
            BatchResult b = BatchProcessor.create(new ScriptedProcessor(), cfg)
                    .process(batch, FakeContext.of("f", clock, Duration.ofSeconds(30)));
            b.outcomes().forEach(o -> seenByB.add(o.outcome()));
            if (outcomeOfA != null) {
                throw outcomeOfA;
            }
        });
    }

    private BatchResult runA(ProcessingConfig cfg, RuntimeException outcomeOfA) {
        return BatchProcessor.create(outlivedByB(cfg, outcomeOfA), cfg)
                .process(batch, FakeContext.of("f", clock, Duration.ofSeconds(10)));
    }

    private Status storedStatus() {
        String id = Hashing.dedupId(CONSUMER, batch.get(0).positionKey());
        return store.read(List.of(id)).get(id).status();
    }

    private List<String> leaseLostLines() {
        return logs.messages().stream().filter(m -> m.contains("\"event\":\"lease_lost\"")).toList();
    }

    @Test
    void aLastAttemptFailingAfterItsLeaseWasTakenOverLeavesTheOtherInvocationsMarker() {
        ProcessingConfig cfg = config().maxAttempts(1).build();

        BatchResult a = runA(cfg, new IllegalStateException("downstream timed out"));

        // B took over A's ended lease: A's attempt, unfinished as far as B can tell, counts and used up the budget
        // of 1, so B parks the record without running it (a record that hangs every time is parked this way).
        assertThat(seenByB).containsExactly(Outcome.PARKED);
        assertThat(storedStatus()).as("B's marker, not overwritten by A").isEqualTo(Status.PARKED);
        // A handed the record to the sink before it could know its lease was gone: a second copy in the sink, as a
        // lost lease on completion may apply an effect twice, and that is logged.
        assertThat(a.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PARKED);
        assertThat(sink.parked).hasSize(2).allSatisfy(p -> assertThat(p.attempts()).isEqualTo(1));
        assertThat(leaseLostLines()).singleElement().asString().contains(Records.seq(0)).contains("failure sink");
    }

    @Test
    void anEarlierAttemptFailingAfterItsLeaseWasTakenOverStaysFailed() {
        ProcessingConfig cfg = config().maxAttempts(3).build();

        BatchResult a = runA(cfg, new IllegalStateException("downstream timed out"));

        assertThat(storedStatus()).isEqualTo(Status.COMPLETED);
        assertThat(a.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.FAILED);
        assertThat(sink.parked).isEmpty();
    }

    @Test
    void aCompletionAfterTheLeaseWasTakenOverKeepsProcessedAndIsLogged() {
        BatchResult a = runA(config().build(), null);

        assertThat(storedStatus()).isEqualTo(Status.COMPLETED);
        assertThat(a.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PROCESSED);
        assertThat(leaseLostLines()).singleElement().asString().contains(Records.seq(0))
                .contains("may happen twice");
    }

    @Test
    void withoutLeasesAFailureOfAKeyAnotherInvocationCommittedIsNotParkedOverIt() {
        // Transactional mode takes no leases: A and B both run r0, B commits first.
        ProcessingConfig cfg = config().dedupMode(DedupMode.TRANSACTIONAL).maxAttempts(1).build();

        BatchResult a = runA(cfg, new IllegalStateException("downstream timed out"));

        assertThat(seenByB).containsExactly(Outcome.PROCESSED);
        assertThat(storedStatus()).isEqualTo(Status.COMPLETED);
        assertThat(a.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.FAILED);
        assertThat(sink.parked).isEmpty();
        // Redelivered, it is a duplicate.
        BatchResult again = BatchProcessor.create(new ScriptedProcessor(), cfg)
                .process(batch, FakeContext.of("f", clock, Duration.ofSeconds(30)));
        assertThat(again.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.SKIPPED_DUPLICATE);
    }
}
