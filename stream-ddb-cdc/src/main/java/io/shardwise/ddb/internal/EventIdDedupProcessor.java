package io.shardwise.ddb.internal;

import io.shardwise.core.BatchResult;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;

import java.util.List;
import java.util.Objects;

/**
 * Wraps the user's processor so that the default dedup key of a DynamoDB Streams record is its {@code eventID}
 * (spec §4) instead of the engine's position key. Everything else is delegated unchanged.
 *
 * <p>How "default" is told apart: the user's {@link RecordProcessor#dedupKey} is asked first; if it answers the
 * record's {@link StreamRecord#positionKey()} — what the base class returns — the user did not choose a key,
 * and the {@code eventID} is used. A processor that derives its key from the payload keeps it.
 */
public final class EventIdDedupProcessor<T> extends RecordProcessor<T> {
    private final RecordProcessor<T> delegate;

    public EventIdDedupProcessor(RecordProcessor<T> delegate) {
        this.delegate = Objects.requireNonNull(delegate, "processor");
    }

    @Override
    public void process(StreamRecord<T> record, RecordContext context) throws Exception {
        delegate.process(record, context);
    }

    @Override
    public void onBatchStart(List<? extends StreamRecord<?>> records) {
        delegate.onBatchStart(records);
    }

    @Override
    public void onBatchEnd(BatchResult result) {
        delegate.onBatchEnd(result);
    }

    @Override
    public boolean isRetryable(Throwable error) {
        return delegate.isRetryable(error);
    }

    @Override
    public String dedupKey(StreamRecord<T> record) {
        String key = delegate.dedupKey(record);
        if (Objects.equals(key, record.positionKey()) && record.eventId() != null && !record.eventId().isBlank()) {
            return record.eventId();
        }
        return key;
    }
}
