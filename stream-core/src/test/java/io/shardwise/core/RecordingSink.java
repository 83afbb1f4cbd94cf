package io.shardwise.core;

import io.shardwise.core.sink.FailureSink;
import io.shardwise.core.sink.ParkedRecord;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A failure sink that keeps what it is given, can be told to refuse the next N records, and feeds an optional
 * order validator (a parked record is done).
 */
class RecordingSink implements FailureSink {
    final List<ParkedRecord> parked = new CopyOnWriteArrayList<>();
    final AtomicInteger refuseNext = new AtomicInteger();
    volatile OrderValidator validator;

    @Override
    public void park(ParkedRecord record) {
        if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("sink unavailable (test)");
        }
        parked.add(record);
        if (validator != null) {
            validator.parked(record);
        }
    }
}
