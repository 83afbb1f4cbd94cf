package io.shardwise.core.internal;

import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks the batch as a whole before any record has an effect. A batch the engine cannot place records of in a
 * valid response fails as a whole, with a message naming the record, before anything ran.
 */
final class BatchValidation {
    private BatchValidation() {
    }

    static <R, T> List<Slot<R, T>> slots(List<StreamRecord<R>> records) {
        List<Slot<R, T>> slots = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            StreamRecord<R> raw = records.get(i);
            if (raw == null) {
                throw new StreamProcessingException("Record " + i + " of the batch is null: the adapter "
                        + "built an invalid batch; failing the whole batch so that nothing is skipped");
            }
            slots.add(new Slot<>(i, raw));
        }
        return slots;
    }
}
