package io.shardwise.core;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Applies Lambda's rule for stream batches with ReportBatchItemFailures: deliver a batch from the checkpoint; if
 * the response names a sequence number, checkpoint just before the lowest one and redeliver from there; an
 * empty response moves past the batch. A response naming a sequence number outside the batch is a test failure
 * (the library must never produce one).
 */
final class RedeliverySimulator<R> {
    private final List<StreamRecord<R>> shard;
    private final int batchSize;
    final List<BatchResult> results = new ArrayList<>();

    RedeliverySimulator(List<StreamRecord<R>> shard, int batchSize) {
        this.shard = List.copyOf(shard);
        this.batchSize = batchSize;
    }

    /** Runs invocations until the shard is consumed or {@code maxInvocations} ran; returns the checkpoint. */
    int run(BatchProcessor<R, ?> processor, int maxInvocations) {
        int checkpoint = 0;
        for (int n = 0; n < maxInvocations && checkpoint < shard.size(); n++) {
            List<StreamRecord<R>> batch = shard.subList(checkpoint, Math.min(shard.size(), checkpoint + batchSize));
            BatchResult result = processor.process(batch, null);
            results.add(result);
            checkpoint = next(checkpoint, batch, result.response());
        }
        return checkpoint;
    }

    static <R> int next(int checkpoint, List<StreamRecord<R>> batch, StreamsEventResponse response) {
        List<StreamsEventResponse.BatchItemFailure> failures = response.getBatchItemFailures();
        if (failures == null || failures.isEmpty()) {
            return checkpoint + batch.size();
        }
        Set<String> inBatch = batch.stream().map(StreamRecord::sequenceNumber).collect(Collectors.toSet());
        int lowest = Integer.MAX_VALUE;
        for (StreamsEventResponse.BatchItemFailure f : failures) {
            String id = f.getItemIdentifier();
            if (id == null || id.isEmpty() || !inBatch.contains(id)) {
                throw new AssertionError("Invalid batchItemFailures identifier " + id + ": Lambda would retry the "
                        + "whole batch");
            }
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).sequenceNumber().equals(id)) {
                    lowest = Math.min(lowest, i);
                    break;
                }
            }
        }
        return checkpoint + lowest;
    }
}
