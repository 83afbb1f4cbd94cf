package io.shardwise.testkit.dynamodb.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;

/** The tables and item keys a request touches, for fault rules that filter on them. */
final class Targets {

    private Targets() {}

    static List<FaultDecision.Target> of(Object request, Database db) {
        List<FaultDecision.Target> out = new ArrayList<>();
        if (request instanceof PutItemRequest r) {
            add(out, db, r.tableName(), r.item());
        } else if (request instanceof GetItemRequest r) {
            add(out, db, r.tableName(), r.key());
        } else if (request instanceof UpdateItemRequest r) {
            add(out, db, r.tableName(), r.key());
        } else if (request instanceof DeleteItemRequest r) {
            add(out, db, r.tableName(), r.key());
        } else if (request instanceof BatchWriteItemRequest r) {
            for (Map.Entry<String, List<WriteRequest>> e : r.requestItems().entrySet()) {
                for (WriteRequest w : e.getValue()) {
                    add(out, db, e.getKey(), w.putRequest() != null ? w.putRequest().item()
                            : w.deleteRequest() != null ? w.deleteRequest().key() : null);
                }
            }
        } else if (request instanceof BatchGetItemRequest r) {
            for (Map.Entry<String, KeysAndAttributes> e : r.requestItems().entrySet()) {
                for (Map<String, AttributeValue> key : e.getValue().keys()) {
                    add(out, db, e.getKey(), key);
                }
            }
        } else if (request instanceof TransactWriteItemsRequest r) {
            for (TransactWriteItem w : r.transactItems()) {
                if (w.put() != null) {
                    add(out, db, w.put().tableName(), w.put().item());
                } else if (w.update() != null) {
                    add(out, db, w.update().tableName(), w.update().key());
                } else if (w.delete() != null) {
                    add(out, db, w.delete().tableName(), w.delete().key());
                } else if (w.conditionCheck() != null) {
                    add(out, db, w.conditionCheck().tableName(), w.conditionCheck().key());
                }
            }
        } else if (request instanceof TransactGetItemsRequest r) {
            for (TransactGetItem g : r.transactItems()) {
                if (g.get() != null) {
                    add(out, db, g.get().tableName(), g.get().key());
                }
            }
        } else if (request instanceof SdkPojo pojo) {
            String table = tableName(pojo);
            if (table != null) {
                out.add(new FaultDecision.Target(table, null));
            }
        }
        return out;
    }

    /** The TableName member of any other request (Query, Scan, DescribeTable, ...), or null. */
    private static String tableName(SdkPojo pojo) {
        for (SdkField<?> f : pojo.sdkFields()) {
            if ("TableName".equals(f.locationName()) && f.getValueOrDefault(pojo) instanceof String s) {
                return s;
            }
        }
        return null;
    }

    private static void add(List<FaultDecision.Target> out, Database db, String table, Map<String, AttributeValue> item) {
        Map<String, AttributeValue> key = item;
        if (item != null) {
            try {
                Table t = db.table(table);
                key = t.keySchema().keyAttributes(item);
                key.values().removeIf(v -> v == null);
            } catch (ApiException e) {
                // An unknown table: the rule sees the map as sent; the request fails on its own anyway.
            }
        }
        out.add(new FaultDecision.Target(table, key));
    }
}
