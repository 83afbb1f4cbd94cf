package io.shardwise.kinesis.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What really happened, in one global order: every effect (a processor's successful side effect, or in
 * transactional mode a committed staged write) and every record the failure sink accepted, each tagged with the
 * invocation it happened in. The invariants are checked against it. Thread-safe.
 */
final class Ledger {

    enum Kind { EFFECT, PARKED }

    record Entry(long order, Kind kind, String logicalId, long invocation) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, List<Entry>> byEvent = new HashMap<>();

    synchronized void effect(String logicalId, long invocation) {
        add(Kind.EFFECT, logicalId, invocation);
    }

    synchronized void parked(String logicalId, long invocation) {
        add(Kind.PARKED, logicalId, invocation);
    }

    private void add(Kind kind, String logicalId, long invocation) {
        Entry e = new Entry(entries.size(), kind, logicalId, invocation);
        entries.add(e);
        byEvent.computeIfAbsent(logicalId, k -> new ArrayList<>()).add(e);
    }

    synchronized boolean isDone(String logicalId) {
        return byEvent.containsKey(logicalId);
    }

    synchronized long effects(String logicalId) {
        return count(logicalId, Kind.EFFECT);
    }

    synchronized long parkings(String logicalId) {
        return count(logicalId, Kind.PARKED);
    }

    synchronized boolean hasEntry(String logicalId, Kind kind, long invocation) {
        for (Entry e : byEvent.getOrDefault(logicalId, List.of())) {
            if (e.kind() == kind && e.invocation() == invocation) {
                return true;
            }
        }
        return false;
    }

    private long count(String logicalId, Kind kind) {
        return byEvent.getOrDefault(logicalId, List.of()).stream().filter(e -> e.kind() == kind).count();
    }

    /** The first entry of the given kinds for an event, or null. */
    synchronized Entry first(String logicalId, boolean effectsOnly) {
        for (Entry e : byEvent.getOrDefault(logicalId, List.of())) {
            if (!effectsOnly || e.kind() == Kind.EFFECT) {
                return e;
            }
        }
        return null;
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized Map<String, List<Entry>> byEvent() {
        Map<String, List<Entry>> copy = new LinkedHashMap<>();
        byEvent.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }
}
