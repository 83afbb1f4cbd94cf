package io.shardwise.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A processor whose behaviour per payload is scripted: fail the first N calls (retryable or not), or always.
 * Records every call (delivered) and every success (effects), and feeds an optional order validator.
 */
class ScriptedProcessor extends RecordProcessor<String> {
    final List<String> delivered = new CopyOnWriteArrayList<>();
    final List<String> effects = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Integer> failTimes = new ConcurrentHashMap<>();
    private final Map<String, Boolean> nonRetryable = new ConcurrentHashMap<>();
    volatile OrderValidator validator;

    /** Fail {@code payload} on its first {@code times} calls (Integer.MAX_VALUE: always). */
    ScriptedProcessor failing(String payload, int times) {
        failTimes.put(payload, times);
        return this;
    }

    ScriptedProcessor badData(String payload) {
        failTimes.put(payload, Integer.MAX_VALUE);
        nonRetryable.put(payload, true);
        return this;
    }

    @Override
    public void process(StreamRecord<String> record, RecordContext context) throws Exception {
        String p = record.payload();
        delivered.add(p);
        int n = calls.computeIfAbsent(p, k -> new AtomicInteger()).incrementAndGet();
        if (n <= failTimes.getOrDefault(p, 0)) {
            if (nonRetryable.getOrDefault(p, false)) {
                throw new NonRetryableException("bad data in " + p);
            }
            throw new IllegalStateException("transient failure of " + p + " (call " + n + ")");
        }
        effects.add(p);
        if (validator != null) {
            validator.done(record);
        }
    }
}
