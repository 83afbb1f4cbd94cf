package io.shardwise.core.dedup;

import io.shardwise.core.StreamProcessingException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import static io.shardwise.core.dedup.Expressions.n;
import static io.shardwise.core.dedup.Expressions.s;

/**
 * A {@link DedupStore} in this JVM's memory, for tests: it applies exactly the conditions {@link DynamoDbDedupStore}
 * sends to DynamoDB (the same contract test suite runs against both), including expiry: an item whose
 * {@code expiration} is before the injected clock's current second counts as absent, and is not removed (as
 * DynamoDB deletes expired items only lazily).
 *
 * <p>For tests it also:
 * <ul>
 *   <li>counts the DynamoDB calls the DynamoDB store would have made for the same operations, under the same
 *       operation names ({@link #requestCounter()}): read and watermark reads as {@code BatchGetItem} (one per 100
 *       ids), claims, completions, failures and parking as {@code UpdateItem}, watermark moves as
 *       {@code PutItem}, commits as {@code TransactWriteItems} (packed by the same rules, so as many calls);</li>
 *   <li>keeps the staged writes of committed records ({@link #committedWrites()}), without applying them
 *       anywhere;</li>
 *   <li>can make the conditions of chosen staged writes fail ({@link #failConditionsWhen}).</li>
 * </ul>
 *
 * <p>{@link #checkReady()} does nothing. Nothing is ever thrown for infrastructure reasons. Thread-safe: every
 * operation is atomic (one lock), so concurrent claims of one id let exactly one through.
 *
 * <p>Not final so that a test can override a method to simulate an outage (e.g. make {@code read} throw).
 */
public class InMemoryDedupStore implements DedupStore {

    /** The table name of the in-memory store's markers in transactions (visible only to the committer). */
    static final String TABLE = "shardwise-in-memory-dedup";

    /** What a stored item holds; {@code status} is null for watermark items. */
    private record Item(Status status, long expiration, long inProgressExpiration, int attempts, String validation,
                        String leaseToken, String watermarkSeq, long watermarkSubSeq) {

        /** As DynamoDB evaluates {@code expiration < :now_s}: a missing (0) expiration never passes. */
        boolean expired(long nowSecond) {
            return expiration != 0 && expiration < nowSecond;
        }

        Item withStatus(Status newStatus, long newExpiration) {
            return new Item(newStatus, newExpiration, 0, attempts, validation, null, watermarkSeq, watermarkSubSeq);
        }
    }

    private final Clock clock;
    private final Object lock = new Object();
    private final Map<String, Item> items = new HashMap<>();
    private final List<TransactWriteItem> committedWrites = new ArrayList<>();
    private final Map<String, List<String>> keySchemas = new ConcurrentHashMap<>();
    private final RequestCounter requests = new RequestCounter();
    private final TransactionalCommitter committer;
    private volatile Predicate<TransactWriteItem> failingConditions = item -> false;

    /** A store on the UTC system clock. */
    public InMemoryDedupStore() {
        this(Clock.systemUTC());
    }

