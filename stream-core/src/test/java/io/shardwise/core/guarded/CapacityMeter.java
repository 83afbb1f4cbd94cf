package io.shardwise.core.guarded;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Asks every item request for {@code ReturnConsumedCapacity=TOTAL} and sums the units DynamoDB reports, per
 * operation and table. The embedded engine computes them by AWS's rules, so the sums are deterministic.
 * Thread-safe.
 */
final class CapacityMeter implements ExecutionInterceptor {
    private final Map<String, double[]> units = new TreeMap<>();

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest r = context.request();
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        if (r instanceof PutItemRequest p) {
            return p.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof UpdateItemRequest u) {
            return u.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof DeleteItemRequest d) {
            return d.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof GetItemRequest g) {
            return g.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof BatchGetItemRequest b) {
            return b.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof TransactWriteItemsRequest t) {
            return t.toBuilder().returnConsumedCapacity(total).build();
        }
        return r;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        SdkResponse r = context.response();
        String op = r.getClass().getSimpleName().replace("Response", "");
        if (r instanceof PutItemResponse p) {
            add(op, p.consumedCapacity());
        } else if (r instanceof UpdateItemResponse u) {
            add(op, u.consumedCapacity());
        } else if (r instanceof DeleteItemResponse d) {
            add(op, d.consumedCapacity());
        } else if (r instanceof GetItemResponse g) {
            add(op, g.consumedCapacity());
        } else if (r instanceof BatchGetItemResponse b && b.hasConsumedCapacity()) {
            b.consumedCapacity().forEach(c -> add(op, c));
        } else if (r instanceof TransactWriteItemsResponse t && t.hasConsumedCapacity()) {
            t.consumedCapacity().forEach(c -> add(op, c));
        }
    }

    private synchronized void add(String operation, ConsumedCapacity c) {
        if (c == null) {
            return;
        }
        double[] u = units.computeIfAbsent(operation + " " + c.tableName(), k -> new double[2]);
        u[0] += c.readCapacityUnits() == null ? 0 : c.readCapacityUnits();
        u[1] += c.writeCapacityUnits() == null ? 0 : c.writeCapacityUnits();
    }

    synchronized double writeUnits() {
        return units.values().stream().mapToDouble(u -> u[1]).sum();
    }

    synchronized double readUnits() {
        return units.values().stream().mapToDouble(u -> u[0]).sum();
    }

    /** "operation table" to {read, write} units. */
    synchronized Map<String, List<Double>> byOperation() {
        Map<String, List<Double>> copy = new TreeMap<>();
        units.forEach((k, u) -> copy.put(k, List.of(u[0], u[1])));
        return copy;
    }

    synchronized void reset() {
        units.clear();
    }
}
