package io.shardwise.core.internal;

import io.shardwise.core.NonRetryableException;

/**
 * Decoding a record's payload. A decoding failure is that record's outcome (parked as bad data), never the
 * batch's: the error is kept on the slot and handled when the record's turn comes.
 *
 * <p>With a dedup store every record is decoded up front (its dedup key may come from the payload, and the batched
 * read needs all keys); without one each record is decoded in its lane just before it runs, so a large batch never
 * holds all its decoded payloads at once, and records after a stop are never decoded.
 */
final class Decoding<R, T> {
    private final BatchRun<R, T> run;

    Decoding(BatchRun<R, T> run) {
        this.run = run;
    }

    void decode(Slot<R, T> s) {
        try {
            T payload = run.decoder.decode(s.raw);
            s.decoded = s.raw.withPayload(payload);
        } catch (Exception e) {
            // Adapters' decode exceptions already name the record; don't say it twice.
            String what = e instanceof NonRetryableException ? e.getMessage()
                    : "Cannot decode the payload of " + s.raw.describe() + ": " + Redaction.quotedValues(e.getMessage());
            // The outcome (parked, or failed when no sink takes it) is reported separately: don't claim it.
            s.decodeError = new DecodeException(what + ". Not retried: fix the producer or the decoder.", e);
        }
    }
}
