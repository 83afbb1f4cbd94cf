package io.shardwise.core;

import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.core.internal.EmfLines;
import io.shardwise.core.internal.priming.PrimingContext;
import io.shardwise.core.internal.priming.SdkWarmup;
import io.shardwise.core.sink.FailureSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs a synthetic batch through the library before the first real invocation, so that the classes and code paths
 * that invocation needs are loaded (and, with Lambda SnapStart, in the snapshot). The handlers
 * ({@code KinesisBatchHandler}, {@code KinesisWindowHandler}, {@code DynamoDbStreamHandler}) call it from their
 * {@code prime()} method, which runs on its own before a SnapStart/CRaC checkpoint and which you may call from your
 * own init code; use this class directly only for {@link BatchProcessor}-based handlers of your own.
 *
 * <p>What runs, and what does not:
 * <ul>
 *   <li>decoding, with your decoder, of the records given — except, when your processor does not run, the first
 *       one, which skips your decoder (its payload is null) so that the engine's success path runs too even when
 *       your decoder rejects the made-up data of the others;</li>
 *   <li>the engine, with your failure mode, concurrency, dedup mode and clock, but a throw-away
 *       {@link InMemoryDedupStore} in place of your dedup store and a sink that accepts and discards in place of
 *       your failure sink: no marker is written to your dedup table and nothing is parked;</li>
 *   <li>your processor only if you pass it (the handlers pass it only when you gave them a priming sample):
 *       otherwise a processor that does nothing. When it runs, it runs for real — its own writes reach whatever it
 *       writes to, so give it a sample whose effect you accept (the records' shard id is {@value #SHARD_ID});</li>
 *   <li>the SDK clients' code for your dedup store's and sink's kinds of request, through throw-away clients that
 *       answer in the JVM (see {@code SdkWarmup}): no request leaves the process;</li>
 *   <li>the library's log line for the batch (its {@code AWSRequestId} is {@value PrimingContext#REQUEST_ID}); no
 *       metrics are emitted for it (an EMF line is rendered and dropped).</li>
 * </ul>
 *
 * <p>Never throws for a record's failure (that is an outcome of the returned result). Thread-safe.
 */
public final class Priming {
    /** The shard id of the synthetic records the handlers build. */
    public static final String SHARD_ID = "shardId-priming";

    private static final Logger LOG = LoggerFactory.getLogger("io.shardwise.priming");

    private Priming() {
    }

    /**
     * Runs {@code records} through decode and the engine as described above, then warms the SDK clients.
     *
     * @param processor your processor, to run it on the records, or null to run a processor that does nothing
     * @param decoder   your decoder
     * @param config    your handler's configuration (its dedup store and failure sink are replaced, see above)
     * @param records   the synthetic batch, one shard's records in order
     * @return the synthetic batch's outcomes and response
     */
    public static <R, T> BatchResult run(RecordProcessor<T> processor, RecordDecoder<R, T> decoder,
                                         ProcessingConfig config, List<StreamRecord<R>> records) {
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(config, "config");
        long start = System.nanoTime();
        // GUARDED sends each record's write itself: through a client answered in the JVM, never yours.
        software.amazon.awssdk.services.dynamodb.DynamoDbClient guarded = config.guardedClient().isPresent()
                ? io.shardwise.core.internal.priming.SdkWarmup.throwAwayDynamoDb() : null;
        ProcessingConfig throwAway = config.withStoreAndSinkForPriming(
                config.dedupStore().isPresent() ? new InMemoryDedupStore(config.clock()) : null,
                config.failureSink().isPresent() ? DISCARD : null, guarded);
        BatchResult result;
        RecordDecoder<R, T> primingDecoder = decoder;
        if (processor == null && !records.isEmpty()) {
            String first = records.get(0).sequenceNumber();
            long firstSub = records.get(0).subSequenceNumber();
            primingDecoder = raw -> raw.sequenceNumber().equals(first) && raw.subSequenceNumber() == firstSub
                    ? null : decoder.decode(raw);
        }
        try (BatchProcessor<R, T> engine = BatchProcessor.create(
                processor != null ? processor : new DoNothing<>(), primingDecoder, throwAway)) {
            result = engine.process(records, new PrimingContext());
        } finally {
            if (guarded != null) {
                guarded.close();
            }
        }
        // The batch's EMF line is not written (no metrics for a synthetic batch): render one and drop it.
        EmfLines.render("shardwise", Map.of("consumer", config.consumerName()),
                List.of(new EmfLines.Metric("RecordsProcessed", 0, EmfLines.Unit.COUNT)), Map.of(), Instant.now());
        int sdkRequests = SdkWarmup.warm(config);
        LOG.info("Primed consumer {}: {} synthetic record(s) ({}), processor {}, {} SDK request(s) answered in the "
                        + "JVM, {} ms", config.consumerName(), records.size(), result.counts(),
                processor != null ? "run" : "not run", sdkRequests, (System.nanoTime() - start) / 1_000_000);
        return result;
    }

    /** Accepts every parked record and keeps none: what priming parks goes nowhere. */
    private static final FailureSink DISCARD = record -> { };

    private static final class DoNothing<T> extends RecordProcessor<T> {
        @Override
        public void process(StreamRecord<T> record, RecordContext context) {
            // Priming without a sample of yours: the library's own paths only.
        }
    }
}
