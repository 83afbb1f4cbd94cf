package io.shardwise.tools.recover;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads the records of an on-failure message's range back from its stream: {@code GetShardIterator
 * AT_SEQUENCE_NUMBER} the first sequence number, then {@code GetRecords} until the last one.
 *
 * <p><b>Past retention.</b> DynamoDB Streams says so with {@code TrimmedDataAccessException}. Kinesis may refuse
 * a trimmed sequence number ({@code InvalidArgumentException}) or start the iterator at the trim horizon: either
 * way the range's first record is not there, which is checked against the oldest record the shard still has.
 * With ParallelizationFactor above 1, a range holds other partition keys' records too (which Lambda processed):
 * all are read, the consumer's dedup skips the ones already done.
 *
 * <p>Stateless; thread-safe when the clients are.
 */
final class RangeReader {

    /** Empty GetRecords answers in a row at an open shard's tip before the end is taken as missing. */
    private static final int MAX_EMPTY_READS = 5;
    private static final int PAGE = 1_000;

    private RangeReader() {
    }

    static RangeRead kinesis(KinesisClient kinesis, OnFailureMessage m) {
        String stream = m.streamArn();
        String iterator;
        try {
            iterator = kinesis.getShardIterator(b -> b.streamARN(stream).shardId(m.shardId())
                    .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                    .startingSequenceNumber(m.startSequenceNumber())).shardIterator();
        } catch (InvalidArgumentException e) {
            String oldest = oldestKinesisRecord(kinesis, m);
            if (oldest != null && new BigInteger(oldest).compareTo(m.start()) > 0) {
                return pastRetention(m, oldest);
            }
            return failed("GetShardIterator AT_SEQUENCE_NUMBER " + m.startSequenceNumber() + " refused: "
                    + reason(e));
        } catch (SdkException e) {
            return failed("GetShardIterator failed: " + reason(e));
        }
        List<RecoveredRecord> records = new ArrayList<>();
        int empty = 0;
        try {
            while (iterator != null) {
                String it = iterator;
                GetRecordsResponse page = kinesis.getRecords(b -> b.shardIterator(it).limit(PAGE));
                for (Record r : page.records()) {
                    if (new BigInteger(r.sequenceNumber()).compareTo(m.end()) > 0) {
                        return done(m, records, true);
                    }
                    records.add(new RecoveredRecord.Kinesis(r));
                }
                if (!records.isEmpty() && records.get(records.size() - 1).sequence().equals(m.end())) {
                    return done(m, records, true);
                }
                boolean atTip = page.millisBehindLatest() == null || page.millisBehindLatest() == 0;
                empty = page.records().isEmpty() && atTip ? empty + 1 : 0;
                if (empty >= MAX_EMPTY_READS) {
                    break;
                }
                iterator = page.nextShardIterator();
            }
        } catch (SdkException e) {
            return failed("GetRecords failed after " + records.size() + " records: " + reason(e));
        }
        return done(m, records, false);
    }

    static RangeRead dynamoDb(DynamoDbStreamsClient streams, OnFailureMessage m) {
        String iterator;
        try {
            iterator = streams.getShardIterator(b -> b.streamArn(m.streamArn()).shardId(m.shardId())
                    .shardIteratorType(software.amazon.awssdk.services.dynamodb.model.ShardIteratorType
                            .AT_SEQUENCE_NUMBER)
                    .sequenceNumber(m.startSequenceNumber())).shardIterator();
        } catch (TrimmedDataAccessException e) {
            return pastRetention(m, null);
        } catch (SdkException e) {
            return failed("GetShardIterator AT_SEQUENCE_NUMBER " + m.startSequenceNumber() + " failed: "
                    + reason(e));
        }
        List<RecoveredRecord> records = new ArrayList<>();
        int empty = 0;
        try {
            while (iterator != null) {
                String it = iterator;
                var page = streams.getRecords(b -> b.shardIterator(it).limit(PAGE));
                for (var r : page.records()) {
                    RecoveredRecord.DynamoDb rec = new RecoveredRecord.DynamoDb(r);
                    if (rec.sequence().compareTo(m.end()) > 0) {
                        return done(m, records, true);
                    }
                    records.add(rec);
                }
                if (!records.isEmpty() && records.get(records.size() - 1).sequence().equals(m.end())) {
                    return done(m, records, true);
                }
                empty = page.records().isEmpty() ? empty + 1 : 0;
                if (empty >= MAX_EMPTY_READS) {
                    break;
                }
                iterator = page.nextShardIterator();
            }
        } catch (TrimmedDataAccessException e) {
            return records.isEmpty() ? pastRetention(m, null)
                    : failed("the stream trimmed the range while it was read, after " + records.size() + " records");
        } catch (SdkException e) {
            return failed("GetRecords failed after " + records.size() + " records: " + reason(e));
        }
        return done(m, records, false);
    }

    /** A complete or partly trimmed range, or a failure when the end never came. */
    private static RangeRead done(OnFailureMessage m, List<RecoveredRecord> records, boolean endReached) {
        if (!endReached) {
            return failed("the shard ended, or its tip was reached, before the last sequence number "
                    + m.endSequenceNumber() + " (" + records.size() + " records read): is this the stream the "
                    + "message names?");
        }
        if (records.isEmpty()) {
            return pastRetention(m, null);
        }
        BigInteger first = records.get(0).sequence();
        if (first.compareTo(m.start()) > 0) {
            return new RangeRead(records, RangeRead.Status.PARTLY_PAST_RETENTION, "PAST RETENTION in part: the "
                    + "records from " + m.startSequenceNumber() + " up to " + first + " were trimmed by the "
                    + "stream's retention and are lost; the " + records.size() + " from " + first
                    + " on are still there");
        }
        return new RangeRead(records, RangeRead.Status.COMPLETE, null);
    }

    private static RangeRead pastRetention(OnFailureMessage m, String oldest) {
        return new RangeRead(List.of(), RangeRead.Status.PAST_RETENTION, "PAST RETENTION: the records from "
                + m.startSequenceNumber() + " to " + m.endSequenceNumber() + " were trimmed by the stream's "
                + "retention and cannot be read" + (oldest == null ? "" : " (the shard's oldest record is " + oldest
                + ")") + "; they are lost. The on-failure message is left in the queue");
    }

    private static RangeRead failed(String detail) {
        return new RangeRead(List.of(), RangeRead.Status.FAILED, detail);
    }

    /** The shard's oldest record's sequence number (TRIM_HORIZON), or null when it has none or cannot say. */
    private static String oldestKinesisRecord(KinesisClient kinesis, OnFailureMessage m) {
        try {
            String it = kinesis.getShardIterator(b -> b.streamARN(m.streamArn()).shardId(m.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            for (int i = 0; i < MAX_EMPTY_READS && it != null; i++) {
                String current = it;
                GetRecordsResponse page = kinesis.getRecords(b -> b.shardIterator(current).limit(1));
                if (!page.records().isEmpty()) {
                    return page.records().get(0).sequenceNumber();
                }
                it = page.nextShardIterator();
            }
        } catch (SdkException e) {
            return null;
        }
        return null;
    }

    private static String reason(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }
}
