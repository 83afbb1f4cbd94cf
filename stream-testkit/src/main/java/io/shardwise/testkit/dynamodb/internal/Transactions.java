package io.shardwise.testkit.dynamodb.internal;

import io.shardwise.testkit.dynamodb.expression.ConditionExpression;
import io.shardwise.testkit.dynamodb.expression.ProjectionExpression;
import io.shardwise.testkit.dynamodb.expression.UpdateExpression;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.ItemResponse;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * TransactWriteItems and TransactGetItems: all-or-nothing over up to 100 items in any tables, holding every
 * involved table's lock (taken in name order, so two transactions never deadlock). A write transaction with a
 * ClientRequestToken is remembered for 10 minutes of the engine clock: the same token with the same request is
 * answered again without being applied twice; with another request it is an IdempotentParameterMismatchException.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html">
 *     TransactWriteItems</a>
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html">
 *     TransactGetItems</a>
 */
public final class Transactions {

    static final int MAX_ACTIONS = 100;
    static final long MAX_REQUEST_BYTES = 4L * 1024 * 1024;
    static final Duration TOKEN_WINDOW = Duration.ofMinutes(10);

    private final Database db;
    /** Tokens in the order they were first used, which is also their expiry order. */
    private final LinkedHashMap<String, Remembered> tokens = new LinkedHashMap<>();

    /**
     * A token's request, kept as a digest of its JSON form (the SDK fills a token into every TransactWriteItems, so
     * keeping whole requests for 10 minutes would hold every transaction's items), and the response it got.
     */
    private record Remembered(byte[] digest, TransactWriteItemsResponse response, Instant at) {}

    /** One validated write action. {@code item} is the Put's item; {@code update} the Update's expression. */
    private record Action(
            Table table,
            ItemKey key,
            ConditionExpression condition,
            boolean allOldOnFailure,
            Map<String, AttributeValue> item,
            UpdateExpression update,
            boolean delete,
            boolean check) {}

    private record Target(String table, ItemKey key) {}

    public Transactions(Database db) {
        this.db = db;
    }

