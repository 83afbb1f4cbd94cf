package io.shardwise.core.internal;

import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the batch as a whole before any record has an effect, so nothing that only shows up later (in a watermark
 * advance, in the response) can fail the batch after effects ran and make every retry repeat them. Lambda never
 * delivers such batches; an adapter or a hand-made event can. What each gets:
 * <ul>
 *   <li>a null record, or (watermark mode, which orders by it) a non-numeric sequence number: the whole batch
 *       fails, before any record ran, with a message naming the record;</li>
 *   <li>a record repeating an earlier record's stream position (sequence and sub-sequence number), or its event id
 *       on another sequence number (KPL user records share the outer record's), with other data: parked with its payload ({@link InvalidRecordException}), never run, never skipped as a
 *       duplicate; with the same data it is the same record twice and goes through dedup as any redelivery;</li>
 *   <li>records out of sequence order: run in sequence order (the shard's order), with a warning naming the first
 *       out-of-order record; outcomes stay in input order.</li>
 * </ul>
 */
final class BatchValidation {
    private static final Logger BATCH_LOG = LoggerFactory.getLogger("io.shardwise.batch");
    private static final Comparator<Slot<?, ?>> SEQUENCE_ORDER = (a, b) -> {
        int c = compareNumeric(a.raw.sequenceNumber(), b.raw.sequenceNumber());
        return c != 0 ? c : Long.compare(a.raw.subSequenceNumber(), b.raw.subSequenceNumber());
    };

    private BatchValidation() {
    }

    /** One slot per record, in input order. */
    static <R, T> List<Slot<R, T>> slots(List<StreamRecord<R>> records, DedupMode mode) {
        List<Slot<R, T>> slots = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            StreamRecord<R> raw = records.get(i);
            if (raw == null) {
                throw new StreamProcessingException("Record " + i + " of the batch is null: the adapter "
                        + "built an invalid batch; failing the whole batch so that nothing is skipped");
            }
            if ((mode == DedupMode.WATERMARK || mode == DedupMode.GUARDED) && !isNumeric(raw.sequenceNumber())) {
                throw new StreamProcessingException("Record " + i + " of the batch (" + raw.describe() + ") has a "
                        + "non-numeric sequence number '" + raw.sequenceNumber() + "': " + mode + " mode orders records "
                        + "by it. Failing the whole batch before any record ran; check the adapter or the event that "
                        + "built the batch (Kinesis and DynamoDB Streams sequence numbers are decimal numbers)");
            }
            slots.add(new Slot<>(i, raw));
        }
        markRepeats(slots);
        return slots;
    }

    /** The order records run in: sequence order. The input order unless the batch was out of order. */
    static <R, T> List<Slot<R, T>> runOrder(List<Slot<R, T>> slots, String consumerName) {
        for (int i = 1; i < slots.size(); i++) {
            Slot<R, T> previous = slots.get(i - 1);
            Slot<R, T> s = slots.get(i);
            if (!isNumeric(s.raw.sequenceNumber()) || !isNumeric(previous.raw.sequenceNumber())) {
                return slots; // no numeric order to keep (never so from Kinesis or DynamoDB Streams)
            }
            if (SEQUENCE_ORDER.compare(previous, s) > 0) {
                BATCH_LOG.warn("{\"event\":\"batch_out_of_order\",\"consumer\":\"{}\",\"record\":\"{}\",\"detail\":"
                        + "\"record {} of the batch is out of sequence order (after {}); running the batch in "
                        + "sequence order. Lambda delivers a shard's records in order: check the adapter or the "
                        + "event that built the batch\"}", consumerName, s.raw.describe(), i, previous.raw.describe());
                for (Slot<R, T> rest : slots.subList(i + 1, slots.size())) {
                    if (!isNumeric(rest.raw.sequenceNumber())) {
                        return slots;
                    }
                }
                List<Slot<R, T>> sorted = new ArrayList<>(slots);
                sorted.sort(SEQUENCE_ORDER); // stable: equal positions keep their input order
                return sorted;
            }
        }
        return slots;
    }

    private static <R, T> void markRepeats(List<Slot<R, T>> slots) {
        Map<String, Slot<R, T>> byPosition = new HashMap<>();
        Map<String, Slot<R, T>> byEventId = new HashMap<>();
        for (Slot<R, T> s : slots) {
            Slot<R, T> samePosition = byPosition.putIfAbsent(s.raw.positionKey(), s);
            if (samePosition != null && !samePosition.raw.data().equals(s.raw.data())) {
                s.invalid = repeated(s, samePosition, "its stream position (" + s.raw.describe() + ")");
                continue;
            }
            Slot<R, T> sameEvent = s.raw.eventId() == null || samePosition != null ? null
                    : byEventId.putIfAbsent(s.raw.eventId(), s);
            // KPL user records of one aggregate share the outer record's sequence number and eventID: only an
            // eventID on another sequence number is a repeat.
            if (sameEvent != null && !sameEvent.raw.sequenceNumber().equals(s.raw.sequenceNumber())
                    && !sameEvent.raw.data().equals(s.raw.data())) {
                s.invalid = repeated(s, sameEvent, "its eventID");
            }
        }
    }

    private static InvalidRecordException repeated(Slot<?, ?> s, Slot<?, ?> earlier, String what) {
        return new InvalidRecordException("Record " + s.index + " of the batch (" + s.raw.describe() + ") repeats "
                + what + " of record " + earlier.index + " with different data. Lambda never delivers that; the "
                + "record is parked, not run and not skipped as a duplicate. Check the adapter or the event that "
                + "built the batch");
    }

    static boolean isNumeric(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Compares two decimal numbers without parsing them (a sequence number has up to 128 bits). */
    private static int compareNumeric(String a, String b) {
        String x = stripLeadingZeros(a);
        String y = stripLeadingZeros(b);
        return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
    }

    private static String stripLeadingZeros(String s) {
        int i = 0;
        while (i < s.length() - 1 && s.charAt(i) == '0') {
            i++;
        }
        return s.substring(i);
    }
}
