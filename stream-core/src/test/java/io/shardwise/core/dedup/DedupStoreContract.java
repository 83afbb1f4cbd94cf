package io.shardwise.core.dedup;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.DedupStore.ClaimResult;
import io.shardwise.core.dedup.DedupStore.Claimed;
import io.shardwise.core.dedup.DedupStore.CommitResult;
import io.shardwise.core.dedup.DedupStore.CommitStatus;
import io.shardwise.core.dedup.DedupStore.Entry;
import io.shardwise.core.dedup.DedupStore.Rejected;
import io.shardwise.core.dedup.DedupStore.Staged;
import io.shardwise.core.dedup.DedupStore.Status;
import io.shardwise.core.dedup.DedupStore.Watermark;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link DedupStore} contract, run against every implementation: {@link InMemoryDedupStoreTest} and
 * {@code DynamoDbDedupStoreIT}. Each test uses fresh ids, so implementations may share one table per class.
 *
 * <p>User writes in commit tests go to {@link #userTable()} (partition key {@code pk}, string): an
 * {@code Update} adding 1 to attribute {@code n}, with the condition {@code attribute_not_exists(blocked)}, so
 * {@link #appliedCount} tells how often a record's effect happened and {@link #block} makes its condition fail.
 */
public abstract class DedupStoreContract {

    /** Milliseconds in the start instant, so second and millisecond boundaries differ. */
    protected static final Instant START = Instant.parse("2030-01-01T00:00:00.250Z");

    protected final MutableClock clock = new MutableClock(START);
    protected DedupStore store;
    private String prefix;

    /** A store under test whose "now" is {@code clock}. Called before each test. */
    protected abstract DedupStore createStore(MutableClock clock);

    /** Counts the store's requests (reset before each test). */
    protected abstract RequestCounter requests();

    /** A table with string partition key {@code pk} for the processor's writes. */
    protected abstract String userTable();

    /** Makes the condition {@code attribute_not_exists(blocked)} of writes to item {@code pk} fail. */
    protected abstract void block(String pk);

    /** Undoes {@link #block}. */
    protected abstract void unblock(String pk);

    /** How many times writes adding 1 to item {@code pk} were applied. */
    protected abstract long appliedCount(String pk);

    @BeforeEach
    void createStoreAndIds() {
        store = createStore(clock);
        prefix = "test-consumer#" + UUID.randomUUID() + "-";
        requests().reset();
    }

    protected String id(String name) {
        return prefix + name;
    }

    protected Instant now() {
        return clock.instant();
    }

    protected Instant in(Duration d) {
        return clock.instant().plus(d);
    }

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofHours(1);

    private Claimed claimOk(String id) {
        ClaimResult r = store.claim(id, null, in(LEASE), in(TTL));
        assertThat(r).isInstanceOf(Claimed.class);
        return (Claimed) r;
    }

    private Entry stored(String id) {
        return store.read(List.of(id)).get(id);
    }

    // ---------------------------------------------------------------- claim

    @Test
    void claimOfANewIdSucceedsAndStoresTheLease() {
        String id = id("a");
        ClaimResult r = store.claim(id, "hash-1", in(LEASE), in(TTL));

        assertThat(r).isInstanceOfSatisfying(Claimed.class, c -> {
            assertThat(c.leaseToken()).isNotBlank();
            assertThat(c.failedAttempts()).isZero();
        });
        Entry e = stored(id);
        assertThat(e).isEqualTo(new Entry(id, Status.INPROGRESS, in(TTL).getEpochSecond(),
                in(LEASE).toEpochMilli(), 0, "hash-1", ((Claimed) r).leaseToken()));
    }

    @Test
    void secondClaimIsRejectedWithTheExistingItemFromTheSameCall() {
        String id = id("a");
        Claimed first = claimOk(id);
        requests().reset();

        ClaimResult second = store.claim(id, null, in(LEASE), in(TTL));

        assertThat(second).isInstanceOfSatisfying(Rejected.class, r -> {
            assertThat(r.existing().status()).isEqualTo(Status.INPROGRESS);
            assertThat(r.existing().leaseToken()).isEqualTo(first.leaseToken());
            assertThat(r.existing().inProgressExpirationMillis()).isEqualTo(in(LEASE).toEpochMilli());
        });
        assertThat(requests().total()).isEqualTo(1);
    }

    @Test
    void claimOfACompletedOrParkedItemIsRejected() {
        String done = id("done");
        store.complete(done, claimOk(done).leaseToken(), in(TTL));
        String parked = id("parked");
        store.markParked(parked, null, in(TTL));

        assertThat(store.claim(done, null, in(LEASE), in(TTL))).isInstanceOfSatisfying(Rejected.class,
                r -> assertThat(r.existing().status()).isEqualTo(Status.COMPLETED));
        assertThat(store.claim(parked, null, in(LEASE), in(TTL))).isInstanceOfSatisfying(Rejected.class,
                r -> assertThat(r.existing().status()).isEqualTo(Status.PARKED));
    }

    @Test
    void claimOfAFailedItemSucceedsAndKeepsItsAttempts() {
        String id = id("a");
        assertThat(store.recordFailure(id, claimOk(id).leaseToken(), in(TTL))).isEqualTo(1);
        Claimed second = claimOk(id);
        assertThat(second.failedAttempts()).isEqualTo(1);
        assertThat(store.recordFailure(id, second.leaseToken(), in(TTL))).isEqualTo(2);
        assertThat(claimOk(id).failedAttempts()).isEqualTo(2);
        assertThat(stored(id).attempts()).isEqualTo(2);
    }

    @Test
    void takingOverAnEndedLeaseCountsTheAttemptThatNeverFinished() {
        String id = id("hangs");
        assertThat(((Claimed) store.claim(id, null, in(Duration.ofSeconds(10)), in(TTL))).failedAttempts()).isZero();
        clock.advance(Duration.ofSeconds(11)); // that invocation timed out without a word
        assertThat(((Claimed) store.claim(id, null, in(Duration.ofSeconds(10)), in(TTL))).failedAttempts())
                .isEqualTo(1);
        clock.advance(Duration.ofSeconds(11));
        Claimed third = claimOk(id);
        assertThat(third.failedAttempts()).isEqualTo(2);
        assertThat(stored(id).attempts()).isEqualTo(2);
        // An attempt that ended with its own failure write is counted once, not again by the next claim.
        assertThat(store.recordFailure(id, third.leaseToken(), in(TTL))).isEqualTo(3);
        assertThat(claimOk(id).failedAttempts()).isEqualTo(3);
    }

    @Test
    void releaseGivesUpAHeldLeaseWithoutCountingAnAttempt() {
        String id = id("released");
        Claimed first = claimOk(id);
        assertThat(store.release(id, first.leaseToken(), in(TTL))).isTrue();
        assertThat(stored(id).status()).isEqualTo(Status.FAILED);
        assertThat(stored(id).leaseToken()).isNull();
        Claimed second = claimOk(id); // at once: no lease left to wait for
        assertThat(second.failedAttempts()).isZero();
        assertThat(store.release(id, first.leaseToken(), in(TTL))).as("not the holder any more").isFalse();
        assertThat(stored(id).leaseToken()).isEqualTo(second.leaseToken());
    }

    @Test
    void aLiveLeaseBlocksUntilItsLastMillisecondAndAnEndedOneIsTakenOver() {
        String id = id("a");
        Instant leaseUntil = in(Duration.ofSeconds(10));
        Claimed first = (Claimed) store.claim(id, null, leaseUntil, in(TTL));

        clock.set(leaseUntil); // in_progress_expiration < :now_ms is false: still held
        assertThat(store.claim(id, null, in(LEASE), in(TTL))).isInstanceOf(Rejected.class);

        clock.advance(Duration.ofMillis(1));
        Claimed second = claimOk(id);
        assertThat(second.leaseToken()).isNotEqualTo(first.leaseToken());
        assertThat(store.complete(id, first.leaseToken(), in(TTL))).as("the lease was lost").isFalse();
        assertThat(store.complete(id, second.leaseToken(), in(TTL))).isTrue();
        assertThat(stored(id).status()).isEqualTo(Status.COMPLETED);
    }

    @Test
    void anItemPastItsTtlIsAbsentForReadAndClaim() {
        String id = id("a");
        Instant expiresAt = Instant.ofEpochSecond(in(Duration.ofMinutes(1)).getEpochSecond());
        store.complete(id, claimOk(id).leaseToken(), expiresAt);

        clock.set(expiresAt.plusMillis(999)); // same second: expiration < :now_s is false
        assertThat(store.read(List.of(id))).containsKey(id);
        assertThat(store.claim(id, null, in(LEASE), in(TTL))).isInstanceOf(Rejected.class);

        clock.set(expiresAt.plusSeconds(1));
        assertThat(store.read(List.of(id))).isEmpty();
        Claimed again = claimOk(id);
        assertThat(again.failedAttempts()).isZero();
    }

    @Test
    void anExpiredFailedItemsAttemptsAndValidationAreForgotten() {
        String viaClaim = id("claim");
        String viaFailure = id("failure");
        Instant expiresAt = in(Duration.ofMinutes(1));
        store.claim(viaClaim, "old-hash", in(LEASE), expiresAt);
        store.recordFailure(viaClaim, null, expiresAt);
        store.recordFailure(viaClaim, null, expiresAt);
        store.recordFailure(viaFailure, null, expiresAt);
        assertThat(stored(viaClaim).attempts()).isEqualTo(2);

        clock.set(expiresAt.plusSeconds(1));
        Claimed claimed = claimOk(viaClaim);
        assertThat(claimed.failedAttempts()).isZero();
        assertThat(stored(viaClaim).attempts()).isZero();
        assertThat(stored(viaClaim).validation()).isNull();
        assertThat(store.recordFailure(viaClaim, claimed.leaseToken(), in(TTL))).isEqualTo(1);
        assertThat(store.recordFailure(viaFailure, null, in(TTL))).isEqualTo(1);
        assertThat(stored(viaFailure).attempts()).isEqualTo(1);
    }

    @Test
    void aDoneItemPastItsTtlIsAbsentForRecordFailure() {
        Instant expiresAt = Instant.ofEpochSecond(in(Duration.ofMinutes(1)).getEpochSecond());
        String done = id("done");
        store.complete(done, claimOk(done).leaseToken(), expiresAt);
        String parked = id("parked");
        store.markParked(parked, null, expiresAt);

        clock.set(expiresAt.plusMillis(999)); // same second: still done
        assertThat(store.recordFailure(done, null, in(TTL))).isEqualTo(-1);
        assertThat(store.recordFailure(parked, null, in(TTL))).isEqualTo(-1);

        clock.set(expiresAt.plusSeconds(1));
        assertThat(store.recordFailure(done, null, in(TTL))).isEqualTo(1);
        assertThat(store.recordFailure(parked, null, in(TTL))).isEqualTo(1);
        assertThat(stored(done).status()).isEqualTo(Status.FAILED);
        assertThat(stored(parked).attempts()).isEqualTo(1);
    }

    @Test
    void claimWithoutValidationKeepsTheStoredOne() {
        String id = id("a");
        store.recordFailure(id, claimOk(id).leaseToken(), in(TTL));
        store.recordFailure(id, ((Claimed) store.claim(id, "h", in(LEASE), in(TTL))).leaseToken(), in(TTL));
        claimOk(id);
        assertThat(stored(id).validation()).isEqualTo("h");
    }

    // ---------------------------------------------------------------- complete, failure, park

    @Test
    void completeNeedsTheCurrentLeaseToken() {
        String id = id("a");
        Claimed c = claimOk(id);
        assertThat(store.complete(id, "not-the-token", in(TTL))).isFalse();
        assertThat(stored(id).status()).isEqualTo(Status.INPROGRESS);

        assertThat(store.complete(id, c.leaseToken(), in(Duration.ofHours(2)))).isTrue();
        Entry e = stored(id);
        assertThat(e.status()).isEqualTo(Status.COMPLETED);
        assertThat(e.expirationEpochSecond()).isEqualTo(in(Duration.ofHours(2)).getEpochSecond());
        assertThat(e.leaseToken()).isNull();
        assertThat(e.inProgressExpirationMillis()).isZero();
        assertThat(store.complete(id, c.leaseToken(), in(TTL))).as("no longer in progress").isFalse();
        assertThat(store.complete(id("absent"), c.leaseToken(), in(TTL))).isFalse();
    }

    @Test
    void recordFailureWithoutALeaseCreatesAndCountsUp() {
        String id = id("a");
        assertThat(store.recordFailure(id, null, in(TTL))).isEqualTo(1);
        assertThat(store.recordFailure(id, null, in(TTL))).isEqualTo(2);
        Entry e = stored(id);
        assertThat(e.status()).isEqualTo(Status.FAILED);
        assertThat(e.attempts()).isEqualTo(2);
        assertThat(e.leaseToken()).isNull();
    }

    @Test
    void recordFailureLeavesDoneItemsAloneAndNeedsTheLeaseWhenGiven() {
        String done = id("done");
        store.complete(done, claimOk(done).leaseToken(), in(TTL));
        String parked = id("parked");
        store.markParked(parked, null, in(TTL));
        String leased = id("leased");
        Claimed c = claimOk(leased);

        assertThat(store.recordFailure(done, null, in(TTL))).isEqualTo(-1);
        assertThat(store.recordFailure(parked, null, in(TTL))).isEqualTo(-1);
        assertThat(store.recordFailure(leased, "other-token", in(TTL))).isEqualTo(-1);
        assertThat(stored(done).status()).isEqualTo(Status.COMPLETED);
        assertThat(stored(parked).status()).isEqualTo(Status.PARKED);

        assertThat(store.recordFailure(leased, c.leaseToken(), in(TTL))).isEqualTo(1);
        Entry e = stored(leased);
        assertThat(e.status()).isEqualTo(Status.FAILED);
        assertThat(e.leaseToken()).isNull();
        assertThat(store.recordFailure(leased, c.leaseToken(), in(TTL))).as("lease released").isEqualTo(-1);
    }

    @Test
    void markParkedWithAndWithoutALease() {
        String leased = id("leased");
        Claimed c = claimOk(leased);
        store.recordFailure(leased, c.leaseToken(), in(TTL));
        Claimed again = claimOk(leased);

        assertThat(store.markParked(leased, "other-token", in(TTL))).isFalse();
        assertThat(stored(leased).status()).isEqualTo(Status.INPROGRESS);

        assertThat(store.markParked(leased, again.leaseToken(), in(Duration.ofHours(3)))).isTrue();
        Entry e = stored(leased);
        assertThat(e.status()).isEqualTo(Status.PARKED);
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e.expirationEpochSecond()).isEqualTo(in(Duration.ofHours(3)).getEpochSecond());
        assertThat(e.isDone(now())).isTrue();

        String absent = id("absent");
        assertThat(store.markParked(absent, null, in(TTL))).isTrue();
        assertThat(stored(absent).status()).isEqualTo(Status.PARKED);
    }

    @Test
    void markParkedWithALeaseTakenOverLeavesTheNewHoldersMarker() {
        String id = id("a");
        Claimed lost = (Claimed) store.claim(id, null, in(Duration.ofSeconds(10)), in(TTL));
        clock.advance(Duration.ofSeconds(11));
        Claimed taker = claimOk(id);

        assertThat(store.markParked(id, lost.leaseToken(), in(TTL))).as("lease lost, in progress").isFalse();
        assertThat(stored(id).leaseToken()).isEqualTo(taker.leaseToken());

        assertThat(store.complete(id, taker.leaseToken(), in(TTL))).isTrue();
        assertThat(store.markParked(id, lost.leaseToken(), in(TTL))).as("lease lost, completed").isFalse();
        assertThat(stored(id).status()).isEqualTo(Status.COMPLETED);
    }

    @Test
    void releaseParkedDeletesOnlyAParkedMarker() {
        String parked = id("parked");
        store.markParked(parked, null, in(TTL));
        String completed = id("completed");
        store.complete(completed, claimOk(completed).leaseToken(), in(TTL));
        String inProgress = id("in-progress");
        claimOk(inProgress);
        String failed = id("failed");
        store.recordFailure(failed, null, in(TTL));

        assertThat(store.releaseParked(parked)).isTrue();
        assertThat(stored(parked)).isNull();
        assertThat(store.releaseParked(parked)).as("again: nothing left").isTrue();
        assertThat(store.releaseParked(id("absent"))).isTrue();
        assertThat(store.releaseParked(completed)).isFalse();
        assertThat(store.releaseParked(inProgress)).isFalse();
        assertThat(store.releaseParked(failed)).isFalse();
        assertThat(stored(completed).status()).isEqualTo(Status.COMPLETED);
        assertThat(stored(inProgress).status()).isEqualTo(Status.INPROGRESS);
        assertThat(stored(failed).status()).isEqualTo(Status.FAILED);
    }

    @Test
    void aReleasedParkedMarkerNoLongerCountsAsDoneSoTheRecordCanBeClaimed() {
        String id = id("replayed");
        store.markParked(id, null, in(TTL));
        assertThat(store.claim(id, null, in(LEASE), in(TTL))).isInstanceOf(Rejected.class);

        store.releaseParked(id);

        assertThat(store.claim(id, null, in(LEASE), in(TTL))).isInstanceOf(Claimed.class);
    }

    // ---------------------------------------------------------------- read

    @Test
    void readReturnsLiveItemsOnlyInBatchesOfAHundred() {
        List<String> ids = IntStream.range(0, 250).mapToObj(i -> id("r" + i)).toList();
        for (int i = 0; i < 250; i += 2) {
            store.markParked(ids.get(i), null, in(TTL));
        }
        requests().reset();

        List<String> asked = new ArrayList<>(ids);
        asked.add(ids.get(0)); // a duplicate id is read once
        Map<String, Entry> found = store.read(asked);

        assertThat(found).hasSize(125);
        assertThat(found.keySet()).allMatch(id -> ids.indexOf(id) % 2 == 0);
        assertThat(found.get(ids.get(0)).status()).isEqualTo(Status.PARKED);
        assertThat(requests().snapshot()).containsEntry("BatchGetItem", 3L);
        assertThat(store.read(List.of())).isEmpty();
    }

    // ---------------------------------------------------------------- watermarks

    @Test
    void watermarksAdvanceOnlyFromTheExpectedValue() {
        String id = id("shard-1");
        Watermark w1 = Watermark.of("49590338271490256608559692538361571095921575989136588898", -1);
        Watermark w2 = Watermark.of("49590338271490256608559692538361571095921575989136588898", 3);
        Watermark w3 = new Watermark(new BigInteger("49590338271490256608559692540000000000000000000000000000"), -1);

        assertThat(store.readWatermarks(List.of(id))).isEmpty();
        assertThat(store.advanceWatermark(id, null, w1, in(TTL))).isTrue();
        assertThat(store.advanceWatermark(id, null, w2, in(TTL))).as("already stored").isFalse();
        assertThat(store.advanceWatermark(id, w1, w2, in(TTL))).isTrue();
        assertThat(store.advanceWatermark(id, w1, w3, in(TTL))).as("another invocation moved it").isFalse();
        assertThat(store.readWatermarks(List.of(id, id("other")))).containsExactly(Map.entry(id, w2));
        assertThat(store.advanceWatermark(id, w2, w3, in(TTL))).isTrue();
        assertThat(store.readWatermarks(List.of(id))).containsExactly(Map.entry(id, w3));
    }

    @Test
    void anExpiredWatermarkIsAbsent() {
        String id = id("shard-1");
        Watermark w1 = Watermark.of("100", -1);
        Instant expiresAt = in(Duration.ofMinutes(1));
        store.advanceWatermark(id, null, w1, expiresAt);

        clock.set(expiresAt.plusSeconds(1));
        assertThat(store.readWatermarks(List.of(id))).isEmpty();
        assertThat(store.advanceWatermark(id, null, Watermark.of("200", -1), in(TTL))).isTrue();
        assertThat(store.readWatermarks(List.of(id))).containsEntry(id, Watermark.of("200", -1));
    }

    @Test
    void concurrentWatermarkAdvancesFromTheSameValueLetOneWin() throws Exception {
        String id = id("shard-1");
        store.advanceWatermark(id, null, Watermark.of("1", -1), in(TTL));
        List<Boolean> wins = race(() -> store.advanceWatermark(id, Watermark.of("1", -1), Watermark.of("2", -1),
                in(TTL)), () -> store.advanceWatermark(id, Watermark.of("1", -1), Watermark.of("3", -1), in(TTL)));
        assertThat(wins).containsExactlyInAnyOrder(true, false);
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentClaimsOfOneIdLetExactlyOneThrough() throws Exception {
        for (int i = 0; i < 50; i++) {
            String id = id("race-" + i);
            List<ClaimResult> results = race(() -> store.claim(id, null, in(LEASE), in(TTL)),
                    () -> store.claim(id, null, in(LEASE), in(TTL)));
            assertThat(results).filteredOn(r -> r instanceof Claimed).hasSize(1);
            assertThat(results).filteredOn(r -> r instanceof Rejected).hasSize(1);
        }
    }

    @SafeVarargs
    private static <T> List<T> race(java.util.concurrent.Callable<T>... tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.length);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (java.util.concurrent.Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- commit

    /** A record whose effect adds 1 to item {@code pk} of the user table, unless the item is blocked. */
    protected Staged record(String name, String... pks) {
        List<TransactWriteItem> writes = new ArrayList<>();
        for (String pk : pks) {
            writes.add(increment(pk));
        }
        return new Staged(id(name), null, writes);
    }

    protected TransactWriteItem increment(String pk) {
        return TransactWriteItem.builder().update(Update.builder()
                .tableName(userTable())
                .key(Map.of("pk", AttributeValue.fromS(pk)))
                .updateExpression("ADD n :one")
                .conditionExpression("attribute_not_exists(blocked)")
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                .build()).build();
    }

    protected String pk(String name) {
        return prefix + "item-" + name;
    }

    private static List<CommitStatus> statuses(List<CommitResult> results) {
        return results.stream().map(CommitResult::status).toList();
    }

    @Test
    void commitWritesMarkersAndEffectsInOneTransaction() {
        List<CommitResult> results = store.commit(List.of(record("a", pk("a")), record("b", pk("b")),
                new Staged(id("c"), "hash-c", List.of())), in(TTL));

        assertThat(statuses(results)).containsExactly(CommitStatus.COMMITTED, CommitStatus.COMMITTED,
                CommitStatus.COMMITTED);
        assertThat(results).allMatch(r -> r.error() == null);
        assertThat(requests().snapshot()).containsEntry("TransactWriteItems", 1L);
        assertThat(appliedCount(pk("a"))).isEqualTo(1);
        assertThat(appliedCount(pk("b"))).isEqualTo(1);
        Entry c = stored(id("c"));
        assertThat(c.status()).isEqualTo(Status.COMPLETED);
        assertThat(c.validation()).isEqualTo("hash-c");
        assertThat(c.expirationEpochSecond()).isEqualTo(in(TTL).getEpochSecond());
        assertThat(store.commit(List.of(), in(TTL))).isEmpty();
    }

    @Test
    void aRedeliveredRecordIsADuplicateAndItsWritesAreDropped() {
        store.commit(List.of(record("a", pk("a"))), in(TTL));
        requests().reset();

        List<CommitResult> results = store.commit(List.of(record("a", pk("a")), record("b", pk("b"))), in(TTL));

        assertThat(statuses(results)).containsExactly(CommitStatus.DUPLICATE, CommitStatus.COMMITTED);
        assertThat(appliedCount(pk("a"))).isEqualTo(1);
        assertThat(appliedCount(pk("b"))).isEqualTo(1);
        assertThat(requests().snapshot()).containsEntry("TransactWriteItems", 2L); // cancelled, then retried
    }

    @Test
    void markersFollowTheClaimCondition() {
        String failed = id("failed");
        store.recordFailure(failed, null, in(TTL));
        String leased = id("leased");
        claimOk(leased);
        String expiredLease = id("expired-lease");
        store.claim(expiredLease, null, in(Duration.ofSeconds(1)), in(TTL));
        clock.advance(Duration.ofSeconds(2));

        List<CommitResult> results = store.commit(List.of(new Staged(failed, null, List.of()),
                new Staged(leased, null, List.of()), new Staged(expiredLease, null, List.of())), in(TTL));

        assertThat(statuses(results)).containsExactly(CommitStatus.COMMITTED, CommitStatus.DUPLICATE,
                CommitStatus.COMMITTED);
        assertThat(stored(failed).status()).isEqualTo(Status.COMPLETED);
        assertThat(stored(leased).status()).isEqualTo(Status.INPROGRESS);
    }

    @Test
    void aFailedUserConditionFailsItsRecordAndStopsTheOnesAfterIt() {
        block(pk("b"));

        List<CommitResult> results = store.commit(List.of(record("a", pk("a")), record("b", pk("b")),
                record("c", pk("c")), record("d", pk("d"))), in(TTL));

        assertThat(statuses(results)).containsExactly(CommitStatus.COMMITTED, CommitStatus.FAILED,
                CommitStatus.NOT_COMMITTED, CommitStatus.NOT_COMMITTED);
        RuntimeException error = results.get(1).error();
        assertThat(error).isInstanceOf(StreamProcessingException.class)
                .isNotInstanceOf(NonRetryableException.class)
                .hasMessageContaining(id("b"))
                .hasMessageContaining(userTable())
                .hasMessageContaining("condition")
                .hasCauseInstanceOf(TransactionCanceledException.class);
        assertThat(((StreamProcessingException) error).isRetryable()).isTrue();
        assertThat(appliedCount(pk("a"))).isEqualTo(1);
        assertThat(appliedCount(pk("c"))).isZero();
        assertThat(store.read(List.of(id("a"), id("b"), id("c"), id("d")))).containsOnlyKeys(id("a"));

        unblock(pk("b"));
        assertThat(statuses(store.commit(List.of(record("b", pk("b")), record("c", pk("c"))), in(TTL))))
                .containsExactly(CommitStatus.COMMITTED, CommitStatus.COMMITTED);
    }

    @Test
    void aDuplicateWhoseConditionAlsoFailsIsADuplicate() {
        store.commit(List.of(record("a", pk("a"))), in(TTL));
        block(pk("a"));

        List<CommitResult> results = store.commit(List.of(record("a", pk("a")), record("b", pk("b"))), in(TTL));

        assertThat(statuses(results)).containsExactly(CommitStatus.DUPLICATE, CommitStatus.COMMITTED);
    }

    @Test
    void moreThanAHundredItemsAreSplitBetweenRecords() {
        List<Staged> records = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            records.add(record("r" + i, pk("x" + i), pk("y" + i))); // 3 items each: 33 records fill 99
        }

        List<CommitResult> results = store.commit(records, in(TTL));

        assertThat(results).extracting(CommitResult::status).containsOnly(CommitStatus.COMMITTED).hasSize(60);
        assertThat(requests().snapshot()).containsEntry("TransactWriteItems", 2L);
        assertThat(appliedCount(pk("x0"))).isEqualTo(1);
        assertThat(appliedCount(pk("y59"))).isEqualTo(1);
        assertThat(store.read(records.stream().map(Staged::id).toList())).hasSize(60);
    }

    @Test
    void writesOfOneItemByTwoRecordsGoToSeparateTransactions() {
        List<CommitResult> results = store.commit(List.of(record("a", pk("shared")), record("b", pk("other")),
                record("c", pk("shared"))), in(TTL));

        assertThat(statuses(results)).containsOnly(CommitStatus.COMMITTED);
        assertThat(requests().snapshot()).containsEntry("TransactWriteItems", 2L);
        assertThat(appliedCount(pk("shared"))).isEqualTo(2);
    }

    @Test
    void putsOfOneItemByTwoRecordsGoToSeparateTransactions() {
        TransactWriteItem put = TransactWriteItem.builder().put(Put.builder().tableName(userTable())
                .item(Map.of("pk", AttributeValue.fromS(pk("put")), "v", AttributeValue.fromS("x"))).build()).build();

        List<CommitResult> results = store.commit(List.of(new Staged(id("a"), null, List.of(put)),
                new Staged(id("b"), null, List.of(put))), in(TTL));

        assertThat(statuses(results)).containsOnly(CommitStatus.COMMITTED);
        assertThat(requests().snapshot()).containsEntry("TransactWriteItems", 2L);
    }

    @Test
    void theSameIdTwiceInOneCallCommitsOnce() {
        List<CommitResult> results = store.commit(List.of(record("a", pk("a")), record("a", pk("a"))), in(TTL));

        assertThat(statuses(results)).containsExactly(CommitStatus.COMMITTED, CommitStatus.DUPLICATE);
        assertThat(appliedCount(pk("a"))).isEqualTo(1);
    }

    @Test
    void aRecordThatCannotFitOneTransactionFailsWithoutTryingIt() {
        String[] many = IntStream.range(0, 100).mapToObj(i -> pk("many" + i)).toArray(String[]::new);
        requests().reset();

        List<CommitResult> results = store.commit(List.of(record("a", pk("a")), record("big", many),
                record("c", pk("c"))), in(TTL));

        assertThat(statuses(results)).containsExactly(CommitStatus.COMMITTED, CommitStatus.FAILED,
                CommitStatus.NOT_COMMITTED);
        assertThat(results.get(1).error()).isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("at most 99");
        assertThat(requests().snapshot()).containsEntry("TransactWriteItems", 1L);
    }

    @Test
    void aRecordWritingOneItemTwiceFails() {
        List<CommitResult> results = store.commit(List.of(record("a", pk("a"), pk("a"))), in(TTL));

        assertThat(statuses(results)).containsExactly(CommitStatus.FAILED);
        assertThat(results.get(0).error()).isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("same item");
        assertThat(appliedCount(pk("a"))).isZero();
    }

    @Test
    void aCommittedMarkerIsDoneAndBlocksClaims() {
        store.commit(List.of(record("a", pk("a"))), in(TTL));
        assertThat(stored(id("a")).isDone(now())).isTrue();
        assertThat(store.claim(id("a"), null, in(LEASE), in(TTL))).isInstanceOf(Rejected.class);
        assertThat(store.recordFailure(id("a"), null, in(TTL))).isEqualTo(-1);
    }
}
