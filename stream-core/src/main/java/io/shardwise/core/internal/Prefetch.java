package io.shardwise.core.internal;

import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore.Watermark;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one batched read of what the dedup store already knows, before any record runs: the markers of every record
 * (PER_RECORD, TRANSACTIONAL), or the watermarks plus the few markers that can matter (WATERMARK). What it reads is
 * read-only once the lanes run.
 */
final class Prefetch<R, T> {
    private final BatchRun<R, T> run;

    Prefetch(BatchRun<R, T> run) {
        this.run = run;
    }

    void read() {
        if (run.store == null) {
            return;
        }
        if (run.mode == DedupMode.WATERMARK) {
            List<String> ids = run.slots.stream().map(s -> s.watermarkId).distinct().toList();
            run.watermarks.putAll(run.storeCall(() -> run.store.readWatermarks(ids), "read watermarks"));
            // Attempt counts of the first record past each watermark: the only ones that can be retries.
            Map<String, String> firstPending = new LinkedHashMap<>();
            for (Slot<R, T> s : run.runOrder) {
                Watermark wm = run.watermarks.get(s.watermarkId);
                if (wm == null || s.position().compareTo(wm) > 0) {
                    firstPending.putIfAbsent(s.watermarkId, s.id);
                }
            }
            // Plus the markers of payload-keyed records: producer duplicates carry new positions.
            Set<String> markerIds = new LinkedHashSet<>(firstPending.values());
            for (Slot<R, T> s : run.slots) {
                if (s.payloadKeyed) {
                    markerIds.add(s.id);
                }
            }
            if (!markerIds.isEmpty()) {
                List<String> markers = List.copyOf(markerIds);
                run.failureEntries.putAll(run.storeCall(() -> run.store.read(markers), "read markers"));
            }
        } else {
            List<String> ids = run.slots.stream().map(s -> s.id).distinct().toList();
            run.known.putAll(run.storeCall(() -> run.store.read(ids), "read markers"));
        }
    }
}
