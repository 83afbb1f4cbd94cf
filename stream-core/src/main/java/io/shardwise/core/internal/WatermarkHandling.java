package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.DedupStore.Watermark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code WATERMARK} mode: records at or below their scope's watermark are skipped; the rest run and the watermark
 * advances with a conditional write after each record (or each group of {@code watermarkGroupSize}). A
 * payload-keyed record is also claimed and completed under its own marker (see {@link #runPayloadKeyed}).
 */
final class WatermarkHandling<R, T> extends StoreHandling<R, T> {
    private static final Logger RECORD_LOG = LoggerFactory.getLogger("io.shardwise.record");


    WatermarkHandling(BatchRun<R, T> run, FailureHandling<R, T> failures) {
        super(run, failures);
    }

    @Override
    public void handle(Slot<R, T> s, LaneState<R, T> state) {
        Watermark current = state.watermark(s.watermarkId);
        if (current != null && s.position().compareTo(current) <= 0) {
            s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
            return;
        }
        DedupStore.Entry marker = run.failureEntries.get(s.id);
        if (s.payloadKeyed) {
            runPayloadKeyed(s, marker, state);
        } else {
            int attempt = marker == null || marker.isDone(run.now()) ? 1 : marker.attempts() + 1;
            if (attempt > run.config.maxAttempts()) {
                // Used up by attempts that never finished (counted by the OverrunWatch): park, do not run again.
                failures.parkOrFail(s, failures.attemptsUsedUp(s, attempt - 1), attempt - 1, null, true, true);
            } else if (s.decodeError != null) {
                failures.fail(s, s.decodeError, attempt, null, false);
            } else {
                call.runProcessor(s, attempt, null, state);
            }
        }
        if (s.outcome == Outcome.PROCESSED || s.outcome == Outcome.PARKED
                || (s.payloadKeyed && s.outcome == Outcome.SKIPPED_DUPLICATE)) {
            // Done (under its payload key too, for a producer duplicate): the watermark moves past it.
            advanceAfter(s, state);
        }
    }

    /**
     * A record whose dedup key comes from its payload: a producer duplicate of it can be in another lane or another
     * invocation at the same time (other partition key, other position), which the watermark cannot see. So its
     * marker is claimed with a lease, as in PER_RECORD mode, and completed before the watermark moves: one key never
     * runs in two places at once, and a duplicate that comes later finds the marker done.
     */
    private void runPayloadKeyed(Slot<R, T> s, DedupStore.Entry marker, LaneState<R, T> state) {
        if (duplicates.skipIfKnownDone(s, marker, run.now()) || duplicates.skipIfDoneEarlierInLane(s, state)) {
            return;
        }
        DedupStore.Claimed claimed = claim(s);
        if (claimed != null) {
            runClaimed(s, claimed, state);
        }
    }

    @Override
    public void finishLane(LaneState<R, T> state) {
        if (!state.pending.isEmpty()) {
            advanceWatermarks(state);
        }
    }

    private void advanceAfter(Slot<R, T> s, LaneState<R, T> state) {
        state.pendingAdvance(s);
        if (state.sinceAdvance >= run.config.watermarkGroupSize()) {
            advanceWatermarks(state);
        }
    }

    private void advanceWatermarks(LaneState<R, T> state) {
        for (Map.Entry<String, Watermark> e : state.pending.entrySet()) {
            String wmId = e.getKey();
            Watermark next = e.getValue();
            Watermark expected = state.watermark(wmId);
            Instant exp = run.expiresAt(run.now());
            boolean moved = run.storeCall(() -> run.store.advanceWatermark(wmId, expected, next, exp),
                    "advance watermark");
            if (!moved) {
                // Another invocation moved it: re-read and move forward from there if we are ahead.
                Watermark theirs = run.storeCall(() -> run.store.readWatermarks(List.of(wmId)), "read watermark")
                        .get(wmId);
                RECORD_LOG.warn("{\"event\":\"watermark_race\",\"consumer\":\"{}\",\"detail\":\"another "
                        + "invocation advanced the watermark concurrently; effects between the two may have run "
                        + "twice\"}", run.config.consumerName());
                if (theirs == null || theirs.compareTo(next) < 0) {
                    run.storeCall(() -> run.store.advanceWatermark(wmId, theirs, next, exp), "advance watermark");
                    state.watermarks.put(wmId, next);
                } else {
                    state.watermarks.put(wmId, theirs);
                }
            } else {
                state.watermarks.put(wmId, next);
            }
        }
        state.pending.clear();
        state.sinceAdvance = 0;
    }
}