    /** A store whose "now" (for leases and expiry) is {@code clock}'s. */
    public InMemoryDedupStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.keySchemas.put(TABLE, List.of(Expressions.ID));
        this.committer = new TransactionalCommitter("the in-memory dedup store", this::execute, this::keyOf,
                Backoff.standard(Backoff.THREAD_SLEEP));
    }

    /** Calls the DynamoDB store would have made so far, by operation name (see the class comment). */
    public RequestCounter requestCounter() {
        return requests;
    }

    /** The staged writes of every committed record so far, in commit order. An immutable copy. */
    public List<TransactWriteItem> committedWrites() {
        synchronized (lock) {
            return List.copyOf(committedWrites);
        }
    }

    /**
     * From now on, staged writes matching {@code condition} fail their condition ({@code ConditionalCheckFailed}
     * in DynamoDB's words), cancelling the transaction they are in, as DynamoDB would. Replaces any earlier
     * predicate; {@code item -> false} turns it off.
     */
    public void failConditionsWhen(Predicate<TransactWriteItem> condition) {
        this.failingConditions = Objects.requireNonNull(condition, "condition");
    }

    /**
     * Declares the key attribute names of a table that staged {@code Put}s write, so that puts of the same item by
     * two records are committed in separate transactions exactly as the DynamoDB store does (it reads key schemas
     * with {@code DescribeTable}). Without it, a put to an undeclared table is taken to conflict with any other
     * action on that table, which only makes transactions smaller.
     *
     * @param keyAttributes the partition key name, then the sort key name if any
     */
    public void declareKeySchema(String tableName, String... keyAttributes) {
        if (keyAttributes.length < 1 || keyAttributes.length > 2) {
            throw new IllegalArgumentException("a key schema has a partition key and optionally a sort key, got "
                    + List.of(keyAttributes));
        }
        keySchemas.put(Objects.requireNonNull(tableName, "tableName"), List.of(keyAttributes));
    }

    /** Does nothing: there is no table to check. */
    @Override
    public void checkReady() {
    }

    @Override
    public Map<String, Entry> read(Collection<String> ids) {
        Set<String> distinct = new LinkedHashSet<>(ids);
        countBatchGets(distinct.size());
        long nowSecond = clock.instant().getEpochSecond();
        Map<String, Entry> found = new LinkedHashMap<>();
        synchronized (lock) {
            for (String id : distinct) {
                Item item = items.get(id);
                if (item != null && item.status() != null && !item.expired(nowSecond)) {
                    found.put(id, entry(id, item));
                }
            }
        }
        return found;
    }

    @Override
    public ClaimResult claim(String id, String validation, Instant leaseUntil, Instant expiresAt) {
        Objects.requireNonNull(id, "id");
        requests.record("UpdateItem");
        Instant now = clock.instant();
        synchronized (lock) {
            Item old = items.get(id);
            if (!claimable(old, now.getEpochSecond(), now.toEpochMilli())) {
                return new Rejected(entry(id, old));
            }
            boolean dead = old != null && old.expired(now.getEpochSecond());
            if (dead) {
                requests.record("UpdateItem"); // DynamoDbDedupStore's second write clearing the dead item's history
            }
            // Taking over an ended lease: that attempt never finished; count it (DynamoDbDedupStore's second write).
            boolean takeover = old != null && !dead && old.status() == Status.INPROGRESS;
            if (takeover) {
                requests.record("UpdateItem");
            }
            int attempts = old == null || dead ? 0 : old.attempts() + (takeover ? 1 : 0);
            String keptValidation = validation != null ? validation : old == null || dead ? null : old.validation();
            String token = UUID.randomUUID().toString();
            items.put(id, new Item(Status.INPROGRESS, expiresAt.getEpochSecond(), leaseUntil.toEpochMilli(), attempts,
                    keptValidation, token, old == null ? null : old.watermarkSeq(),
                    old == null ? 0 : old.watermarkSubSeq()));
            return new Claimed(token, attempts);
        }
    }

    @Override
    public boolean complete(String id, String leaseToken, Instant expiresAt) {
        return endLease(id, leaseToken, Status.COMPLETED, expiresAt.getEpochSecond());
    }

    /** One conditional write on the lease ({@code LEASE_CONDITION}): the item gets {@code status}, lease removed. */
    private boolean endLease(String id, String leaseToken, Status status, Long expiration) {
        Objects.requireNonNull(leaseToken, "leaseToken");
        requests.record("UpdateItem");
        synchronized (lock) {
            Item old = items.get(id);
            if (!holdsLease(old, leaseToken)) {
                return false;
            }
            items.put(id, old.withStatus(status, expiration == null ? old.expiration() : expiration));
            return true;
        }
    }

    @Override
    public int recordFailure(String id, String leaseToken, Instant expiresAt) {
        Objects.requireNonNull(id, "id");
        requests.record("UpdateItem");
        long nowSecond = clock.instant().getEpochSecond();
        synchronized (lock) {
            Item old = items.get(id);
            boolean allowed = leaseToken != null ? holdsLease(old, leaseToken)
                    : old == null || old.expired(nowSecond)
                    || (old.status() != Status.COMPLETED && old.status() != Status.PARKED);
            if (!allowed) {
                return -1;
            }
            boolean dead = old != null && old.expired(nowSecond);
            if (dead) {
                requests.record("UpdateItem"); // the DynamoDB store's second write, as in claim
            }
            int attempts = old == null || dead ? 1 : old.attempts() + 1;
            items.put(id, new Item(Status.FAILED, expiresAt.getEpochSecond(), 0, attempts,
                    old == null || dead ? null : old.validation(), null,
                    old == null ? null : old.watermarkSeq(), old == null ? 0 : old.watermarkSubSeq()));
            return attempts;
        }
    }

    @Override
    public boolean release(String id, String leaseToken, Instant expiresAt) {
        return endLease(id, leaseToken, Status.FAILED, null); // RELEASE_UPDATE keeps the expiration
    }

    @Override
    public boolean markParked(String id, String leaseToken, Instant expiresAt) {
        Objects.requireNonNull(id, "id");
        requests.record("UpdateItem");
        synchronized (lock) {
            Item old = items.get(id);
            if (leaseToken != null && !holdsLease(old, leaseToken)) {
                return false;
            }
            items.put(id, old == null
                    ? new Item(Status.PARKED, expiresAt.getEpochSecond(), 0, 0, null, null, null, 0)
                    : old.withStatus(Status.PARKED, expiresAt.getEpochSecond()));
            return true;
        }
    }

    @Override
    public Map<String, Watermark> readWatermarks(Collection<String> ids) {
        Set<String> distinct = new LinkedHashSet<>(ids);
        countBatchGets(distinct.size());
        long nowSecond = clock.instant().getEpochSecond();
        Map<String, Watermark> found = new LinkedHashMap<>();
        synchronized (lock) {
            for (String id : distinct) {
                Item item = items.get(id);
                if (item != null && item.watermarkSeq() != null && !item.expired(nowSecond)) {
                    found.put(id, Watermark.of(item.watermarkSeq(), item.watermarkSubSeq()));
                }
            }
        }
        return found;
    }

    @Override
    public boolean advanceWatermark(String id, Watermark expected, Watermark next, Instant expiresAt) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(next, "next");
        requests.record("PutItem");
        long nowSecond = clock.instant().getEpochSecond();
        synchronized (lock) {
            Item old = items.get(id);
            boolean allowed = expected == null
                    ? old == null || old.expired(nowSecond)
                    : old != null && expected.sequenceNumber().toString().equals(old.watermarkSeq())
                    && expected.subSequenceNumber() == old.watermarkSubSeq();
            if (!allowed) {
                return false;
            }
            // A put: the item holds the watermark only, as in DynamoDB.
            items.put(id, new Item(null, expiresAt.getEpochSecond(), 0, 0, null, null,
                    next.sequenceNumber().toString(), next.subSequenceNumber()));
            return true;
        }
    }

    @Override
    public List<CommitResult> commit(List<Staged> records, Instant expiresAt) {
        Instant now = clock.instant();
        return committer.commit(records, staged -> marker(staged, now, expiresAt));
    }

    private static TransactWriteItem marker(Staged staged, Instant now, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(Expressions.ID, s(staged.id()));
        item.put(Expressions.STATUS, Expressions.status(Status.COMPLETED));
        item.put(Expressions.EXPIRATION, n(expiresAt.getEpochSecond()));
        if (staged.validation() != null) {
            item.put(Expressions.VALIDATION, s(staged.validation()));
        }
        return TransactWriteItem.builder().put(Put.builder()
                .tableName(TABLE)
                .item(item)
                .conditionExpression(Expressions.CLAIM_CONDITION)
                .expressionAttributeNames(Expressions.STATUS_NAME)
                .expressionAttributeValues(Map.of(
                        ":now_s", n(now.getEpochSecond()),
                        ":now_ms", n(now.toEpochMilli()),
                        ":failed", Expressions.status(Status.FAILED),
                        ":inprogress", Expressions.status(Status.INPROGRESS)))
                .build()).build();
    }

    /** One transaction, atomically: every condition checked first, then everything applied, or nothing. */
    private TransactionalCommitter.Attempt execute(List<TransactWriteItem> transaction) {
        requests.record("TransactWriteItems");
        Predicate<TransactWriteItem> failing = failingConditions;
        synchronized (lock) {
            List<CancellationReason> reasons = new ArrayList<>(transaction.size());
            boolean cancelled = false;
            for (TransactWriteItem action : transaction) {
                boolean ok;
                if (isMarker(action)) {
                    Map<String, AttributeValue> values = action.put().expressionAttributeValues();
                    ok = claimable(items.get(action.put().item().get(Expressions.ID).s()),
                            Long.parseLong(values.get(":now_s").n()), Long.parseLong(values.get(":now_ms").n()));
                } else {
                    ok = !failing.test(action);
                }
                cancelled |= !ok;
                reasons.add(ok ? CancellationReason.builder().code("None").build()
                        : CancellationReason.builder().code("ConditionalCheckFailed")
                        .message("The conditional request failed").build());
            }
            if (cancelled) {
                return new TransactionalCommitter.Cancelled(TransactionCanceledException.builder()
                        .message("Transaction cancelled, please refer cancellation reasons for specific reasons "
                                + reasons.stream().map(CancellationReason::code).toList())
                        .cancellationReasons(reasons)
                        .build());
            }
            for (TransactWriteItem action : transaction) {
                if (isMarker(action)) {
                    Map<String, AttributeValue> item = action.put().item();
                    AttributeValue validation = item.get(Expressions.VALIDATION);
                    items.put(item.get(Expressions.ID).s(), new Item(Status.COMPLETED,
                            Long.parseLong(item.get(Expressions.EXPIRATION).n()), 0, 0,
                            validation == null ? null : validation.s(), null, null, 0));
                } else {
                    committedWrites.add(action);
                }
            }
            return new TransactionalCommitter.Committed();
        }
    }

    private static boolean isMarker(TransactWriteItem action) {
        return action.put() != null && TABLE.equals(action.put().tableName());
    }

    private TransactionalCommitter.ItemKey keyOf(TransactWriteItem action) {
        String table = TransactionalCommitter.table(action);
        Map<String, AttributeValue> key = TransactionalCommitter.explicitKey(action);
        if (key != null) {
            return new TransactionalCommitter.ItemKey(table, key);
        }
        List<String> schema = keySchemas.get(table);
        if (schema == null) {
            return new TransactionalCommitter.ItemKey(table, null);
        }
        Map<String, AttributeValue> fromItem = new HashMap<>();
        for (String name : schema) {
            fromItem.put(name, action.put().item().get(name));
        }
        return new TransactionalCommitter.ItemKey(table, fromItem);
    }

    /** {@link Expressions#CLAIM_CONDITION}. */
    private static boolean claimable(Item item, long nowSecond, long nowMillis) {
        return item == null
                || item.expired(nowSecond)
                || item.status() == Status.FAILED
                || (item.status() == Status.INPROGRESS && item.inProgressExpiration() < nowMillis);
    }

    /** {@link Expressions#LEASE_CONDITION}. */
    private static boolean holdsLease(Item item, String leaseToken) {
        return item != null && item.status() == Status.INPROGRESS && leaseToken.equals(item.leaseToken());
    }

    private void countBatchGets(int distinctIds) {
        for (int i = 0; i < distinctIds; i += 100) {
            requests.record("BatchGetItem");
        }
    }

    private static Entry entry(String id, Item item) {
        if (item.status() == null) {
            throw new StreamProcessingException("In-memory dedup store: item '" + id + "' is a watermark, not a "
                    + "dedup marker: the same id is used for both");
        }
        return new Entry(id, item.status(), item.expiration(), item.inProgressExpiration(), item.attempts(),
                item.validation(), item.leaseToken());
    }

    @Override
    public String toString() {
        return "InMemoryDedupStore";
    }

    @Override
    public boolean releaseParked(String id) {
        Objects.requireNonNull(id, "id");
        requests.record("DeleteItem");
        synchronized (lock) {
            Item item = items.get(id);
            if (item == null || item.status() == Status.PARKED) {
                items.remove(id);
                return true;
            }
            return item.status() != null && item.expired(clock.instant().getEpochSecond());
        }
    }
}
