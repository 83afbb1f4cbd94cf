package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * shardwise as a user deploys it: a {@link KinesisBatchHandler} with the JSON decoder and a processor running the
 * same business logic as the baselines. In transactional mode the processor stages its write (committed with the
 * dedup markers); in guarded mode it stages it through {@code context.guarded()} (sent as one conditional {@code
 * UpdateItem} that carries the record's position); in every other mode it writes directly. Metrics (EMF to standard
 * output) are off: they are one line per batch and would only clutter the benchmark's output.
 */
public final class ShardwiseContender implements Contender {
    private final KinesisBatchHandler<Order> handler;

    /**
     * @param consumerName unique per run: it prefixes every dedup id
     * @param store        the dedup store, or null when {@code spec.mode()} is null
     * @param payloadKey   dedup on the payload's {@code eventId} (absorbs producer duplicates) instead of the
     *                     stream position; not in GUARDED mode, which refuses it
     * @param guardedClient the client GUARDED mode sends the user's writes with (the user's); ignored otherwise
     */
    public ShardwiseContender(ContenderSpec spec, String consumerName, DedupStore store, Effects effects,
                              boolean payloadKey, DynamoDbClient guardedClient) {
        boolean guarded = spec.mode() == DedupMode.GUARDED;
        if (guarded && payloadKey) {
            throw new IllegalArgumentException(spec.label() + ": GUARDED mode dedups on stream positions only; "
                    + "leave it out of payload-key scenarios (ContenderSpec.takesPayloadKeys)");
        }
        RecordProcessor<Order> processor = guarded ? guardedProcessor(effects)
                : processor(effects, spec.mode() == DedupMode.TRANSACTIONAL && !effects.waits(), payloadKey);
        ProcessingConfig.Builder config = ProcessingConfig.builder(consumerName)
                .metrics(false)
                .failureMode(spec.failureMode())
                .maxConcurrency(spec.concurrency());
        if (spec.mode() != null) {
            config.dedupStore(store).dedupMode(spec.mode());
        }
        if (guarded) {
            config.guardedClient(guardedClient);
        }
        this.handler = KinesisBatchHandler.builder(processor)
                .decoder(KinesisDecoders.json(Order.class))
                .config(config.build())
                .build();
    }

    /** Writes directly, or stages the write into the commit ({@code staged}, transactional mode). */
    private static RecordProcessor<Order> processor(Effects effects, boolean staged, boolean payloadKey) {
        return new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<Order> record, RecordContext context) {
                if (staged) {
                    context.transaction().update(effects.update(record.payload()));
                } else {
                    effects.apply(record.payload());
                }
            }

            @Override
            public String dedupKey(StreamRecord<Order> record) {
                return payloadKey ? record.payload().eventId() : record.positionKey();
            }
        };
    }

    /**
     * Stages the record's one write as a guarded update. It does not override {@code dedupKey}: GUARDED mode keys
     * on the stream position and refuses a processor that does.
     */
    private static RecordProcessor<Order> guardedProcessor(Effects effects) {
        return RecordProcessor.of((record, context) -> {
            if (effects.waits()) {
                effects.apply(record.payload());
            } else {
                context.guarded().update(effects.update(record.payload()));
            }
        });
    }

    @Override
    public RunOutcome handle(KinesisEvent event, Context context) {
        BatchResult r = handler.process(event, context);
        return new RunOutcome((int) r.count(Outcome.PROCESSED), (int) r.count(Outcome.SKIPPED_DUPLICATE),
                (int) (r.count(Outcome.FAILED) + r.count(Outcome.NOT_ATTEMPTED)));
    }

    @Override
    public void close() {
        handler.close();
    }
}
