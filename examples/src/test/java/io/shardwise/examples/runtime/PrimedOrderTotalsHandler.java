package io.shardwise.examples.runtime;

import io.shardwise.examples.ordertotals.OrderTotalsHandler;

/**
 * The order-totals function primed at the end of its init, as SnapStart's {@code beforeCheckpoint} would prime it
 * before the snapshot: its first invocation then stands for the first one after a restore.
 */
public class PrimedOrderTotalsHandler extends OrderTotalsHandler {
    public PrimedOrderTotalsHandler() {
        super();
        prime();
    }
}
