package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;

/**
 * One way of consuming a Kinesis batch: a baseline or shardwise in some configuration. An instance holds the
 * state of one run (its consumer name, hence its dedup keys), so each measured run builds a fresh one.
 */
public interface Contender extends AutoCloseable {

    /** Processes one batch as a Lambda handler would. */
    RunOutcome handle(KinesisEvent event, Context context);

    @Override
    default void close() {
    }
}
