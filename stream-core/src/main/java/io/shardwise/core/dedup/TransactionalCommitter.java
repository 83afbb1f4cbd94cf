package io.shardwise.core.dedup;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.DedupStore.CommitResult;
import io.shardwise.core.dedup.DedupStore.CommitStatus;
import io.shardwise.core.dedup.DedupStore.Staged;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The part of {@link DedupStore#commit} both stores share: packing records into transactions, reading
 * cancellation reasons, and deciding each record's {@link CommitStatus}. The stores supply how one transaction
 * is executed ({@link Transport}) and how an item's key is found; so the in-memory store reports exactly what the
 * DynamoDB store would, including the number of {@code TransactWriteItems} calls.
 *
 * <p>Limits come from the DynamoDB developer guide, "Amazon DynamoDB transactions": at most 100 actions, an
 * aggregate size of at most 4 MB, and no two actions on the same item in one transaction
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html).
 *
 * <p>Stateless apart from its collaborators; thread-safe when they are.
 */
final class TransactionalCommitter {

    static final int MAX_ITEMS = 100;
    /**
     * Estimated bytes allowed per transaction: 4 MB minus a margin, because the estimate counts the request, not
     * the items as stored (an update's target item may be larger than the update). A transaction DynamoDB still
     * rejects as too large is split record by record (see {@link Invalid}).
     */
    static final long MAX_ESTIMATED_BYTES = 3_800_000;

    /** The outcome of one {@code TransactWriteItems} call. */
    sealed interface Attempt permits Committed, Cancelled, Throttled, Invalid {
    }

    /** Every item was written. */
    record Committed() implements Attempt {
    }

    /** The transaction was cancelled; {@code error.cancellationReasons()} has one reason per item, in order. */
    record Cancelled(TransactionCanceledException error) implements Attempt {
    }

    /** Throttled or in conflict with another transaction as a whole: nothing written, worth retrying later. */
    record Throttled(RuntimeException error) implements Attempt {
    }

    /**
     * The whole request was rejected as invalid ({@code ValidationException}: too large, a bad expression, two
     * actions on one item we could not see). Nothing written; the records are then tried one by one to find the
     * one at fault.
     */
    record Invalid(RuntimeException error) implements Attempt {
    }

    /** Executes one transaction. Throws {@link StreamProcessingException} for infrastructure failures. */
    @FunctionalInterface
    interface Transport {
        Attempt execute(List<TransactWriteItem> items);
    }

    /**
     * The item an action targets. A null {@code key} means "some item of {@code table}, we do not know which" (a
     * {@code Put} to a table whose key schema is unknown): it conflicts with every other action on that table.
     */
    record ItemKey(String table, Map<String, AttributeValue> key) {
    }

    private final String storeDescription;
    private final Transport transport;
    private final Function<TransactWriteItem, ItemKey> keyOf;
    private final Backoff backoff;

    /**
     * @param storeDescription names the store in messages, e.g. {@code "DynamoDB table 'dedup'"}
     * @param keyOf            the item an action targets (see {@link ItemKey})
     */
    TransactionalCommitter(String storeDescription, Transport transport, Function<TransactWriteItem, ItemKey> keyOf,
                           Backoff backoff) {
        this.storeDescription = storeDescription;
        this.transport = transport;
        this.keyOf = keyOf;
        this.backoff = backoff;
    }

    /** One record with its marker: items in order, marker first. */
    private record Planned(int index, Staged staged, List<TransactWriteItem> items, List<ItemKey> keys, long bytes,
                           RuntimeException invalid) {
    }

