package io.shardwise.core.internal;

import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;

/**
 * A decoded record's dedup key, marker id, payload hash and watermark scope (dedup store configured). A key that
 * cannot be derived makes the record a bad record (parked under its position key), never a batch failure.
 */
final class KeyDerivation<R, T> {
    private final BatchRun<R, T> run;

    KeyDerivation(BatchRun<R, T> run) {
        this.run = run;
    }

    void deriveKeys(Slot<R, T> s) {
        if (s.decoded != null) {
            try {
                s.dedupKey = run.processor.dedupKey(s.decoded);
                if (s.dedupKey == null || s.dedupKey.isBlank()) {
                    throw new IllegalStateException("dedupKey returned "
                            + (s.dedupKey == null ? "null" : "a blank key"));
                }
            } catch (RuntimeException e) {
                s.decodeError = new DecodeException("Cannot derive the dedup key of " + s.raw.describe()
                        + ": " + e.getMessage() + ". The record is parked; check "
                        + run.processor.getClass().getSimpleName() + ".dedupKey for this payload.", e);
                s.dedupKey = null;
            }
        }
        if (s.dedupKey == null) {
            s.dedupKey = s.raw.positionKey();
        }
        s.id = Hashing.dedupId(run.config.consumerName(), s.dedupKey);
        if (run.config.payloadValidation()) {
            s.validation = Hashing.sha256Hex(s.raw.data());
        }
        if (run.mode == DedupMode.WATERMARK) {
            s.watermarkId = Hashing.watermarkId(run.config.consumerName(), s.raw.sourceArn(), s.raw.shardId(),
                    run.config.shardWatermark() ? null : watermarkScope(s.raw));
            s.payloadKeyed = !s.dedupKey.equals(s.raw.positionKey());
        }
    }

    /**
     * The key a per-key watermark is kept under, unless the user declared a shard-wide watermark safe (see
     * ProcessingConfig.shardWatermark): with ParallelizationFactor > 1 a shard's records run in several concurrent
     * batches, and Lambda keeps order only per key. The scope's contract is {@link WatermarkScope}'s.
     */
    static String watermarkScope(StreamRecord<?> record) {
        return WatermarkScope.of(record);
    }
}
