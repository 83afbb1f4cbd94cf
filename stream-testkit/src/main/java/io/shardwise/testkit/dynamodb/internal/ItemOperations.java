package io.shardwise.testkit.dynamodb.internal;

import io.shardwise.testkit.dynamodb.expression.ConditionExpression;
import io.shardwise.testkit.dynamodb.expression.KeyConditionExpression;
import io.shardwise.testkit.dynamodb.expression.ProjectionExpression;
import io.shardwise.testkit.dynamodb.expression.UpdateExpression;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The item operations: PutItem, GetItem, UpdateItem, DeleteItem, BatchGetItem, BatchWriteItem, Query and Scan.
 * Each validates the whole request before it changes anything, then works under the table's lock.
 */
public final class ItemOperations {

    static final int MAX_BATCH_GET_KEYS = 100;
    static final int MAX_BATCH_WRITE_REQUESTS = 25;
    /** Query and Scan stop after reading 1 MB and return a LastEvaluatedKey. */
    static final long PAGE_BYTES = 1024 * 1024;
    /** BatchGetItem returns at most 16 MB and leaves the other keys in UnprocessedKeys. */
    static final long BATCH_GET_BYTES = 16L * 1024 * 1024;

    private final Database db;

    public ItemOperations(Database db) {
        this.db = db;
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html">PutItem</a> */
    public PutItemResponse putItem(PutItemRequest r) {
        rejectLegacy(r.hasExpected(), "Expected", "ConditionExpression");
        Table t = db.table(r.tableName());
        String returnValues = returnValues(r.returnValuesAsString(), Set.of("NONE", "ALL_OLD"));
        boolean allOldOnFailure = allOldOnFailure(r.returnValuesOnConditionCheckFailureAsString());
        Map<String, AttributeValue> item = Items.normalize(r.item() == null ? Map.of() : r.item());
        ItemKey key = t.keySchema().keyOfItem(item);
        Items.requireWithinSizeLimit(item);
        Expr expr = new Expr(r.expressionAttributeNames(), r.expressionAttributeValues(), true);
        ConditionExpression condition = expr.condition(r.conditionExpression());
        expr.done();
        Map<String, AttributeValue> old;
        t.lock().lock();
        try {
            old = t.get(key);
            check(condition, old, allOldOnFailure);
            t.write(key, item, db.now(), null);
        } finally {
            t.lock().unlock();
        }
        return PutItemResponse.builder()
                .attributes("ALL_OLD".equals(returnValues) ? old : null)
                .consumedCapacity(Capacity.of(
                        r.returnConsumedCapacityAsString(), t.name(), 0,
                        Capacity.writeUnits(Items.size(old), Items.size(item))))
                .build();
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html">GetItem</a> */
    public GetItemResponse getItem(GetItemRequest r) {
        rejectLegacy(r.hasAttributesToGet(), "AttributesToGet", "ProjectionExpression");
        Table t = db.table(r.tableName());
        ItemKey key = t.keySchema().keyOf(r.key());
        Expr expr = new Expr(r.expressionAttributeNames(), null, false);
        ProjectionExpression projection = expr.projection(r.projectionExpression());
        expr.done();
        Map<String, AttributeValue> item;
        t.lock().lock();
        try {
            item = t.get(key);
        } finally {
            t.lock().unlock();
        }
        boolean consistent = Boolean.TRUE.equals(r.consistentRead());
        return GetItemResponse.builder()
                .item(item == null ? null : project(projection, item))
                .consumedCapacity(Capacity.of(
                        r.returnConsumedCapacityAsString(), t.name(),
                        Capacity.readUnits(Items.size(item), consistent), 0))
                .build();
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html">UpdateItem</a> */
    public UpdateItemResponse updateItem(UpdateItemRequest r) {
        rejectLegacy(r.hasExpected(), "Expected", "ConditionExpression");
        rejectLegacy(r.hasAttributeUpdates(), "AttributeUpdates", "UpdateExpression");
        Table t = db.table(r.tableName());
        String returnValues = returnValues(
                r.returnValuesAsString(), Set.of("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"));
        boolean allOldOnFailure = allOldOnFailure(r.returnValuesOnConditionCheckFailureAsString());
        ItemKey key = t.keySchema().keyOf(r.key());
        Expr expr = new Expr(r.expressionAttributeNames(), r.expressionAttributeValues(), true);
        UpdateExpression update = expr.update(r.updateExpression());
        ConditionExpression condition = expr.condition(r.conditionExpression());
        expr.done();
        rejectKeyUpdate(t.keySchema(), update);
        Map<String, AttributeValue> old;
        Updated updated;
        t.lock().lock();
        try {
            old = t.get(key);
            check(condition, old, allOldOnFailure);
            updated = applyUpdate(t.keySchema(), key, old, update);
            t.write(key, updated.item(), db.now(), null);
        } finally {
            t.lock().unlock();
        }
        Map<String, AttributeValue> attributes = switch (returnValues) {
            case "ALL_OLD" -> old;
            case "ALL_NEW" -> updated.item();
            case "UPDATED_OLD" -> nullIfEmpty(updated.updatedOld());
            case "UPDATED_NEW" -> nullIfEmpty(updated.updatedNew());
            default -> null;
        };
        return UpdateItemResponse.builder()
                .attributes(attributes)
                .consumedCapacity(Capacity.of(
                        r.returnConsumedCapacityAsString(), t.name(), 0,
                        Capacity.writeUnits(Items.size(old), Items.size(updated.item()))))
                .build();
    }

    /** An update's outcome: the new item and the attributes it changed, before and after. */
    record Updated(
            Map<String, AttributeValue> item,
            Map<String, AttributeValue> updatedOld,
            Map<String, AttributeValue> updatedNew) {}

    /**
     * Applies {@code update} to the current item (or, when there is none, to an item holding only the key) and
     * checks the result as any stored item is checked.
     */
    static Updated applyUpdate(
            KeySchema schema, ItemKey key, Map<String, AttributeValue> old, UpdateExpression update) {
        Map<String, AttributeValue> base = old != null ? old : keyItem(schema, key);
        if (update == null) {
            return new Updated(new LinkedHashMap<>(base), Map.of(), Map.of());
        }
        var result = Expr.call(() -> update.apply(base));
        Map<String, AttributeValue> item = Items.normalize(result.item());
        Items.requireWithinSizeLimit(item);
        return new Updated(item, result.updatedOld(), result.updatedNew());
    }

    static Map<String, AttributeValue> keyItem(KeySchema schema, ItemKey key) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(schema.hashName(), key.hash());
        if (schema.hasRange()) {
            item.put(schema.rangeName(), key.range());
        }
        return item;
    }

    static void rejectKeyUpdate(KeySchema schema, UpdateExpression update) {
        if (update == null) {
            return;
        }
        for (String attribute : update.topLevelAttributes()) {
            if (schema.isKeyAttribute(attribute)) {
                throw AwsError.VALIDATION.with("One or more parameter values were invalid: Cannot update attribute "
                        + attribute + ". This attribute is part of the key");
            }
        }
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html">DeleteItem</a> */
    public DeleteItemResponse deleteItem(DeleteItemRequest r) {
        rejectLegacy(r.hasExpected(), "Expected", "ConditionExpression");
        Table t = db.table(r.tableName());
        String returnValues = returnValues(r.returnValuesAsString(), Set.of("NONE", "ALL_OLD"));
        boolean allOldOnFailure = allOldOnFailure(r.returnValuesOnConditionCheckFailureAsString());
        ItemKey key = t.keySchema().keyOf(r.key());
        Expr expr = new Expr(r.expressionAttributeNames(), r.expressionAttributeValues(), true);
        ConditionExpression condition = expr.condition(r.conditionExpression());
        expr.done();
        Map<String, AttributeValue> old;
        t.lock().lock();
        try {
            old = t.get(key);
            check(condition, old, allOldOnFailure);
            if (old != null) {
                t.write(key, null, db.now(), null);
            }
        } finally {
            t.lock().unlock();
        }
        return DeleteItemResponse.builder()
                .attributes("ALL_OLD".equals(returnValues) ? old : null)
                .consumedCapacity(Capacity.of(
                        r.returnConsumedCapacityAsString(), t.name(), 0, Capacity.writeUnits(Items.size(old), 0)))
                .build();
    }

    /**
     * BatchGetItem: up to 100 keys over any tables; no key twice. Answers at most 16 MB; the keys not read are
     * returned in UnprocessedKeys.
     *
     * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html">BatchGetItem</a>
     */
    public BatchGetItemResponse batchGetItem(BatchGetItemRequest r) {
        if (!r.hasRequestItems() || r.requestItems().isEmpty()) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value null at 'requestItems' failed to "
                    + "satisfy constraint: Member must have length greater than or equal to 1");
        }
        int total = 0;
        for (KeysAndAttributes k : r.requestItems().values()) {
            total += k.hasKeys() ? k.keys().size() : 0;
        }
        if (total > MAX_BATCH_GET_KEYS) {
            throw AwsError.VALIDATION.with("Too many items requested for the BatchGetItem call");
        }
        record Read(Table table, List<ItemKey> keys, List<Map<String, AttributeValue>> rawKeys,
                KeysAndAttributes request, ProjectionExpression projection) {}
        List<Read> reads = new ArrayList<>();
        for (Map.Entry<String, KeysAndAttributes> e : r.requestItems().entrySet()) {
            KeysAndAttributes k = e.getValue();
            rejectLegacy(k.hasAttributesToGet(), "AttributesToGet", "ProjectionExpression");
            Table t = db.table(e.getKey());
            if (!k.hasKeys() || k.keys().isEmpty()) {
                throw AwsError.VALIDATION.with("1 validation error detected: Value null at 'requestItems."
                        + e.getKey() + ".member.keys' failed to satisfy constraint: Member must have length greater "
                        + "than or equal to 1");
            }
            List<ItemKey> keys = new ArrayList<>();
            Set<ItemKey> seen = new HashSet<>();
            for (Map<String, AttributeValue> raw : k.keys()) {
                ItemKey key = t.keySchema().keyOf(raw);
                if (!seen.add(key)) {
                    throw AwsError.VALIDATION.with("Provided list of item keys contains duplicates");
                }
                keys.add(key);
            }
            Expr expr = new Expr(k.expressionAttributeNames(), null, false);
            ProjectionExpression projection = expr.projection(k.projectionExpression());
            expr.done();
            reads.add(new Read(t, keys, k.keys(), k, projection));
        }
        Map<String, List<Map<String, AttributeValue>>> responses = new LinkedHashMap<>();
        Map<String, KeysAndAttributes> unprocessed = new LinkedHashMap<>();
        Capacity.PerTable capacity = new Capacity.PerTable();
        long bytes = 0;
        for (Read read : reads) {
            List<Map<String, AttributeValue>> found = new ArrayList<>();
            List<Map<String, AttributeValue>> left = new ArrayList<>();
            boolean consistent = Boolean.TRUE.equals(read.request().consistentRead());
            read.table().lock().lock();
            try {
                for (int i = 0; i < read.keys().size(); i++) {
                    if (bytes >= BATCH_GET_BYTES) {
                        left.add(read.rawKeys().get(i));
                        continue;
                    }
                    Map<String, AttributeValue> item = read.table().get(read.keys().get(i));
                    capacity.read(read.table().name(), Capacity.readUnits(Items.size(item), consistent));
                    if (item != null) {
                        bytes += Items.size(item);
                        found.add(project(read.projection(), item));
                    }
                }
            } finally {
                read.table().lock().unlock();
            }
            responses.put(read.table().name(), found);
            if (!left.isEmpty()) {
                unprocessed.put(read.table().name(), read.request().toBuilder().keys(left).build());
            }
        }
        return BatchGetItemResponse.builder()
                .responses(responses)
                .unprocessedKeys(unprocessed)
                .consumedCapacity(capacity.render(r.returnConsumedCapacityAsString()))
                .build();
    }

    /**
     * BatchWriteItem: up to 25 puts and deletes over any tables, no key twice; the whole request is validated
     * before anything is written, then each write is applied on its own (no condition, no atomicity).
     *
     * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html">
     *     BatchWriteItem</a>
     */
    public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest r) {
        if (!r.hasRequestItems() || r.requestItems().isEmpty()) {
            throw AwsError.VALIDATION.with("1 validation error detected: Value null at 'requestItems' failed to "
                    + "satisfy constraint: Member must have length greater than or equal to 1");
        }
        int total = 0;
        for (List<WriteRequest> writes : r.requestItems().values()) {
            total += writes.size();
        }
        if (total > MAX_BATCH_WRITE_REQUESTS) {
            throw AwsError.VALIDATION.with("Too many items requested for the BatchWriteItem call");
        }
        record Write(Table table, ItemKey key, Map<String, AttributeValue> item) {}
        List<Write> writes = new ArrayList<>();
        for (Map.Entry<String, List<WriteRequest>> e : r.requestItems().entrySet()) {
            Table t = db.table(e.getKey());
            Set<ItemKey> seen = new HashSet<>();
            for (WriteRequest w : e.getValue()) {
                Write write;
                if (w.putRequest() != null && w.deleteRequest() == null) {
                    Map<String, AttributeValue> item =
                            Items.normalize(w.putRequest().item() == null ? Map.of() : w.putRequest().item());
                    ItemKey key = t.keySchema().keyOfItem(item);
                    Items.requireWithinSizeLimit(item);
                    write = new Write(t, key, item);
                } else if (w.deleteRequest() != null && w.putRequest() == null) {
                    write = new Write(t, t.keySchema().keyOf(w.deleteRequest().key()), null);
                } else {
                    throw AwsError.VALIDATION.with("Supplied AttributeValue has more than one datatypes set, must "
                            + "contain exactly one of the supported datatypes");
                }
                if (!seen.add(write.key())) {
                    throw AwsError.VALIDATION.with("Provided list of item keys contains duplicates");
                }
                writes.add(write);
            }
        }
        Capacity.PerTable capacity = new Capacity.PerTable();
        for (Write w : writes) {
            w.table().lock().lock();
            try {
                Map<String, AttributeValue> old = w.table().get(w.key());
                if (w.item() != null || old != null) {
                    w.table().write(w.key(), w.item(), db.now(), null);
                }
                capacity.write(w.table().name(), Capacity.writeUnits(Items.size(old), Items.size(w.item())));
            } finally {
                w.table().lock().unlock();
            }
        }
        return BatchWriteItemResponse.builder()
                .unprocessedItems(Map.of())
                .consumedCapacity(capacity.render(r.returnConsumedCapacityAsString()))
                .build();
    }

