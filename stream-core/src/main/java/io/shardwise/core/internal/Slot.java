package io.shardwise.core.internal;

import io.shardwise.core.Outcome;
import io.shardwise.core.RecordContext;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupStore.Watermark;

import java.math.BigInteger;
import java.util.function.Supplier;

/**
 * One record's place in the batch: the raw record, what was derived from it, and its outcome. Written only by the
 * phase that owns it at the time (preparation before the lanes start, then the one lane that runs it), so it needs
 * no locking; the join of the lanes publishes it to {@link ResultBuilder}.
 */
final class Slot<R, T> implements Supplier<String> {
    final int index;
    final StreamRecord<R> raw;
    StreamRecord<T> decoded;
    RuntimeException decodeError;
    /** Set by {@link BatchValidation}: the record cannot be run (parked at its turn). */
    RuntimeException invalid;
    String dedupKey;
    String id;
    String validation;
    String watermarkId;
    /** Watermark mode: the dedup key is not the stream position, so a marker catches producer duplicates. */
    boolean payloadKeyed;
    Outcome outcome;
    /** Transactional mode: run, its writes waiting for the lane's next commit (outcome still null). */
    boolean staged;
    /**
     * The {@link OverrunWatch} counted this record's current attempt (it overran the invocation's time): a failure
     * that follows must not count it again. Written by the processor's thread once the processor returned.
     */
    boolean attemptCountedByWatch;
    Throwable error;
    int attempts;
    /** {@link #position()}, parsed once: a sequence number is up to 128 bits, compared several times. */
    private Watermark position;

    Slot(int index, StreamRecord<R> raw) {
        this.index = index;
        this.raw = raw;
    }

    /** The position key, for {@link RecordContext#withDeferredDedupKey}: no supplier object per record. */
    @Override
    public String get() {
        return raw.positionKey();
    }

    /** The record's shard position. Throws NumberFormatException for a non-numeric sequence number. */
    Watermark position() {
        if (position == null) {
            position = new Watermark(new BigInteger(raw.sequenceNumber()), raw.subSequenceNumber());
        }
        return position;
    }

    void set(Outcome o, Throwable e, int attemptCount) {
        this.outcome = o;
        this.error = e;
        this.attempts = attemptCount;
    }

    /** The record's partition key, never null: lanes and isolation group by it. */
    String laneKey() {
        return raw.partitionKey() == null ? "" : raw.partitionKey();
    }
}
