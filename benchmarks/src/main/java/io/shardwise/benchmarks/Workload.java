package io.shardwise.benchmarks;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Builds the Kinesis events the benchmarks feed to every contender: one shard, ascending sequence numbers, JSON
 * {@link Order} payloads of a chosen size, partition keys spread round-robin over a number of customers. The data
 * buffers are heap buffers over a byte array, as the Lambda Java runtime hands them over after base64-decoding.
 *
 * <p>Deterministic: the same arguments give byte-identical events.
 */
public final class Workload {
    public static final String STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/benchmarks";
    public static final String SHARD_ID = "shardId-000000000000";
    private static final BigInteger FIRST_SEQUENCE =
            new BigInteger("49590338271490256608559692538361571095921575989136588898");
    private static final long EPOCH_MILLIS = 1_735_689_600_000L; // 2025-01-01T00:00:00Z

    private Workload() {
    }

    /**
     * @param records        how many records
     * @param keys           distinct partition keys (customers), assigned round-robin
     * @param payloadBytes   target size of each record's JSON (at least the size without padding)
     * @param duplicateEvery 0 for none; else every {@code duplicateEvery}-th record repeats the previous record's
     *                       event (same payload, new sequence number): a producer-side duplicate
     */
    public static KinesisEvent event(int records, int keys, int payloadBytes, int duplicateEvery) {
        List<KinesisEvent.KinesisEventRecord> out = new ArrayList<>(records);
        byte[] previous = null;
        String previousKey = null;
        int eventNo = 0;
        for (int i = 0; i < records; i++) {
            String customer = "customer-" + (i % keys);
            byte[] data;
            if (duplicateEvery > 0 && i % duplicateEvery == duplicateEvery - 1 && previous != null) {
                // A producer retry: the same event, with its original's partition key, at a new sequence number.
                data = previous;
                customer = previousKey;
            } else {
                data = json(eventNo++, customer, payloadBytes);
            }
            previous = data;
            previousKey = customer;
            String sequence = FIRST_SEQUENCE.add(BigInteger.valueOf(i)).toString();
            KinesisEvent.Record k = new KinesisEvent.Record();
            k.setSequenceNumber(sequence);
            k.setPartitionKey(customer);
            k.setData(ByteBuffer.wrap(data));
            k.setApproximateArrivalTimestamp(new Date(EPOCH_MILLIS + i));
            k.setKinesisSchemaVersion("1.0");
            KinesisEvent.KinesisEventRecord r = new KinesisEvent.KinesisEventRecord();
            r.setKinesis(k);
            r.setEventSource("aws:kinesis");
            r.setEventID(SHARD_ID + ":" + sequence);
            r.setEventName("aws:kinesis:record");
            r.setEventVersion("1.0");
            r.setAwsRegion("us-east-1");
            r.setEventSourceARN(STREAM_ARN);
            r.setInvokeIdentityArn("arn:aws:iam::000000000000:role/benchmarks");
            out.add(r);
        }
        KinesisEvent event = new KinesisEvent();
        event.setRecords(out);
        return event;
    }

    /** The first {@code n} records of {@code event}, as a new event (the records are shared, not copied). */
    public static KinesisEvent head(KinesisEvent event, int n) {
        KinesisEvent e = new KinesisEvent();
        e.setRecords(new ArrayList<>(event.getRecords().subList(0, n)));
        return e;
    }

    /** Total bytes of record data in the event. */
    public static long dataBytes(KinesisEvent event) {
        long total = 0;
        for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
            total += r.getKinesis().getData().remaining();
        }
        return total;
    }

    private static byte[] json(int eventNo, String customer, int payloadBytes) {
        String head = "{\"eventId\":\"evt-" + String.format("%08d", eventNo) + "\",\"customerId\":\"" + customer
                + "\",\"amountCents\":" + (100 + (eventNo * 37L) % 100_000) + ",\"currency\":\"EUR\",\"createdAt\":\""
                + Instant.ofEpochMilli(EPOCH_MILLIS + eventNo * 1000L) + "\",\"note\":\"";
        String tail = "\"}";
        int pad = Math.max(0, payloadBytes - head.length() - tail.length());
        StringBuilder b = new StringBuilder(head.length() + pad + tail.length()).append(head);
        for (int i = 0; i < pad; i++) {
            b.append((char) ('a' + (eventNo + i) % 26));
        }
        return b.append(tail).toString().getBytes(StandardCharsets.UTF_8);
    }
}
