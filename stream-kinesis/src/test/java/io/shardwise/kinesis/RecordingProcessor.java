package io.shardwise.kinesis;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every call, in order, as {@code orderId} (or {@code orderId!} for a call that failed). Fails retryably on
 * {@code "action":"fail"} and on order ids in {@link #failing}; non-retryably on {@code "action":"reject"}.
 */
final class RecordingProcessor extends RecordProcessor<Order> {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Set<String> failing = ConcurrentHashMap.newKeySet();

    @Override
    public void process(StreamRecord<Order> record, RecordContext context) {
        Order o = record.payload();
        if ("reject".equals(o.action())) {
            calls.add(o.orderId() + "!");
            throw new NonRetryableException("order " + o.orderId() + " is invalid");
        }
        if ("fail".equals(o.action()) || failing.contains(o.orderId())) {
            calls.add(o.orderId() + "!");
            throw new IllegalStateException("downstream unavailable for " + o.orderId());
        }
        calls.add(o.orderId());
    }
}