    /** @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html">Query</a> */
    public QueryResponse query(QueryRequest r) {
        rejectLegacy(r.hasKeyConditions(), "KeyConditions", "KeyConditionExpression");
        rejectLegacy(r.hasQueryFilter(), "QueryFilter", "FilterExpression");
        rejectLegacy(r.hasAttributesToGet(), "AttributesToGet", "ProjectionExpression");
        rejectIndex(r.indexName());
        Table t = db.table(r.tableName());
        KeySchema schema = t.keySchema();
        if (r.keyConditionExpression() == null) {
            throw AwsError.VALIDATION.with("Either the KeyConditions or KeyConditionExpression parameter must be "
                    + "specified in the request.");
        }
        Expr expr = new Expr(r.expressionAttributeNames(), r.expressionAttributeValues(), false);
        KeyConditionExpression keyCondition = expr.keyCondition(r.keyConditionExpression());
        ConditionExpression filter = expr.filter(r.filterExpression());
        ProjectionExpression projection = expr.projection(r.projectionExpression());
        expr.done();
        Expr.call(() -> {
            keyCondition.validate(schema.hashName(), schema.rangeName());
            return null;
        });
        AttributeValue hash = Items.normalize(keyCondition.hashValue());
        if (!schema.hashType().equals(KeySchema.typeOf(hash))) {
            throw AwsError.VALIDATION.with(
                    "One or more parameter values were invalid: Condition parameter type does not match schema type");
        }
        Page page = new Page(r.selectAsString(), projection, r.limit());
        ItemKey start = r.hasExclusiveStartKey() ? startKey(schema, r.exclusiveStartKey()) : null;
        boolean forward = !Boolean.FALSE.equals(r.scanIndexForward());
        t.lock().lock();
        try {
            List<Map.Entry<ItemKey, Map<String, AttributeValue>>> partition = t.partition(hash);
            if (!forward) {
                Collections.reverse(partition);
            }
            for (Map.Entry<ItemKey, Map<String, AttributeValue>> e : partition) {
                if (start != null) {
                    int c = e.getKey().compareTo(start);
                    if (forward ? c <= 0 : c >= 0) {
                        continue;
                    }
                }
                if (!keyCondition.matchesRange(e.getValue())) {
                    continue;
                }
                if (!page.offer(schema, e.getValue(), filter)) {
                    break;
                }
            }
        } finally {
            t.lock().unlock();
        }
        return QueryResponse.builder()
                .items(page.items())
                .count(page.count())
                .scannedCount(page.scanned())
                .lastEvaluatedKey(page.lastEvaluatedKey())
                .consumedCapacity(page.capacity(r.returnConsumedCapacityAsString(), t.name(), r.consistentRead()))
                .build();
    }

