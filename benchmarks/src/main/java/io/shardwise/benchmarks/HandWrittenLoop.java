package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.ObjectReader;
import io.shardwise.kinesis.KinesisDecoders;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Baseline: the handler people write by hand. Decode each record with Jackson (the same mapper settings as
 * {@link KinesisDecoders#json(Class)}), call the business logic, report every record that threw. Nothing else: no
 * dedup, no ordering after a failure, no parking. Thread-safe if the logic is.
 */
public final class HandWrittenLoop implements Contender {

    /** The business logic called per record. */
    @FunctionalInterface
    public interface Logic {
        void accept(Order order) throws Exception;
    }

    private static final ObjectReader READER = KinesisDecoders.defaultObjectMapper().readerFor(Order.class);

    private final Logic logic;

    public HandWrittenLoop(Logic logic) {
        this.logic = logic;
    }

    /** The Lambda handler's body. */
    public StreamsEventResponse handleRequest(KinesisEvent event) {
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
            try {
                logic.accept(decode(r.getKinesis().getData()));
            } catch (Exception e) {
                failures.add(new StreamsEventResponse.BatchItemFailure(r.getKinesis().getSequenceNumber()));
            }
        }
        return new StreamsEventResponse(failures);
    }

    @Override
    public RunOutcome handle(KinesisEvent event, Context context) {
        int failed = handleRequest(event).getBatchItemFailures().size();
        return new RunOutcome(event.getRecords().size() - failed, 0, failed);
    }

    /** Jackson straight from the runtime's heap buffer (what hand-written handlers typically do). */
    static Order decode(ByteBuffer data) throws IOException {
        if (data.hasArray()) {
            return READER.readValue(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return READER.readValue(copy);
    }
}