    public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest r) {
        if (r.clientRequestToken() == null) {
            return write(r);
        }
        // One token-bearing transaction at a time, so that a retry racing its original is still applied once.
        synchronized (tokens) {
            return write(r);
        }
    }

    private TransactWriteItemsResponse write(TransactWriteItemsRequest r) {
        List<TransactWriteItem> items = r.hasTransactItems() ? r.transactItems() : List.of();
        checkCount(items.size());
        String token = r.clientRequestToken();
        if (token != null) {
            TransactWriteItemsResponse earlier = remembered(token, r);
            if (earlier != null) {
                return earlier;
            }
        }
        List<Action> actions = new ArrayList<>();
        Set<Target> targets = new HashSet<>();
        long bytes = 0;
        for (TransactWriteItem w : items) {
            Action a = action(w);
            bytes += Items.size(a.item()) + Items.size(ItemOperations.keyItem(a.table().keySchema(), a.key()));
            if (!targets.add(new Target(a.table().name(), a.key()))) {
                throw AwsError.VALIDATION.with("Transaction request cannot include multiple operations on one item");
            }
            actions.add(a);
        }
        if (bytes > MAX_REQUEST_BYTES) {
            throw AwsError.VALIDATION.with("Transaction request cannot be larger than 4 MB");
        }
        Capacity.PerTable capacity = new Capacity.PerTable();
        List<Table> locked = lockAll(actions.stream().map(Action::table).toList());
        try {
            List<CancellationReason> reasons = new ArrayList<>();
            List<Map<String, AttributeValue>> results = new ArrayList<>();
            boolean failed = false;
            for (Action a : actions) {
                Map<String, AttributeValue> current = a.table().get(a.key());
                CancellationReason reason = CancellationReason.builder().code("None").build();
                Map<String, AttributeValue> result = current;
                if (a.condition() != null && !a.condition().evaluate(current == null ? Map.of() : current)) {
                    CancellationReason.Builder b = CancellationReason.builder()
                            .code("ConditionalCheckFailed")
                            .message("The conditional request failed");
                    if (a.allOldOnFailure() && current != null) {
                        b.item(current);
                    }
                    reason = b.build();
                    failed = true;
                } else if (a.item() != null) {
                    result = a.item();
                } else if (a.delete()) {
                    result = null;
                } else if (!a.check()) {
                    try {
                        result = ItemOperations.applyUpdate(a.table().keySchema(), a.key(), current, a.update()).item();
                    } catch (ApiException e) {
                        reason = CancellationReason.builder().code("ValidationError").message(e.getMessage()).build();
                        failed = true;
                    }
                }
                reasons.add(reason);
                results.add(result);
                capacity.write(a.table().name(), 2 * Capacity.writeUnits(Items.size(current), Items.size(result)));
            }
            if (failed) {
                throw ApiException.transactionCanceled(reasons);
            }
            Instant now = db.now();
            for (int i = 0; i < actions.size(); i++) {
                Action a = actions.get(i);
                if (a.check()) {
                    continue;
                }
                Map<String, AttributeValue> current = a.table().get(a.key());
                if (results.get(i) != null || current != null) {
                    a.table().write(a.key(), results.get(i), now, null);
                }
            }
        } finally {
            for (Table t : locked) {
                t.lock().unlock();
            }
        }
        TransactWriteItemsResponse response = TransactWriteItemsResponse.builder()
                .consumedCapacity(capacity.render(r.returnConsumedCapacityAsString()))
                .build();
        if (token != null) {
            remember(token, r, response);
        }
        return response;
    }


    private Action action(TransactWriteItem w) {
        int kinds = (w.put() != null ? 1 : 0) + (w.update() != null ? 1 : 0) + (w.delete() != null ? 1 : 0)
                + (w.conditionCheck() != null ? 1 : 0);
        if (kinds != 1) {
            throw AwsError.VALIDATION.with("TransactItems can only contain one of Check, Put, Update or Delete");
        }
        if (w.put() != null) {
            Put p = w.put();
            Table t = db.table(p.tableName());
            Map<String, AttributeValue> item = Items.normalize(p.item() == null ? Map.of() : p.item());
            ItemKey key = t.keySchema().keyOfItem(item);
            Items.requireWithinSizeLimit(item);
            Expr expr = new Expr(p.expressionAttributeNames(), p.expressionAttributeValues(), true);
            ConditionExpression c = expr.condition(p.conditionExpression());
            expr.done();
            return new Action(t, key, c, allOld(p.returnValuesOnConditionCheckFailureAsString()), item, null, false, false);
        }
        if (w.update() != null) {
            Update u = w.update();
            Table t = db.table(u.tableName());
            ItemKey key = t.keySchema().keyOf(u.key());
            if (u.updateExpression() == null) {
                throw AwsError.VALIDATION.with("1 validation error detected: Value null at "
                        + "'transactItems.1.member.update.updateExpression' failed to satisfy constraint: Member must "
                        + "not be null");
            }
            Expr expr = new Expr(u.expressionAttributeNames(), u.expressionAttributeValues(), true);
            UpdateExpression update = expr.update(u.updateExpression());
            ConditionExpression c = expr.condition(u.conditionExpression());
            expr.done();
            ItemOperations.rejectKeyUpdate(t.keySchema(), update);
            return new Action(t, key, c, allOld(u.returnValuesOnConditionCheckFailureAsString()), null, update, false, false);
        }
        if (w.delete() != null) {
            Delete d = w.delete();
            Table t = db.table(d.tableName());
            ItemKey key = t.keySchema().keyOf(d.key());
            Expr expr = new Expr(d.expressionAttributeNames(), d.expressionAttributeValues(), true);
            ConditionExpression c = expr.condition(d.conditionExpression());
            expr.done();
            return new Action(t, key, c, allOld(d.returnValuesOnConditionCheckFailureAsString()), null, null, true, false);
        }
        ConditionCheck cc = w.conditionCheck();
        Table t = db.table(cc.tableName());
        ItemKey key = t.keySchema().keyOf(cc.key());
        if (cc.conditionExpression() == null) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value null at "
                    + "'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: "
                    + "Member must not be null");
        }
        Expr expr = new Expr(cc.expressionAttributeNames(), cc.expressionAttributeValues(), true);
        ConditionExpression c = expr.condition(cc.conditionExpression());
        expr.done();
        return new Action(t, key, c, allOld(cc.returnValuesOnConditionCheckFailureAsString()), null, null, false, true);
    }

    private static boolean allOld(String value) {
        return ItemOperations.allOldOnFailure(value);
    }

    public TransactGetItemsResponse transactGetItems(TransactGetItemsRequest r) {
        List<TransactGetItem> items = r.hasTransactItems() ? r.transactItems() : List.of();
        checkCount(items.size());
        record Read(Table table, ItemKey key, ProjectionExpression projection) {}
        List<Read> reads = new ArrayList<>();
        Set<Target> targets = new HashSet<>();
        for (TransactGetItem g : items) {
            Get get = g.get();
            if (get == null) {
                throw AwsError.VALIDATION.with("1 validation error detected: Value null at 'transactItems.1.member.get'"
                        + " failed to satisfy constraint: Member must not be null");
            }
            Table t = db.table(get.tableName());
            ItemKey key = t.keySchema().keyOf(get.key());
            if (!targets.add(new Target(t.name(), key))) {
                throw AwsError.VALIDATION.with("Transaction request cannot include multiple operations on one item");
            }
            Expr expr = new Expr(get.expressionAttributeNames(), null, false);
            ProjectionExpression projection = expr.projection(get.projectionExpression());
            expr.done();
            reads.add(new Read(t, key, projection));
        }
        Capacity.PerTable capacity = new Capacity.PerTable();
        List<ItemResponse> responses = new ArrayList<>();
        List<Table> locked = lockAll(reads.stream().map(Read::table).toList());
        try {
            for (Read read : reads) {
                Map<String, AttributeValue> item = read.table().get(read.key());
                capacity.read(read.table().name(), 2 * Capacity.readUnits(Items.size(item), true));
                responses.add(item == null
                        ? ItemResponse.builder().build()
                        : ItemResponse.builder().item(ItemOperations.project(read.projection(), item)).build());
            }
        } finally {
            for (Table t : locked) {
                t.lock().unlock();
            }
        }
        return TransactGetItemsResponse.builder()
                .responses(responses)
                .consumedCapacity(capacity.render(r.returnConsumedCapacityAsString()))
                .build();
    }

    private static void checkCount(int n) {
        if (n < 1 || n > MAX_ACTIONS) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value at 'transactItems' failed to satisfy "
                    + "constraint: Member must have length less than or equal to 100 and greater than or equal to 1");
        }
    }

    /** Locks the distinct tables in name order and returns them (the caller unlocks them). */
    private static List<Table> lockAll(List<Table> tables) {
        Map<String, Table> byName = new TreeMap<>();
        for (Table t : tables) {
            byName.put(t.name(), t);
        }
        List<Table> locked = new ArrayList<>();
        for (Table t : byName.values()) {
            t.lock().lock();
            locked.add(t);
        }
        return locked;
    }

    private synchronized TransactWriteItemsResponse remembered(String token, TransactWriteItemsRequest r) {
        Instant now = db.now();
        for (Iterator<Remembered> it = tokens.values().iterator(); it.hasNext(); ) {
            if (it.next().at().plus(TOKEN_WINDOW).isAfter(now)) {
                break; // the rest are younger
            }
            it.remove();
        }
        Remembered earlier = tokens.get(token);
        if (earlier == null) {
            return null;
        }
        if (!MessageDigest.isEqual(earlier.digest(), digest(r))) {
            throw AwsError.IDEMPOTENT_PARAMETER_MISMATCH.with("Request parameters do not match the parameters of "
                    + "the earlier request with the same ClientRequestToken " + token);
        }
        return earlier.response();
    }

    /** SHA-256 of the request's JSON form (member order is the model's, map order the request's). */
    private static byte[] digest(TransactWriteItemsRequest r) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(PojoJson.write(r).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private synchronized void remember(String token, TransactWriteItemsRequest r, TransactWriteItemsResponse response) {
        tokens.put(token, new Remembered(digest(r), response, db.now()));
    }
}
