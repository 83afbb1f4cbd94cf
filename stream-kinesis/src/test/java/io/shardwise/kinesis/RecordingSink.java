package io.shardwise.kinesis;

import io.shardwise.core.sink.FailureSink;
import io.shardwise.core.sink.ParkedRecord;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A failure sink that keeps what it is given; optionally refuses everything. */
final class RecordingSink implements FailureSink {
    final List<ParkedRecord> parked = new CopyOnWriteArrayList<>();
    volatile boolean refuse;

    @Override
    public void park(ParkedRecord record) {
        if (refuse) {
            throw new IllegalStateException("sink unavailable");
        }
        parked.add(record);
    }
}
