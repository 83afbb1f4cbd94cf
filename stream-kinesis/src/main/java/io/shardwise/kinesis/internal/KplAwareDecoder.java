package io.shardwise.kinesis.internal;

import io.shardwise.core.RecordDecoder;
import io.shardwise.core.StreamRecord;
import io.shardwise.kinesis.KinesisDecodeException;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The decoder the Kinesis handlers give the engine: the user's decoder, except that a record which still looks
 * like a KPL aggregate after {@link KinesisRecords} mapped the batch (so it did not parse) fails with the parse
 * error. The engine turns that into a non-retryable failure and parks the aggregate whole, with its raw bytes.
 * Thread-safe if the user's decoder is.
 */
public final class KplAwareDecoder<T> implements RecordDecoder<ByteBuffer, T> {
    private final RecordDecoder<ByteBuffer, T> delegate;
    private final boolean deaggregate;

    public KplAwareDecoder(RecordDecoder<ByteBuffer, T> delegate, boolean deaggregate) {
        this.delegate = Objects.requireNonNull(delegate, "decoder");
        this.deaggregate = deaggregate;
    }

    @Override
    public T decode(StreamRecord<ByteBuffer> raw) throws Exception {
        // looksAggregated reads absolutely, so the payload itself can be checked without a view of it.
        ByteBuffer payload = raw.payload() != null ? raw.payload() : raw.data();
        if (deaggregate && !raw.isSubRecord() && KplAggregate.looksAggregated(payload)) {
            ByteBuffer data = raw.data();
            // Parsing again costs nothing worth saving (corrupt aggregates are rare) and keeps the payload
            // type a plain ByteBuffer: no internal marker type leaks into the user's onBatchStart.
            try {
                KplAggregate.parse(data);
            } catch (KplFormatException e) {
                throw new KinesisDecodeException(raw, "Corrupt KPL aggregate (" + data.remaining() + " bytes): "
                        + e.getMessage() + ". It is parked whole with its raw bytes; none of its user records "
                        + "were processed", e);
            }
            throw new KinesisDecodeException(raw, "KPL aggregate reached the decoder without being de-aggregated "
                    + "(records must be mapped with de-aggregation on); parked whole with its raw bytes", null);
        }
        return delegate.decode(raw);
    }
}
