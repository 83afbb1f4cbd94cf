package io.shardwise.core.dedup;

import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where the engine records which records' effects have happened. Engine-facing: users pick an implementation
 * ({@link DynamoDbDedupStore}, or {@link InMemoryDedupStore} in tests) and a {@link DedupMode}; they do not call
 * these methods.
 *
 * <h2>Items</h2>
 * Every item is addressed by an {@code id} the engine computes as {@code consumerName + "#" + sha256hex(key)},
 * so payload-derived keys never land in the table. Attributes follow Powertools idempotency's layout so a table
 * can be shared or migrated: {@code id}, {@code expiration} (epoch seconds, the table's TTL attribute),
 * {@code status}, {@code in_progress_expiration} (epoch millis), {@code data}, {@code validation}; shardwise adds
 * {@code attempts}, {@code lease_token}, and for watermarks {@code watermark_seq} / {@code watermark_sub_seq}.
 *
 * <h2>Time</h2>
 * DynamoDB deletes expired items lazily (up to days later), so every read and every condition treats an item
 * whose {@code expiration} is in the past as absent. Implementations take "now" from an injected
 * {@link java.time.Clock}; the in-memory store applies exactly the same conditions as the DynamoDB one, and
 * both pass one contract test suite.
 *
 * <h2>Failures</h2>
 * Infrastructure problems (table missing, throttled past retries, network) are thrown as
 * {@link io.shardwise.core.StreamProcessingException} with a message naming the table and the fix; the engine
 * then fails the whole batch, which is the only safe answer when it cannot know what is done.
 *
 * <p>Implementations are thread-safe.
 */
public interface DedupStore {

    /** Status values as stored. {@code INPROGRESS} and {@code COMPLETED} are spelled as Powertools spells them. */
    enum Status { INPROGRESS, COMPLETED, FAILED, PARKED }

    /**
     * A stored marker.
     *
     * @param id                         the item id
     * @param status                     the status
     * @param expirationEpochSecond      TTL (epoch seconds); 0 = never
     * @param inProgressExpirationMillis lease end for {@code INPROGRESS} (epoch millis), else 0
     * @param attempts                   failed attempts recorded so far
     * @param validation                 payload hash stored at claim/commit, or null
     * @param leaseToken                 the current lease holder's token for {@code INPROGRESS}, else null
     */
    record Entry(String id, Status status, long expirationEpochSecond, long inProgressExpirationMillis,
                 int attempts, String validation, String leaseToken) {
        public Entry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(status, "status");
        }

        /** Whether the TTL has passed: the item counts as absent. Expires at the start of the next second. */
        public boolean isExpired(Instant now) {
            return expirationEpochSecond != 0 && expirationEpochSecond < now.getEpochSecond();
        }

        /** Whether the record's effect is done (completed or parked) and the item has not expired. */
        public boolean isDone(Instant now) {
            return !isExpired(now) && (status == Status.COMPLETED || status == Status.PARKED);
        }

        /** Whether another invocation holds a live lease on it. */
        public boolean isLeased(Instant now) {
            return !isExpired(now) && status == Status.INPROGRESS && inProgressExpirationMillis >= now.toEpochMilli();
        }
    }

    /** Result of {@link #claim}. */
    sealed interface ClaimResult permits Claimed, Rejected {
    }

    /**
     * The caller now holds the lease.
     *
     * @param leaseToken     pass to {@link #complete}, {@link #recordFailure}, {@link #markParked}
     * @param failedAttempts attempts before this claim that failed or never finished
     */
    record Claimed(String leaseToken, int failedAttempts) implements ClaimResult {
    }

    /** The claim's condition failed; {@code existing} is the item that blocked it. */
    record Rejected(Entry existing) implements ClaimResult {
    }

    /**
     * A position in a shard: sequence number (numeric, up to 128 bits) and KPL sub-sequence (-1 when none).
     * Ordered numerically.
     */
    record Watermark(BigInteger sequenceNumber, long subSequenceNumber) implements Comparable<Watermark> {
        public Watermark {
            Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        }

        public static Watermark of(String sequenceNumber, long subSequenceNumber) {
            return new Watermark(new BigInteger(sequenceNumber), subSequenceNumber);
        }

        @Override
        public int compareTo(Watermark o) {
            int c = sequenceNumber.compareTo(o.sequenceNumber);
            return c != 0 ? c : Long.compare(subSequenceNumber, o.subSequenceNumber);
        }
    }

    /**
     * One record's marker plus its staged writes, for {@link #commit}.
     *
     * @param id         the marker id
     * @param validation payload hash or null
     * @param writes     the user's staged writes (may be empty)
     */
    record Staged(String id, String validation, List<TransactWriteItem> writes) {
        public Staged {
            Objects.requireNonNull(id, "id");
            writes = List.copyOf(writes);
        }
    }

    /** Result of committing one {@link Staged} record. */
    enum CommitStatus {
        /** Marker and writes committed. */
        COMMITTED,
        /** The marker already exists (done by an earlier or concurrent invocation): writes dropped. */
        DUPLICATE,
        /** One of the user's own conditions failed: that record's failure (see {@code error}). */
        FAILED,
        /** Not committed because an earlier record of the call failed (order is kept). */
        NOT_COMMITTED
    }

    /**
     * @param status what happened
     * @param error  for {@code FAILED}: a {@link io.shardwise.core.NonRetryableException} or retryable
     *               {@link io.shardwise.core.StreamProcessingException} naming the failed condition; else null.
     *               A failed condition of the user's own write is retryable (the processor runs again and stages
     *               fresh writes), with the {@code TransactionCanceledException} as cause so a classifier can
     *               make it non-retryable; writes DynamoDB refuses as invalid (or a record that cannot fit one
     *               transaction) are non-retryable
     */
    record CommitResult(CommitStatus status, RuntimeException error) {
    }

    /**
     * A view of this store whose every call is bounded by {@code timeLeft} (asked afresh at each call): the
     * DynamoDB store gives each request that much as its SDK {@code apiCallTimeout} (which covers the SDK's own
     * retries) and bounds its own backoff pauses by it, and starts no call when it is not positive. A call cut
     * short throws {@link CallDeadlineException}. The engine takes one view per batch, bounded by the Lambda
     * context's remaining time, so that throttling never carries a batch past the function timeout. The default
     * returns this store unbounded (the in-memory store's calls take no time).
     */
    default DedupStore withCallTimeout(java.util.function.Supplier<java.time.Duration> timeLeft) {
        return this;
    }

    /**
     * Checks once, at handler construction, that the backing table exists with key {@code id} (string) and a
     * TTL on {@code expiration}.
     *
     * @throws io.shardwise.core.StreamProcessingException saying exactly what is wrong and how to fix it
     */
    void checkReady();

    /**
     * Reads the markers of {@code ids} (DynamoDB: {@code BatchGetItem}, up to 100 keys per call, unprocessed
     * keys retried, consistent reads). Absent and expired items are left out of the map.
     */
    Map<String, Entry> read(Collection<String> ids);

    /**
     * Claims {@code id} for processing, with a lease until {@code leaseUntil}. Succeeds when there is no live
     * item, or it is {@code FAILED}, or it is {@code INPROGRESS} with a lease that has ended. Sets
     * {@code status=INPROGRESS}, a fresh lease token, {@code in_progress_expiration=leaseUntil},
     * {@code expiration=expiresAt}, {@code validation} (when non-null), and keeps {@code attempts} — plus one when
     * it takes over an {@code INPROGRESS} item whose lease ended: that attempt never finished (a Lambda timeout or a
     * crash ends an invocation without a failure write), and a record that hangs every time must use up its retry
     * budget like any other. One conditional write (a second, {@code SET attempts = :counted} conditional on the
     * new lease token, only on such a takeover); on rejection the existing item is returned from the same call.
     * A store whose write can be applied with its response lost and retried must recognise its own write then (the
     * DynamoDB store: {@code write_token}), so that a claim never reports its own lease as another's.
     *
     * <p>Exact DynamoDB condition: {@code attribute_not_exists(id) OR expiration < :now_s OR #status = :failed OR
     * (#status = :inprogress AND in_progress_expiration < :now_ms)}.
     */
    ClaimResult claim(String id, String validation, Instant leaseUntil, Instant expiresAt);

    /**
     * Marks a claimed record {@code COMPLETED} with TTL {@code expiresAt}, removing the lease. Conditional on
     * still holding the lease ({@code #status = :inprogress AND lease_token = :token}).
     *
     * @return false if the lease was lost (it expired and another invocation took it): the effect may then
     *         happen twice, which the engine logs
     */
    boolean complete(String id, String leaseToken, Instant expiresAt);

    /**
     * Records a failed attempt: adds 1 to {@code attempts}, sets {@code status=FAILED}, removes the lease. Creates
     * the item if absent (modes without claims). Does nothing to an item that is done (completed or parked) and
     * live. With a non-null {@code leaseToken}, only when still holding that lease. An item past its TTL counts
     * as absent: its count restarts at 1.
     *
     * <p>Exact DynamoDB conditions: {@code attribute_not_exists(id) OR expiration < :now_s OR NOT (#status IN
     * (:completed, :parked))} without a lease token; {@code #status = :inprogress AND lease_token = :token} with one.
     *
     * @return the number of failed attempts now recorded, or -1 if the item was done or the lease lost
     */
    int recordFailure(String id, String leaseToken, Instant expiresAt);

    /**
     * Gives up a lease without counting an attempt: {@code status=FAILED}, lease removed, {@code attempts} kept;
     * conditional on holding the lease ({@code #status = :inprogress AND lease_token = :token}). The engine calls it
     * for the leases it holds when the whole batch fails (the dedup store failed mid-batch), so that the
     * redelivery can run those records at once instead of waiting for the leases to end. The default counts an
     * attempt ({@link #recordFailure}); both stores of this library override it.
     *
     * @return false if the lease was no longer held
     */
    default boolean release(String id, String leaseToken, Instant expiresAt) {
        return recordFailure(id, leaseToken, expiresAt) >= 0;
    }

    /**
     * Marks {@code id} {@code PARKED} (done: the record is in the failure sink) with TTL {@code expiresAt}.
     * Unconditional apart from the lease check when {@code leaseToken} is non-null
     * ({@code #status = :inprogress AND lease_token = :token}, as {@link #complete}); if that lease was lost, the
     * item is left as it is: another invocation took the record over and may already have completed it. A caller
     * holding a lease must pass it, or it could overwrite that invocation's marker.
     *
     * @return false if the lease was lost (the record is in the sink, but another invocation holds it, which the
     *         engine logs); true otherwise
     */
    boolean markParked(String id, String leaseToken, Instant expiresAt);

    /**
     * Reads watermarks ({@code BatchGetItem}); absent or expired ones are left out.
     */
    Map<String, Watermark> readWatermarks(Collection<String> ids);

    /**
     * Advances a watermark from {@code expected} (null: none stored) to {@code next}, with TTL
     * {@code expiresAt}. Conditional: the stored value must still equal {@code expected}
     * ({@code watermark_seq = :expected_seq AND watermark_sub_seq = :expected_sub}; the sequence number is stored
     * as a string, as Kinesis' 56 digits exceed a DynamoDB number's 38), or for null be absent or expired
     * ({@code attribute_not_exists(id) OR expiration < :now_s}: an expired watermark reads as absent, so the
     * engine passes null for it).
     *
     * @return false if another invocation moved it first
     */
    boolean advanceWatermark(String id, Watermark expected, Watermark next, Instant expiresAt);

    /**
     * Commits records' markers ({@code status=COMPLETED}, TTL {@code expiresAt}) with their staged writes, in the
     * given order, using as few {@code TransactWriteItems} calls as the limits allow (100 items, 4 MB, one
     * operation per item per transaction; a record's items never split). Marker condition: as for
     * {@link #claim}. On cancellation: a marker's failed condition makes that record {@code DUPLICATE} and the
     * rest is retried without it; a user item's failed condition makes that record {@code FAILED} and every later
     * record {@code NOT_COMMITTED} (the earlier ones are retried and committed); throttling and
     * {@code TransactionConflict} back off and retry (bounded; then thrown).
     *
     * @return one result per input, in input order
     */
    List<CommitResult> commit(List<Staged> records, Instant expiresAt);

    /**
     * Releases a parked record's marker so that the record runs when it is replayed (the replay tool calls this
     * before putting the record back): deletes {@code id}'s item only if it is still {@code PARKED}. A record
     * parked under a payload-derived key comes back at a new position with the same key, and a {@code PARKED}
     * marker counts as done, so without this the replayed record would be skipped as a duplicate.
     *
     * <p>Exact DynamoDB condition: {@code #status = :parked} ({@code DeleteItem}, returning the item on a failed
     * condition). An item of any other status is left as it is: the record is being processed, failed, or done
     * since (e.g. replayed before), and the dedup rules apply to it as to any record.
     *
     * @return true when no live item of {@code id} is left: deleted now, deleted by an earlier try of this call
     *         whose response was lost (the SDK's retry then finds none), or none was there (absent or expired);
     *         false when a live item of another status stays
     * @throws io.shardwise.core.StreamProcessingException on an infrastructure failure, naming the table and fix
     * @throws UnsupportedOperationException from this default, for a store written before this method existed
     *                                       (a default keeps such stores compiling; the replay tool then leaves
     *                                       the record where it is and says why)
     */
    default boolean releaseParked(String id) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot release parked dedup markers "
                + "(it does not implement DedupStore.releaseParked)");
    }
}
