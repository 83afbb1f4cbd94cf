package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;

/**
 * One measured situation.
 *
 * @param id         short id (used in the report's anchors)
 * @param title      what it is, for the report
 * @param event      the batch that is measured
 * @param prepare    a batch processed first, untimed and at 0 ms latency, by the same contender instance (e.g.
 *                   the first 999 records, for the redelivery scenario), or null
 * @param payloadKey dedup on the payload's event id rather than the stream position
 * @param waitMillis 0: the processor makes one DynamoDB write per record; else it waits this long instead
 */
public record Scenario(String id, String title, KinesisEvent event, KinesisEvent prepare, boolean payloadKey,
                       long waitMillis) {

    public int records() {
        return event.getRecords().size();
    }
}