    /**
     * Scan in key order (partition key, then sort key). A parallel scan's segment holds the partitions whose key
     * hashes to it.
     *
     * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html">Scan</a>
     */
    public ScanResponse scan(ScanRequest r) {
        rejectLegacy(r.hasScanFilter(), "ScanFilter", "FilterExpression");
        rejectLegacy(r.hasAttributesToGet(), "AttributesToGet", "ProjectionExpression");
        rejectIndex(r.indexName());
        Table t = db.table(r.tableName());
        KeySchema schema = t.keySchema();
        Integer segment = r.segment();
        Integer segments = r.totalSegments();
        if ((segment == null) != (segments == null)) {
            throw AwsError.VALIDATION.with("The TotalSegments parameter is required but was not present in the "
                    + "request when Segment parameter is present");
        }
        if (segments != null && (segments < 1 || segments > 1_000_000 || segment < 0 || segment >= segments)) {
            throw AwsError.VALIDATION.with("The Segment parameter is zero-based and must be less than parameter "
                    + "TotalSegments: Segment: " + segment + " is out of bounds for TotalSegments: " + segments);
        }
        Expr expr = new Expr(r.expressionAttributeNames(), r.expressionAttributeValues(), false);
        ConditionExpression filter = expr.filter(r.filterExpression());
        ProjectionExpression projection = expr.projection(r.projectionExpression());
        expr.done();
        Page page = new Page(r.selectAsString(), projection, r.limit());
        ItemKey start = r.hasExclusiveStartKey() ? startKey(schema, r.exclusiveStartKey()) : null;
        t.lock().lock();
        try {
            for (Map.Entry<ItemKey, Map<String, AttributeValue>> e :
                    (start == null ? t.items() : t.items().tailMap(start, false)).entrySet()) {
                if (segments != null && Math.floorMod(e.getKey().hash().hashCode(), segments) != segment) {
                    continue;
                }
                if (!page.offer(schema, e.getValue(), filter)) {
                    break;
                }
            }
        } finally {
            t.lock().unlock();
        }
        return ScanResponse.builder()
                .items(page.items())
                .count(page.count())
                .scannedCount(page.scanned())
                .lastEvaluatedKey(page.lastEvaluatedKey())
                .consumedCapacity(page.capacity(r.returnConsumedCapacityAsString(), t.name(), r.consistentRead()))
                .build();
    }

