package io.shardwise.simulation;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened in one schedule, in order, with the virtual time: printed with a violation so the run can be read
 * without re-running it. Also counts the faults injected, by kind.
 */
final class Trace {
    private static final int MAX_LINES = 4_000;

    private final VirtualClock clock;
    private final List<String> lines = new ArrayList<>();
    private final Map<String, Integer> faults = new TreeMap<>();
    private int dropped;

    Trace(VirtualClock clock) {
        this.clock = clock;
    }

    /** Random ids (SDK request ids, lease tokens) are not the schedule's: masked, so one seed gives one trace. */
    private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    void add(String line) {
        line = UUID.matcher(line).replaceAll("<uuid>");
        if (lines.size() < MAX_LINES) {
            lines.add(String.format("%8d %s", clock.now() - VirtualClock.START, line));
        } else {
            dropped++;
        }
    }

    void fault(String where, String kind) {
        faults.merge(kind, 1, Integer::sum);
        add(where + "  << FAULT " + kind);
    }

    Map<String, Integer> faults() {
        return faults;
    }

    String text() {
        StringBuilder b = new StringBuilder("   t(ms) event\n");
        for (String l : lines) {
            b.append(l).append('\n');
        }
        if (dropped > 0) {
            b.append("... ").append(dropped).append(" more lines\n");
        }
        return b.toString();
    }

    static <K extends Enum<K>> EnumMap<K, Integer> counter(Class<K> type) {
        return new EnumMap<>(type);
    }
}
