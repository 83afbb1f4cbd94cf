package io.shardwise.core.internal;

import io.shardwise.core.dedup.DedupStore.Watermark;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Per-lane mutable state; confined to the lane's thread. */
final class LaneState<R, T> {
    final Set<String> failedKeys = new HashSet<>();
    /** The lane's thread was interrupted while a record ran; the flag is set again when the lane ends. */
    boolean interrupted;
    final Map<String, Watermark> watermarks = new HashMap<>();
    final Map<String, Watermark> pending = new LinkedHashMap<>();
    int sinceAdvance;
    final List<StagedSlot<R, T>> staged = new ArrayList<>();
    final Map<String, Slot<R, T>> stagedIds = new HashMap<>();
    final List<DupPair<R, T>> duplicatesOfStaged = new ArrayList<>();
    int stagedItems;
    /** First done record per dedup id in this lane, for producer duplicates within a batch. */
    final Map<String, Slot<R, T>> firstById = new HashMap<>();
    /** The batch-level watermarks read at prefetch; read-only once lanes run. */
    final Map<String, Watermark> initial;

    LaneState(Map<String, Watermark> initial) {
        this.initial = initial;
    }

    Watermark watermark(String wmId) {
        Watermark w = watermarks.get(wmId);
        return w != null ? w : initial.get(wmId);
    }

    void pendingAdvance(Slot<R, T> s) {
        pending.put(s.watermarkId, s.position());
        sinceAdvance++;
    }

    /** A producer duplicate staged behind the record it duplicates. */
    record DupPair<R, T>(Slot<R, T> duplicate, Slot<R, T> original) {
    }

    /** A record run in transactional mode whose writes wait for the lane's next commit. */
    record StagedSlot<R, T>(Slot<R, T> slot, List<TransactWriteItem> items) {
    }
}