    private static ItemKey startKey(KeySchema schema, Map<String, AttributeValue> key) {
        try {
            return schema.keyOf(key);
        } catch (ApiException e) {
            throw AwsError.VALIDATION.with("The provided starting key is invalid: " + e.getMessage());
        }
    }

    /**
     * One Query or Scan page: evaluates items in order until Limit items were evaluated or 1 MB was read, counts
     * them (ScannedCount) and keeps those that pass the filter (Count), projected unless Select is COUNT.
     */
    private static final class Page {
        private final boolean countOnly;
        private final ProjectionExpression projection;
        private final Integer limit;
        private final List<Map<String, AttributeValue>> items = new ArrayList<>();
        private int count;
        private int scanned;
        private long bytes;
        private Map<String, AttributeValue> lastEvaluated;
        private boolean stopped;

        Page(String select, ProjectionExpression projection, Integer limit) {
            if (limit != null && limit < 1) {
                throw AwsError.VALIDATION.with("1 validation error detected: Value '" + limit + "' at 'limit' "
                        + "failed to satisfy constraint: Member must have value greater than or equal to 1");
            }
            if (select != null) {
                switch (select) {
                    case "ALL_ATTRIBUTES" -> {
                        if (projection != null) {
                            throw AwsError.VALIDATION.with("One or more parameter values were invalid: Select type "
                                    + "ALL_ATTRIBUTES is not compatible with ProjectionExpression");
                        }
                    }
                    case "COUNT" -> {
                        if (projection != null) {
                            throw AwsError.VALIDATION.with("One or more parameter values were invalid: Select type "
                                    + "COUNT is not compatible with ProjectionExpression");
                        }
                    }
                    case "SPECIFIC_ATTRIBUTES" -> {
                        if (projection == null) {
                            throw AwsError.VALIDATION.with("One or more parameter values were invalid: Select type "
                                    + "SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet");
                        }
                    }
                    case "ALL_PROJECTED_ATTRIBUTES" -> throw AwsError.VALIDATION.with(
                            "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is "
                                    + "only valid when querying or scanning an index");
                    default -> throw AwsError.VALIDATION.with("1 validation error detected: Value '" + select
                            + "' at 'select' failed to satisfy constraint: Member must satisfy enum value set: "
                            + "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
                }
            }
            this.countOnly = Select.COUNT.toString().equals(select);
            this.projection = projection;
            this.limit = limit;
        }

        /** Evaluates one item; false when the page is full and the caller should stop. */
        boolean offer(KeySchema schema, Map<String, AttributeValue> item, ConditionExpression filter) {
            if (stopped) {
                return false;
            }
            scanned++;
            bytes += Items.size(item);
            if (filter == null || filter.evaluate(item)) {
                count++;
                if (!countOnly) {
                    items.add(project(projection, item));
                }
            }
            if ((limit != null && scanned >= limit) || bytes >= PAGE_BYTES) {
                lastEvaluated = schema.keyAttributes(item);
                stopped = true;
                return false;
            }
            return true;
        }

        List<Map<String, AttributeValue>> items() {
            return countOnly ? null : items;
        }

        int count() {
            return count;
        }

        int scanned() {
            return scanned;
        }

        Map<String, AttributeValue> lastEvaluatedKey() {
            return lastEvaluated;
        }

        /** One read per started 4 KB of all the items evaluated, as Query and Scan count it. */
        ConsumedCapacity capacity(String returnConsumedCapacity, String table, Boolean consistentRead) {
            return Capacity.of(returnConsumedCapacity, table,
                    Capacity.readUnits(bytes, Boolean.TRUE.equals(consistentRead)), 0);
        }
    }

