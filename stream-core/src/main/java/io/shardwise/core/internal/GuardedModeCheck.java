package io.shardwise.core.internal;

import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;

/**
 * What {@code GUARDED} mode refuses when the handler is built (init phase), so that no record is ever run under a
 * guarantee the mode cannot give. Stateless.
 */
final class GuardedModeCheck {
    private GuardedModeCheck() {
    }

    /**
     * Refuses a processor that derives its dedup key from the payload. A producer duplicate carries a new stream
     * position, so the item's guard (the last position applied) takes it for a new event; catching it would need
     * the payload keys on the item, and no bound on how many is safe (a duplicate can come any time later).
     *
     * @throws IllegalArgumentException naming the processor and the fix
     */
    static void refusePayloadKeys(RecordProcessor<?> processor) {
        Class<?> declaring;
        try {
            declaring = processor.getClass().getMethod("dedupKey", StreamRecord.class).getDeclaringClass();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("RecordProcessor.dedupKey(StreamRecord) is missing", e);
        }
        if (declaring != RecordProcessor.class) {
            throw new IllegalArgumentException(processor.getClass().getName() + " overrides dedupKey (a "
                    + "payload-derived key, for producer duplicates), which DedupMode.GUARDED cannot honour: the item "
                    + "keeps the last stream position applied, and a producer duplicate comes at a new position. Use "
                    + "DedupMode.TRANSACTIONAL (a marker per key, committed with the write) or remove the override.");
        }
    }
}
