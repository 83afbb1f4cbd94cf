package io.shardwise.core.dedup;

import io.shardwise.core.dedup.DedupStore.Claimed;
import io.shardwise.core.dedup.DedupStore.ClaimResult;
import io.shardwise.core.dedup.DedupStore.Entry;
import io.shardwise.core.dedup.DedupStore.Status;
import io.shardwise.core.dedup.DedupStore.Watermark;
import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import io.shardwise.testkit.dynamodb.FaultKind;
import io.shardwise.testkit.dynamodb.FaultRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every state change of {@link DynamoDbDedupStore} whose write is applied but whose response is lost, so that the
 * SDK sends the very same request again (the lost-response family the simulation found: the retry's condition then
 * sees the call's own write). Each call must report what its first, applied attempt did — never a lease held by
 * itself, a lost lease it still holds, or an attempt counted twice. Run for both ways the response is lost.
 */
class DynamoDbDedupStoreLostResponseTest {

    private static final String ID = "consumer#k1";
    private static final Duration TTL = Duration.ofDays(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final AtomicReference<LoseNext> armed = new AtomicReference<>();
    private DynamoDbEngine engine;
    private DynamoDbClient client;
    private DedupStore store;

    /** Which request to lose the response of: the next call whose update expression starts with {@code prefix}. */
    private record LoseNext(String prefix, FaultRule.LostResponse as) {
    }

    @BeforeEach
    void start() {
        engine = DynamoDbEngine.builder().clock(clock).build();
        client = engine.clientBuilder().overrideConfiguration(c -> c.addExecutionInterceptor(new Loser())).build();
        DynamoDbDedupStoreIT.createTable(client, "dedup", "id", null, true);
        store = DynamoDbDedupStore.builder(client, "dedup").clock(clock).build();
    }

    @AfterEach
    void stop() {
        client.close();
        engine.close();
    }

    @ParameterizedTest
    @EnumSource(FaultRule.LostResponse.class)
    void aFreshClaimWhoseResponseIsLostIsClaimed(FaultRule.LostResponse as) {
        lose("SET #status = :inprogress", as);
        Claimed claimed = claimed(store.claim(ID, null, in(Duration.ofMinutes(1)), in(TTL)));

        assertThat(claimed.failedAttempts()).isZero();
        assertThat(store.complete(ID, claimed.leaseToken(), in(TTL))).as("the lease is ours").isTrue();
        assertThat(entry().status()).isEqualTo(Status.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(FaultRule.LostResponse.class)
    void aTakeoverWhoseClaimResponseIsLostCountsTheUnfinishedAttemptOnce(FaultRule.LostResponse as) {
        claimed(store.claim(ID, null, in(Duration.ofSeconds(10)), in(TTL)));
        clock.advance(Duration.ofSeconds(11)); // that attempt hung: its lease ended without a write

        lose("SET #status = :inprogress", as);
        Claimed takeover = claimed(store.claim(ID, null, in(Duration.ofMinutes(1)), in(TTL)));

        assertThat(takeover.failedAttempts()).as("the attempt that never finished").isEqualTo(1);
        assertThat(entry().attempts()).isEqualTo(1);
        assertThat(entry().leaseToken()).isEqualTo(takeover.leaseToken());
    }

    @ParameterizedTest
    @EnumSource(FaultRule.LostResponse.class)
    void countingAnUnfinishedAttemptWhoseResponseIsLostCountsItOnce(FaultRule.LostResponse as) {
        claimed(store.claim(ID, null, in(Duration.ofSeconds(10)), in(TTL)));
        clock.advance(Duration.ofSeconds(11));

        lose("ADD attempts", "SET attempts = :counted", as);
        Claimed takeover = claimed(store.claim(ID, null, in(Duration.ofMinutes(1)), in(TTL)));

        assertThat(takeover.failedAttempts()).isEqualTo(1);
        assertThat(entry().attempts()).as("one unfinished attempt, counted once").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(FaultRule.LostResponse.class)
    void aFailureRecordedWithoutALeaseWhoseResponseIsLostCountsOnce(FaultRule.LostResponse as) {
        assertThat(store.recordFailure(ID, null, in(TTL))).isEqualTo(1);

        lose("SET #status = :failed", as);
        assertThat(store.recordFailure(ID, null, in(TTL))).as("the second failed attempt").isEqualTo(2);
        assertThat(entry().attempts()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(FaultRule.LostResponse.class)
    void aFailureRecordedUnderALeaseWhoseResponseIsLostIsRecorded(FaultRule.LostResponse as) {
        Claimed claimed = claimed(store.claim(ID, null, in(Duration.ofMinutes(1)), in(TTL)));

        lose("SET #status = :failed", as);
        assertThat(store.recordFailure(ID, claimed.leaseToken(), in(TTL))).as("not 'lease lost'").isEqualTo(1);
        assertThat(entry().attempts()).isEqualTo(1);
        assertThat(entry().status()).isEqualTo(Status.FAILED);
    }

    @ParameterizedTest
    @EnumSource(FaultRule.LostResponse.class)
    void aCompletionWhoseResponseIsLostIsCompleted(FaultRule.LostResponse as) {
        Claimed claimed = claimed(store.claim(ID, null, in(Duration.ofMinutes(1)), in(TTL)));

        lose("SET #status = :completed", as);
        assertThat(store.complete(ID, claimed.leaseToken(), in(TTL))).as("not 'lease lost'").isTrue();
        assertThat(entry().status()).isEqualTo(Status.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(FaultRule.LostResponse.class)
    void aReleaseWhoseResponseIsLostIsReleased(FaultRule.LostResponse as) {
        Claimed claimed = claimed(store.claim(ID, null, in(Duration.ofMinutes(1)), in(TTL)));

        lose("SET #status = :failed REMOVE", as);
        assertThat(store.release(ID, claimed.leaseToken(), in(TTL))).as("not 'lease no longer held'").isTrue();
        assertThat(entry().status()).isEqualTo(Status.FAILED);
        assertThat(entry().attempts()).isZero();
    }

    @ParameterizedTest
    @EnumSource(FaultRule.LostResponse.class)
    void parkingUnderALeaseWhoseResponseIsLostIsParked(FaultRule.LostResponse as) {
        Claimed claimed = claimed(store.claim(ID, null, in(Duration.ofMinutes(1)), in(TTL)));

        lose("SET #status = :parked", as);
        assertThat(store.markParked(ID, claimed.leaseToken(), in(TTL))).as("not 'lease lost'").isTrue();
        assertThat(entry().status()).isEqualTo(Status.PARKED);
    }

    @ParameterizedTest
    @EnumSource(FaultRule.LostResponse.class)
    void aWatermarkMoveWhoseResponseIsLostHasMoved(FaultRule.LostResponse as) {
        Watermark first = Watermark.of("49590338271490256608559692538361571095921575989136588898", -1);
        Watermark second = Watermark.of("49590338271490256608559692538361571095921575989136588899", -1);
        lose("watermark", as);
        assertThat(store.advanceWatermark("consumer#w", null, first, in(TTL))).as("from absent").isTrue();
        lose("watermark", as);
        assertThat(store.advanceWatermark("consumer#w", first, second, in(TTL))).as("from first").isTrue();
        assertThat(store.readWatermarks(List.of("consumer#w"))).containsEntry("consumer#w", second);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void lose(String prefix, FaultRule.LostResponse as) {
        armed.set(new LoseNext(prefix, as));
    }

    /** Either spelling of an expression (before and after a change of it), for a test that must fail first. */
    private void lose(String before, String after, FaultRule.LostResponse as) {
        armed.set(new LoseNext(before + "|" + after, as));
    }

    private Instant in(Duration d) {
        return clock.instant().plus(d);
    }

    private Entry entry() {
        return store.read(List.of(ID)).get(ID);
    }

    private static Claimed claimed(ClaimResult result) {
        assertThat(result).isInstanceOf(Claimed.class);
        return (Claimed) result;
    }

    /**
     * Once per API call (not per SDK attempt): when the call is the armed one, registers a one-shot
     * APPLIED_THEN_LOST rule, so its first attempt is applied and answered with an error, and the SDK's retry
     * sends the same request again.
     */
    private final class Loser implements ExecutionInterceptor {
        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            LoseNext next = armed.get();
            if (next == null) {
                return;
            }
            String expression = context.request() instanceof UpdateItemRequest u ? u.updateExpression()
                    : context.request() instanceof PutItemRequest p && p.item().containsKey("watermark_seq")
                    ? "watermark" : null;
            if (expression == null) {
                return;
            }
            for (String prefix : next.prefix().split("\\|")) {
                if (expression.startsWith(prefix) && armed.compareAndSet(next, null)) {
                    engine.faults().add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST).lostAs(next.as()).once()
                            .build());
                    return;
                }
            }
        }
    }
}