    static Map<String, AttributeValue> project(ProjectionExpression projection, Map<String, AttributeValue> item) {
        return projection == null ? item : projection.project(item);
    }

    /** Throws ConditionalCheckFailedException when the condition does not hold for the current item. */
    static void check(ConditionExpression condition, Map<String, AttributeValue> current, boolean allOldOnFailure) {
        if (condition != null && !condition.evaluate(current == null ? Map.of() : current)) {
            throw ApiException.conditionalCheckFailed(allOldOnFailure ? current : null);
        }
    }

    static String returnValues(String value, Set<String> allowed) {
        String v = value == null ? ReturnValue.NONE.toString() : value;
        if (!allowed.contains(v)) {
            throw AwsError.VALIDATION.with("Return values set to invalid value");
        }
        return v;
    }

    static boolean allOldOnFailure(String value) {
        if (value == null || ReturnValuesOnConditionCheckFailure.NONE.toString().equals(value)) {
            return false;
        }
        if (ReturnValuesOnConditionCheckFailure.ALL_OLD.toString().equals(value)) {
            return true;
        }
        throw AwsError.VALIDATION.with("1 validation error detected: Value '" + value + "' at "
                + "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value "
                + "set: [ALL_OLD, NONE]");
    }

    private static Map<String, AttributeValue> nullIfEmpty(Map<String, AttributeValue> m) {
        return m == null || m.isEmpty() ? null : m;
    }

    /**
     * The legacy conditional parameters (Expected, AttributeUpdates, KeyConditions, ...) are not implemented: a
     * request that uses one is answered with a ValidationException that names the expression to use instead,
     * rather than being half-understood.
     */
    static void rejectLegacy(boolean present, String parameter, String instead) {
        if (present) {
            throw AwsError.VALIDATION.with("The legacy parameter " + parameter + " is not supported by the shardwise "
                    + "DynamoDB engine; use " + instead + " instead");
        }
    }

    private static void rejectIndex(String indexName) {
        if (indexName != null) {
            throw AwsError.VALIDATION.with("The table does not have the specified index: " + indexName);
        }
    }
}
