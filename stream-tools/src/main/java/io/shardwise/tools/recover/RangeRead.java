package io.shardwise.tools.recover;

import java.util.List;

/**
 * What reading one range back from its stream found.
 *
 * @param records the range's records still on the stream, in sequence order
 * @param status  whether that is the whole range
 * @param detail  for people: what is missing and why; null when complete
 */
record RangeRead(List<RecoveredRecord> records, Status status, String detail) {

    enum Status {
        /** Every record from the first to the last sequence number. */
        COMPLETE,
        /** Nothing left: the stream's retention passed (trimmed). */
        PAST_RETENTION,
        /** The range's first records were trimmed; {@link #records()} holds the rest. */
        PARTLY_PAST_RETENTION,
        /** The range could not be read (no such stream or shard, access denied, end not found). */
        FAILED
    }

    RangeRead {
        records = List.copyOf(records);
    }
}
