package io.shardwise.tools.recover;

import io.shardwise.tools.Journal;
import io.shardwise.tools.OrderedPuts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Recovers the records of the batches Lambda gave up on: reads the on-failure messages ({@link OnFailureMessage})
 * from an SQS queue, reads each message's range back from its stream ({@link RangeReader}) and either writes the
 * records to a file (JSON lines, each a record of Lambda's event: {@link LambdaRecordJson}) or puts Kinesis
 * records back onto a Kinesis stream, with their partition key, each key's records in order.
 *
 * <p><b>What changes.</b> A message is deleted only after its whole range was written or put (unless
 * {@link Builder#keepMessages}); a range past the stream's retention, one that failed, and every message of a dry
 * run are left in the queue, made visible again at the end. Ranges are handled in order of stream, shard and first
 * sequence number.
 *
 * <p><b>Resuming.</b> A file is written under a temporary name and moved into place whole: a rerun finds it and
 * only deletes the message. Puts are journalled ({@link Builder#journal}) record by record before the message
 * goes: a rerun with the same journal puts only what was not put yet; at most the one record in flight at a crash
 * is put twice. Without a journal a rerun puts a range again from its start (at least once).
 *
 * <p><b>Errors.</b> A message that is not an on-failure message, a range that cannot be read, a put refused: an
 * item in the {@link Summary}, not an exception. Receiving from the queue failing, or the journal, throws.
 *
 * <p>Not thread-safe per run; the clients are the caller's, never closed here.
 */
public final class FailedBatchRecoverer {

    private static final String JOURNAL_PREFIX = "recovered ";

    private final SqsClient sqs;
    private final KinesisClient kinesis;
    private final DynamoDbStreamsClient dynamoDbStreams;
    private final Path toDirectory;
    private final KinesisClient target;
    private final String targetStream;
    private final boolean dryRun;
    private final boolean keepMessages;
    private final int maxMessages;
    private final Duration visibilityTimeout;
    private final Journal journal;
    private final Consumer<Item> listener;

    private FailedBatchRecoverer(Builder b) {
        this.sqs = b.sqs;
        this.kinesis = b.kinesis;
        this.dynamoDbStreams = b.dynamoDbStreams;
        this.toDirectory = b.toDirectory;
        this.target = b.target;
        this.targetStream = b.targetStream;
        this.dryRun = b.dryRun;
        this.keepMessages = b.keepMessages;
        this.maxMessages = b.maxMessages;
        this.visibilityTimeout = b.visibilityTimeout;
        this.journal = b.journal;
        this.listener = b.listener;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What happened to one on-failure message. */
    public enum Action {
        /** Its range was written or put, and the message deleted (or kept, with {@code keepMessages}). */
        RECOVERED,
        /** Dry run: its range was read and would be written or put. */
        WOULD_RECOVER,
        /** Its records are gone: the stream's retention passed (in part: the rest was recovered). */
        PAST_RETENTION,
        /** Not an on-failure message, the range could not be read, or a write or put failed. */
        FAILED
    }

    /**
     * One message.
     *
     * @param source  {@code sqs:<message id>}
     * @param range   the range ({@link OnFailureMessage#describe()}), or null when the message could not be read
     * @param action  what happened
     * @param records records written or put (or, in a dry run, read)
     * @param detail  where they went, or what went wrong
     */
    public record Item(String source, String range, Action action, int records, String detail) {
        /** {@code ACTION source (range): detail}, for people. */
        public String line() {
            return action + " " + source + (range == null ? "" : " (" + range + ")") + ": " + detail;
        }
    }

    /**
     * The outcome of a run.
     *
     * @param dryRun        whether it was a dry run
     * @param messages      on-failure messages read
     * @param recovered     messages whose range was written or put
     * @param records       records written or put (a dry run: records read)
     * @param wouldRecover  messages a dry run would recover
     * @param pastRetention messages whose range is (wholly or in part) past the stream's retention
     * @param failed        messages that failed
     * @param items         every message, in the order handled
     */
    public record Summary(boolean dryRun, int messages, int recovered, int records, int wouldRecover,
                          int pastRetention, int failed, List<Item> items) {
        public Summary {
            items = List.copyOf(items);
        }

        /** The totals line. */
        public String totals() {
            return (dryRun ? "DRY RUN: " : "") + "messages " + messages + ", recovered " + recovered
                    + ", would recover " + wouldRecover + ", records " + records + ", past retention "
                    + pastRetention + ", failed " + failed;
        }
    }

    /**
     * Recovers the ranges the on-failure messages in {@code queueUrl} name.
     *
     * @throws SdkException if receiving from the queue fails
     */
    public Summary recover(String queueUrl) {
        Objects.requireNonNull(queueUrl, "queueUrl");
        List<Message> received = new ArrayList<>();
        Set<String> deleted = new HashSet<>();
        List<Item> items = new ArrayList<>();
        try {
            Set<String> seen = new HashSet<>();
            while (received.size() < maxMessages) {
                int room = Math.min(10, maxMessages - received.size());
                List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(room)
                        .waitTimeSeconds(1).visibilityTimeout((int) visibilityTimeout.toSeconds())).messages();
                if (batch.isEmpty()) {
                    break;
                }
                batch.stream().filter(m -> seen.add(m.messageId())).forEach(received::add);
            }
            List<Map.Entry<Message, OnFailureMessage>> ranges = new ArrayList<>();
            for (Message m : received) {
                try {
                    ranges.add(Map.entry(m, OnFailureMessage.parse(m.body())));
                } catch (IllegalArgumentException e) {
                    add(items, new Item("sqs:" + m.messageId(), null, Action.FAILED, 0, e.getMessage()
                            + "; left in the queue"));
                }
            }
            ranges.sort(Map.Entry.comparingByValue(Comparator.comparing(OnFailureMessage::streamArn)
                    .thenComparing(OnFailureMessage::shardId)
                    .thenComparing(OnFailureMessage::start)));
            Set<String> done = new HashSet<>();
            for (Map.Entry<Message, OnFailureMessage> e : ranges) {
                Message m = e.getKey();
                OnFailureMessage range = e.getValue();
                Item item;
                if (!done.add(range.rangeKey())) {
                    item = new Item("sqs:" + m.messageId(), range.describe(), Action.RECOVERED, 0,
                            "the same range as an earlier message of this run: recovered once");
                } else {
                    item = recoverOne(m, range);
                }
                if ((item.action() == Action.RECOVERED) && !dryRun && !keepMessages) {
                    try {
                        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
                        deleted.add(m.messageId());
                    } catch (SdkException ex) {
                        item = new Item(item.source(), item.range(), Action.FAILED, item.records(), item.detail()
                                + ", but deleting the message failed (" + reason(ex) + "): a rerun finds it again");
                    }
                }
                add(items, item);
            }
        } finally {
            for (Message m : received) {
                if (!deleted.contains(m.messageId())) {
                    try {
                        sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())
                                .visibilityTimeout(0));
                    } catch (SdkException e) {
                        // visible again anyway when its visibility timeout ends
                    }
                }
            }
        }
        return summary(received.size(), items);
    }

    private void add(List<Item> items, Item item) {
        items.add(item);
        if (listener != null) {
            listener.accept(item);
        }
    }

    private Item recoverOne(Message m, OnFailureMessage range) {
        String source = "sqs:" + m.messageId();
        String what = range.describe();
        if (target != null && range.type() == OnFailureMessage.Type.DYNAMODB) {
            return new Item(source, what, Action.FAILED, 0, "DynamoDB Streams records cannot be put onto a stream "
                    + "(a DynamoDB stream is written only by its table): recover them with --to-dir; the message "
                    + "is left in the queue");
        }
        Path file = toDirectory == null ? null : fileFor(range);
        if (file != null && Files.exists(file)) {
            return new Item(source, what, Action.RECOVERED, 0, "already written to " + file + " by an earlier run");
        }
        RangeRead read;
        try {
            read = range.type() == OnFailureMessage.Type.KINESIS
                    ? RangeReader.kinesis(kinesis, range)
                    : RangeReader.dynamoDb(dynamoDbStreams, range);
        } catch (RuntimeException e) {
            return new Item(source, what, Action.FAILED, 0, "reading the range failed: " + reason(e));
        }
        if (read.status() == RangeRead.Status.FAILED) {
            return new Item(source, what, Action.FAILED, 0, read.detail() + "; the message is left in the queue");
        }
        if (read.status() == RangeRead.Status.PAST_RETENTION) {
            return new Item(source, what, Action.PAST_RETENTION, 0, read.detail());
        }
        String note = read.detail() == null ? "" : "; " + read.detail();
        int count = read.records().size();
        String extra = range.batchSize() > 0 && count > range.batchSize() && read.status() == RangeRead.Status.COMPLETE
                ? " (more than the batch's " + range.batchSize() + ": with ParallelizationFactor > 1 the range holds"
                + " other keys' records, which Lambda processed; the consumer's dedup skips those)"
                : "";
        if (dryRun) {
            return new Item(source, what, Action.WOULD_RECOVER, count, "read " + count + " records" + extra
                    + ", would " + (file != null ? "write them to " + file : "put them onto stream " + targetStream)
                    + note);
        }
        Action done = read.status() == RangeRead.Status.COMPLETE ? Action.RECOVERED : Action.PAST_RETENTION;
        if (file != null) {
            try {
                write(file, range, read.records());
            } catch (UncheckedIOException e) {
                return new Item(source, what, Action.FAILED, 0, "writing " + file + " failed: " + reason(e));
            }
            return new Item(source, what, done, count, "wrote " + count + " records" + extra + " to " + file + note);
        }
        return put(source, what, range, read.records(), done, extra + note);
    }

    private Item put(String source, String what, OnFailureMessage range, List<RecoveredRecord> records, Action done,
                     String note) {
        String key = JOURNAL_PREFIX + range.rangeKey();
        java.math.BigInteger upTo = journal == null ? null
                : journal.get(key).map(java.math.BigInteger::new).orElse(null);
        OrderedPuts puts = new OrderedPuts(target, targetStream);
        int put = 0;
        int already = 0;
        for (RecoveredRecord r : records) {
            if (upTo != null && r.sequence().compareTo(upTo) <= 0) {
                already++;
                continue;
            }
            Record k = ((RecoveredRecord.Kinesis) r).record();
            try {
                puts.put(k.partitionKey(), null, k.data());
            } catch (SdkException e) {
                // Stop at the first refused put: later records of the shard stay behind it, in order, for a rerun.
                return new Item(source, what, Action.FAILED, put, "put " + put + " records onto stream "
                        + targetStream + ", then the put of sequence number " + k.sequenceNumber() + " failed: "
                        + reason(e) + "; the message is left in the queue"
                        + (journal == null ? " (a rerun puts the range again from its start: give --journal)"
                        : " (a rerun with the same journal goes on from there)"));
            }
            put++;
            if (journal != null) {
                journal.put(key, k.sequenceNumber());
            }
        }
        return new Item(source, what, done, put, "put " + put + " records onto stream " + targetStream
                + (already == 0 ? "" : " (" + already + " put by an earlier run, in the journal)") + note);
    }

    /** {@code DIR/<stream resource>/<shard>/<first>-<last>.jsonl}: one file per range, the same on every run. */
    Path fileFor(OnFailureMessage range) {
        String stream = range.resource().replaceAll("[^A-Za-z0-9._-]", "_");
        return toDirectory.resolve(stream).resolve(range.shardId())
                .resolve(range.startSequenceNumber() + "-" + range.endSequenceNumber() + ".jsonl");
    }

    private static void write(Path file, OnFailureMessage range, List<RecoveredRecord> records) {
        try {
            Files.createDirectories(file.getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            try (Writer w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                for (RecoveredRecord r : records) {
                    w.write(LambdaRecordJson.MAPPER.writeValueAsString(r.lambdaJson(range)));
                    w.write('\n');
                }
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Summary summary(int messages, List<Item> items) {
        int recovered = 0;
        int records = 0;
        int would = 0;
        int past = 0;
        int failed = 0;
        for (Item i : items) {
            records += i.records();
            switch (i.action()) {
                case RECOVERED -> recovered++;
                case WOULD_RECOVER -> would++;
                case PAST_RETENTION -> past++;
                case FAILED -> failed++;
            }
        }
        return new Summary(dryRun, messages, recovered, records, would, past, failed, items);
    }

    private static String reason(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }

    /** Builds a {@link FailedBatchRecoverer}. Not thread-safe; {@link #build()} validates. */
    public static final class Builder {
        private SqsClient sqs;
        private KinesisClient kinesis;
        private DynamoDbStreamsClient dynamoDbStreams;
        private Path toDirectory;
        private KinesisClient target;
        private String targetStream;
        private boolean dryRun;
        private boolean keepMessages;
        private int maxMessages = 1_000;
        private Duration visibilityTimeout = Duration.ofMinutes(10);
        private Journal journal;
        private Consumer<Item> listener;

        private Builder() {
        }

        /** Required: the client for the on-failure queue. */
        public Builder sqs(SqsClient sqs) {
            this.sqs = sqs;
            return this;
        }

        /** To read Kinesis ranges (the source streams' account and region). */
        public Builder kinesis(KinesisClient kinesis) {
            this.kinesis = kinesis;
            return this;
        }

        /** To read DynamoDB Streams ranges. */
        public Builder dynamoDbStreams(DynamoDbStreamsClient dynamoDbStreams) {
            this.dynamoDbStreams = dynamoDbStreams;
            return this;
        }

        /** Write each range to a file under this directory (or use {@link #toStream}). */
        public Builder toDirectory(Path directory) {
            this.toDirectory = directory;
            return this;
        }

        /** Put Kinesis ranges onto this stream, name or ARN, with {@code client} (or use {@link #toDirectory}). */
        public Builder toStream(KinesisClient client, String nameOrArn) {
            this.target = client;
            this.targetStream = nameOrArn;
            return this;
        }

        /** Read the ranges and report; write, put and delete nothing. Default false. */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /** Leave recovered messages in the queue. Default false (deleted once recovered). */
        public Builder keepMessages(boolean keepMessages) {
            this.keepMessages = keepMessages;
            return this;
        }

        /** Cap on messages read in one run. Default 1,000. */
        public Builder maxMessages(int maxMessages) {
            this.maxMessages = maxMessages;
            return this;
        }

        /** How long received messages stay hidden while the run works. Default 10 minutes; at most 12 hours. */
        public Builder visibilityTimeout(Duration visibilityTimeout) {
            this.visibilityTimeout = visibilityTimeout;
            return this;
        }

        /** Where puts are journalled for a rerun (see the class comment). Optional; the caller's. */
        public Builder journal(Journal journal) {
            this.journal = journal;
            return this;
        }

        /** Called with each item as it is handled (progress). Optional. */
        public Builder listener(Consumer<Item> listener) {
            this.listener = listener;
            return this;
        }

        /** @throws IllegalArgumentException naming what to set or change */
        public FailedBatchRecoverer build() {
            if (sqs == null) {
                throw new IllegalArgumentException("FailedBatchRecoverer needs an SqsClient: call sqs(client)");
            }
            if ((toDirectory == null) == (target == null)) {
                throw new IllegalArgumentException("FailedBatchRecoverer needs exactly one of toDirectory(dir) or "
                        + "toStream(client, stream)");
            }
            if (target != null && (targetStream == null || targetStream.isBlank())) {
                throw new IllegalArgumentException("toStream needs a stream name or ARN");
            }
            if (maxMessages < 1) {
                throw new IllegalArgumentException("maxMessages must be at least 1, got " + maxMessages);
            }
            if (visibilityTimeout == null || visibilityTimeout.toSeconds() < 1
                    || visibilityTimeout.compareTo(Duration.ofHours(12)) > 0) {
                throw new IllegalArgumentException("visibilityTimeout must be between 1 second and 12 hours, got "
                        + visibilityTimeout);
            }
            return new FailedBatchRecoverer(this);
        }
    }
}