    /**
     * Commits {@code records} in order, as {@link DedupStore#commit} describes.
     *
     * @param markerFor the marker action of a record (a conditional put)
     */
    List<CommitResult> commit(List<Staged> records, Function<Staged, TransactWriteItem> markerFor) {
        int n = records.size();
        CommitResult[] results = new CommitResult[n];
        List<Planned> planned = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            planned.add(plan(i, records.get(i), markerFor.apply(records.get(i))));
        }
        int next = 0;
        while (next < n) {
            List<Planned> transaction = new ArrayList<>();
            Packing packing = new Packing();
            while (next < n) {
                Planned p = planned.get(next);
                if (p.invalid() != null) {
                    if (transaction.isEmpty()) {
                        // Earlier records are committed; this one cannot be, and order forbids committing later ones.
                        results[next] = new CommitResult(CommitStatus.FAILED, p.invalid());
                        notCommitted(results, next + 1, n);
                        return List.of(results);
                    }
                    break;
                }
                if (!transaction.isEmpty() && !packing.fits(p)) {
                    break;
                }
                packing.add(p);
                transaction.add(p);
                next++;
            }
            if (!transaction.isEmpty() && !run(transaction, results)) {
                notCommitted(results, next, n);
                return List.of(results);
            }
        }
        return List.of(results);
    }

    /**
     * Runs one transaction until each of its records has a result.
     *
     * @return false if a record FAILED (later records of the call must then not be committed)
     */
    private boolean run(List<Planned> transaction, CommitResult[] results) {
        if (runUntilSettled(transaction, results)) {
            return true;
        }
        // Only records before the first failure can have been committed (a record is retried only with the
        // records before it). If reasons came piecemeal, a later record may have been settled before an earlier
        // one failed: the first failure stops everything after it, whatever was found out about it.
        boolean afterFailure = false;
        for (Planned p : transaction) {
            if (afterFailure) {
                results[p.index()] = new CommitResult(CommitStatus.NOT_COMMITTED, null);
            } else if (results[p.index()] != null && results[p.index()].status() == CommitStatus.FAILED) {
                afterFailure = true;
            }
        }
        return false;
    }

    private boolean runUntilSettled(List<Planned> transaction, CommitResult[] results) {
        List<Planned> live = new ArrayList<>(transaction);
        boolean failed = false;
        int tries = 0; // calls that settled no record (throttling, conflicts): bounded by the backoff
        while (!live.isEmpty()) {
            List<TransactWriteItem> items = new ArrayList<>();
            for (Planned p : live) {
                items.addAll(p.items());
            }
            Attempt attempt = transport.execute(items);
            if (attempt instanceof Committed) {
                for (Planned p : live) {
                    results[p.index()] = new CommitResult(CommitStatus.COMMITTED, null);
                }
                return !failed;
            }
            if (attempt instanceof Invalid invalid) {
                if (live.size() == 1) {
                    Planned p = live.get(0);
                    if (p.items().size() == 1) {
                        // Only the marker, which we build: the dedup table is at fault, not the record. Parking
                        // records for it would be wrong; fail the batch instead.
                        throw new StreamProcessingException("TransactWriteItems on " + storeDescription
                                + " rejected the dedup marker of record '" + p.staged().id() + "' as invalid: "
                                + invalid.error().getMessage() + ". Check the dedup table's key schema "
                                + "(DedupStore.checkReady says what is expected).", invalid.error());
                    }
                    results[p.index()] = new CommitResult(CommitStatus.FAILED, new NonRetryableException(
                            "The staged writes of dedup record '" + p.staged().id() + "' were rejected by DynamoDB as "
                                    + "invalid: " + invalid.error().getMessage() + ". None of them was committed; "
                                    + "fix the writes the processor stages (expressions, item sizes, at most one "
                                    + "action per item).", invalid.error()));
                    return false;
                }
                // Find the record at fault by committing them one at a time, in order.
                for (int k = 0; k < live.size(); k++) {
                    if (!run(List.of(live.get(k)), results)) {
                        notCommitted(results, live.subList(k + 1, live.size()));
                        return false;
                    }
                }
                return !failed;
            }
            boolean progress = false;
            RuntimeException retryCause;
            if (attempt instanceof Cancelled cancelled) {
                retryCause = cancelled.error();
                List<Planned> remaining = new ArrayList<>(live.size());
                progress = settleCancelled(live, items.size(), cancelled.error(), results, remaining);
                failed |= anyFailed(live, results);
                live = remaining;
            } else {
                retryCause = ((Throttled) attempt).error();
            }
            if (!progress && !live.isEmpty()) {
                tries++;
                if (!backoff.mayRetry(tries)) {
                    throw new StreamProcessingException("TransactWriteItems on " + storeDescription + " was still "
                            + "throttled or in conflict with other transactions after " + tries + " tries ("
                            + retryCause.getMessage() + "). Fix: give the tables written (the dedup table and "
                            + "those the processor writes) more write capacity or on-demand capacity; conflicts "
                            + "mean other writers update the same items at the same time.", retryCause);
                }
                backoff.pause(tries);
            }
        }
        return !failed;
    }

    private static boolean anyFailed(List<Planned> records, CommitResult[] results) {
        for (Planned p : records) {
            CommitResult r = results[p.index()];
            if (r != null && r.status() == CommitStatus.FAILED) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a cancellation's per-item reasons: sets results for duplicates, the first record whose own write
     * failed, and every record after it; puts the records to retry into {@code remaining}.
     *
     * @return whether any record got a result (else the cancellation was throttling or a conflict: back off)
     */
    private boolean settleCancelled(List<Planned> live, int itemCount, TransactionCanceledException error,
                                    CommitResult[] results, List<Planned> remaining) {
        List<CancellationReason> reasons = error.hasCancellationReasons() ? error.cancellationReasons() : List.of();
        if (reasons.size() != itemCount) {
            throw new StreamProcessingException("TransactWriteItems on " + storeDescription + " was cancelled with "
                    + reasons.size() + " cancellation reasons for " + itemCount + " items, so the records at fault "
                    + "cannot be told apart (" + error.getMessage() + "). The batch is failed and will be "
                    + "redelivered.", error);
        }
        int firstFailed = -1;
        RuntimeException firstError = null;
        boolean[] duplicate = new boolean[live.size()];
        int position = 0;
        for (int k = 0; k < live.size(); k++) {
            Planned p = live.get(k);
            RuntimeException userError = null;
            for (int j = 0; j < p.items().size(); j++) {
                CancellationReason reason = reasons.get(position + j);
                String code = reason.code();
                if (code == null || code.equals("None") || isTransient(code)) {
                    continue;
                }
                if (j == 0) {
                    if (!code.equals("ConditionalCheckFailed")) {
                        throw new StreamProcessingException("TransactWriteItems on " + storeDescription
                                + " rejected the dedup marker of record '" + p.staged().id() + "': " + code + " ("
                                + reason.message() + "). Check the dedup table's key schema (DedupStore.checkReady "
                                + "says what is expected).", error);
                    }
                    duplicate[k] = true;
                } else if (userError == null) {
                    userError = userWriteError(p, j, reason, error);
                }
            }
            position += p.items().size();
            // A record whose marker exists is a duplicate even if its own condition failed too: its effect is done.
            if (firstFailed < 0 && userError != null && !duplicate[k]) {
                firstFailed = k;
                firstError = userError;
            }
        }
        boolean progress = false;
        for (int k = 0; k < live.size(); k++) {
            Planned p = live.get(k);
            if (firstFailed >= 0 && k > firstFailed) {
                results[p.index()] = new CommitResult(CommitStatus.NOT_COMMITTED, null);
                progress = true;
            } else if (k == firstFailed) {
                results[p.index()] = new CommitResult(CommitStatus.FAILED, firstError);
                progress = true;
            } else if (duplicate[k]) {
                results[p.index()] = new CommitResult(CommitStatus.DUPLICATE, null);
                progress = true;
            } else {
                remaining.add(p);
            }
        }
        return progress;
    }

    private static boolean isTransient(String code) {
        return switch (code) {
            case "TransactionConflict", "ProvisionedThroughputExceeded", "ThrottlingError", "RequestLimitExceeded" ->
                    true;
            default -> false;
        };
    }

    /**
     * A failed condition of the processor's own write is retryable by default: the processor runs again on
     * redelivery and stages fresh writes (an optimistic-locking condition then passes). The cause is the
     * {@link TransactionCanceledException}, so a classifier can make such failures non-retryable. Anything else
     * (a validation error, an item collection over 10 GB) cannot pass on retry: non-retryable.
     */
    private static RuntimeException userWriteError(Planned p, int itemIndex, CancellationReason reason,
                                                   TransactionCanceledException cause) {
        TransactWriteItem item = p.items().get(itemIndex);
        String what = "staged write " + itemIndex + " of " + (p.items().size() - 1) + " (" + action(item)
                + " on table '" + table(item) + "') of dedup record '" + p.staged().id() + "'";
        String detail = reason.message() == null ? reason.code() : reason.code() + ": " + reason.message();
        if ("ConditionalCheckFailed".equals(reason.code())) {
            return new StreamProcessingException("The condition of " + what + " failed (" + detail + "), so none of "
                    + "the record's writes was committed. The record is retried by default (the processor runs "
                    + "again and stages fresh writes); to park such records at once, classify "
                    + "TransactionCanceledException as non-retryable.", cause);
        }
        return new NonRetryableException("DynamoDB refused " + what + " (" + detail + "), so none of the "
                + "record's writes was committed. Retrying cannot fix this: fix the writes the processor stages.",
                cause);
    }

    private static void notCommitted(CommitResult[] results, int from, int to) {
        for (int i = from; i < to; i++) {
            if (results[i] == null) {
                results[i] = new CommitResult(CommitStatus.NOT_COMMITTED, null);
            }
        }
    }

    private static void notCommitted(CommitResult[] results, List<Planned> records) {
        for (Planned p : records) {
            if (results[p.index()] == null) {
                results[p.index()] = new CommitResult(CommitStatus.NOT_COMMITTED, null);
            }
        }
    }

    private Planned plan(int index, Staged staged, TransactWriteItem marker) {
        List<TransactWriteItem> items = new ArrayList<>(1 + staged.writes().size());
        items.add(marker);
        items.addAll(staged.writes());
        List<ItemKey> keys = new ArrayList<>(items.size());
        long bytes = 0;
        RuntimeException invalid = null;
        for (int j = 0; j < items.size(); j++) {
            TransactWriteItem item = items.get(j);
            if (table(item) == null) {
                invalid = new NonRetryableException("Staged write " + j + " of dedup record '" + staged.id()
                        + "' has no action: set exactly one of put, update, delete or conditionCheck");
                break;
            }
            keys.add(keyOf.apply(item));
            bytes += estimateBytes(item);
        }
        if (invalid == null && items.size() > MAX_ITEMS) {
            invalid = new NonRetryableException("Dedup record '" + staged.id() + "' stages " + staged.writes().size()
                    + " writes; a DynamoDB transaction holds " + MAX_ITEMS + " actions and one is the record's "
                    + "dedup marker, so at most " + (MAX_ITEMS - 1) + ". Stage fewer writes per record.");
        }
        if (invalid == null) {
            Set<ItemKey> seen = new HashSet<>();
            for (int j = 0; j < keys.size(); j++) {
                ItemKey key = keys.get(j);
                if (key.key() != null && !seen.add(key)) {
                    invalid = new NonRetryableException("Dedup record '" + staged.id() + "' stages two actions on "
                            + "the same item of table '" + key.table() + "' (write " + j + "); DynamoDB allows one "
                            + "action per item in a transaction. Merge them into one update.");
                    break;
                }
            }
        }
        return new Planned(index, staged, List.copyOf(items), List.copyOf(keys), bytes, invalid);
    }

    /** What the transaction being packed already holds. */
    private static final class Packing {
        private final Set<ItemKey> keys = new HashSet<>();
        private final Set<String> tables = new HashSet<>();
        private final Set<String> wholeTables = new HashSet<>();
        private int items;
        private long bytes;

        boolean fits(Planned p) {
            if (items + p.items().size() > MAX_ITEMS || bytes + p.bytes() > MAX_ESTIMATED_BYTES) {
                return false;
            }
            for (ItemKey key : p.keys()) {
                if (key.key() == null ? tables.contains(key.table())
                        : keys.contains(key) || wholeTables.contains(key.table())) {
                    return false;
                }
            }
            return true;
        }

        void add(Planned p) {
            items += p.items().size();
            bytes += p.bytes();
            for (ItemKey key : p.keys()) {
                tables.add(key.table());
                if (key.key() == null) {
                    wholeTables.add(key.table());
                } else {
                    keys.add(key);
                }
            }
        }
    }

    static String action(TransactWriteItem item) {
        if (item.put() != null) {
            return "Put";
        }
        if (item.update() != null) {
            return "Update";
        }
        if (item.delete() != null) {
            return "Delete";
        }
        return item.conditionCheck() != null ? "ConditionCheck" : "none";
    }

    /** The target table of an action, or null if the action is empty. */
    static String table(TransactWriteItem item) {
        if (item.put() != null) {
            return item.put().tableName();
        }
        if (item.update() != null) {
            return item.update().tableName();
        }
        if (item.delete() != null) {
            return item.delete().tableName();
        }
        return item.conditionCheck() != null ? item.conditionCheck().tableName() : null;
    }

    /** The key map of an action that names its key (all but {@code Put}), else null. */
    static Map<String, AttributeValue> explicitKey(TransactWriteItem item) {
        if (item.update() != null) {
            return item.update().key();
        }
        if (item.delete() != null) {
            return item.delete().key();
        }
        return item.conditionCheck() != null ? item.conditionCheck().key() : null;
    }

    /**
     * An over-estimate of what an action adds to a transaction's size: every name, value and expression in it
     * at its UTF-8 length, plus the per-attribute overheads DynamoDB documents for item sizes
     * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html),
     * plus 100 bytes.
     */
    static long estimateBytes(TransactWriteItem item) {
        long bytes = 100;
        if (item.put() != null) {
            bytes += utf8(item.put().tableName()) + attributes(item.put().item())
                    + utf8(item.put().conditionExpression()) + names(item.put().expressionAttributeNames())
                    + attributes(item.put().expressionAttributeValues());
        } else if (item.update() != null) {
            bytes += utf8(item.update().tableName()) + attributes(item.update().key())
                    + utf8(item.update().updateExpression()) + utf8(item.update().conditionExpression())
                    + names(item.update().expressionAttributeNames())
                    + attributes(item.update().expressionAttributeValues());
        } else if (item.delete() != null) {
            bytes += utf8(item.delete().tableName()) + attributes(item.delete().key())
                    + utf8(item.delete().conditionExpression()) + names(item.delete().expressionAttributeNames())
                    + attributes(item.delete().expressionAttributeValues());
        } else if (item.conditionCheck() != null) {
            bytes += utf8(item.conditionCheck().tableName()) + attributes(item.conditionCheck().key())
                    + utf8(item.conditionCheck().conditionExpression())
                    + names(item.conditionCheck().expressionAttributeNames())
                    + attributes(item.conditionCheck().expressionAttributeValues());
        }
        return bytes;
    }

    private static long names(Map<String, String> names) {
        long bytes = 0;
        if (names != null) {
            for (Map.Entry<String, String> e : names.entrySet()) {
                bytes += utf8(e.getKey()) + utf8(e.getValue());
            }
        }
        return bytes;
    }

    private static long attributes(Map<String, AttributeValue> attributes) {
        long bytes = 0;
        if (attributes != null) {
            for (Map.Entry<String, AttributeValue> e : attributes.entrySet()) {
                bytes += utf8(e.getKey()) + value(e.getValue());
            }
        }
        return bytes;
    }

    private static long value(AttributeValue v) {
        if (v == null) {
            return 1;
        }
        long bytes = 3;
        if (v.s() != null) {
            bytes += utf8(v.s());
        } else if (v.n() != null) {
            bytes += v.n().length();
        } else if (v.b() != null) {
            bytes += v.b().asByteArrayUnsafe().length;
        } else if (v.hasSs()) {
            for (String s : v.ss()) {
                bytes += utf8(s) + 1;
            }
        } else if (v.hasNs()) {
            for (String s : v.ns()) {
                bytes += s.length() + 1;
            }
        } else if (v.hasBs()) {
            for (SdkBytes b : v.bs()) {
                bytes += b.asByteArrayUnsafe().length + 1;
            }
        } else if (v.hasL()) {
            for (AttributeValue e : v.l()) {
                bytes += value(e) + 1;
            }
        } else if (v.hasM()) {
            bytes += attributes(v.m()) + v.m().size();
        }
        return bytes;
    }

    private static long utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
