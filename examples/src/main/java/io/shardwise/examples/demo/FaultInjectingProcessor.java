package io.shardwise.examples.demo;

import io.shardwise.core.RecordContext;
import io.shardwise.core.StreamRecord;
import io.shardwise.examples.ordertotals.OrderEvent;
import io.shardwise.examples.ordertotals.OrderTotalsProcessor;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The order-totals processor with one injected fault: the first attempt at one chosen order throws a retryable
 * exception (as a throttled or briefly unreachable dependency would), and every later attempt succeeds. shardwise
 * reports that record as the batch's failure, Lambda (here the local runner) redelivers from it, and the order is
 * counted once, on its second attempt.
 */
final class FaultInjectingProcessor extends OrderTotalsProcessor {

    private final String faultyOrderId;
    private final AtomicBoolean armed = new AtomicBoolean(true);
    private volatile String failedPosition;

    FaultInjectingProcessor(String totalsTable, String faultyOrderId) {
        super(totalsTable);
        this.faultyOrderId = faultyOrderId;
    }

    @Override
    public void process(StreamRecord<OrderEvent> record, RecordContext context) throws Exception {
        if (record.payload().orderId().equals(faultyOrderId) && armed.compareAndSet(true, false)) {
            failedPosition = record.shardId() + "/" + record.sequenceNumber();
            throw new IllegalStateException("Injected fault (demo): order " + faultyOrderId + " fails on attempt "
                    + context.attempt() + " and succeeds when redelivered");
        }
        super.process(record, context);
    }

    String faultyOrderId() {
        return faultyOrderId;
    }

    /** {@code shardId/sequenceNumber} of the record that failed, or null if the fault has not fired. */
    String failedPosition() {
        return failedPosition;
    }
}
