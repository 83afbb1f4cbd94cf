package io.shardwise.tools.parked;

import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.sink.ParkedRecord;

/**
 * What a replay does with a parked record's dedup marker before putting the record back (issue 20, item 2).
 *
 * <p>A parked record's marker is {@code PARKED}, which counts as done. Put back onto the stream, the record gets a
 * new position: under the default (position) key that is a new key and it runs; under a payload-derived key (an
 * event id) it is the same key, and the consumer would skip it as a duplicate while the replay has removed it
 * from the queue: lost. So, given the consumer's dedup store, the replay releases the marker first (a delete only
 * if still {@code PARKED}, see {@link DedupStore#releaseParked}); without the store, a record parked under a
 * payload-derived key is refused and left where it is, with a message saying what to give the replayer.
 *
 * <p>Kept apart from the replayer's reading and putting. Thread-safe if the store is.
 */
final class ReplayMarkers {

    /**
     * @param put  whether the record may be put back
     * @param note for the report: what was done with the marker, or why the record is not put; null when nothing
     *             is worth saying
     */
    record Decision(boolean put, String note) {
    }

    private final DedupStore store;

    /** @param store the consumer's dedup store, or null when the replayer was given none */
    ReplayMarkers(DedupStore store) {
        this.store = store;
    }

    /** Prepares {@code record}'s marker for its replay; in a dry run changes nothing and says what it would do. */
    Decision prepare(ParkedRecord record, boolean dryRun) {
        String id = record.dedupId();
        if (id == null) {
            return new Decision(true, null); // parked by a consumer without a dedup store: nothing to release
        }
        if (store == null) {
            if (record.parkedUnderPositionKey()) {
                return new Decision(true, null); // the replay's new position is a new key
            }
            return new Decision(false, "parked under a payload-derived dedup key: put back as is, the consumer "
                    + "would skip it as a duplicate of its PARKED dedup marker. Give the replayer the consumer's "
                    + "dedup store (--dedup-table NAME, or builder().dedupStore(store)) so it releases the marker "
                    + "first; the record is left where it is");
        }
        if (dryRun) {
            return new Decision(true, "would release its PARKED dedup marker first");
        }
        boolean released;
        try {
            released = store.releaseParked(id);
        } catch (RuntimeException e) {
            return new Decision(false, "releasing its PARKED dedup marker failed, so it is not put back (it "
                    + "would be skipped as a duplicate): " + (e.getMessage() == null ? e.getClass().getName()
                    : e.getMessage()));
        }
        return new Decision(true, released ? "released its PARKED dedup marker"
                : "its dedup marker is no longer PARKED (the record is in progress, or done since) and was left as "
                + "is: the consumer's dedup rules decide");
    }
}
