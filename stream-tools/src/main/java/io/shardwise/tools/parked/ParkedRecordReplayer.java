package io.shardwise.tools.parked;

import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.sink.KinesisFailureSink;
import io.shardwise.core.sink.ParkedObjectKeys;
import io.shardwise.core.sink.ParkedRecord;
import io.shardwise.core.sink.ParkedRecordJson;
import io.shardwise.core.sink.S3FailureSink;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.tools.Journal;
import io.shardwise.tools.OrderedPuts;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * The replay tool: reads parked records from an SQS queue ({@link SqsFailureSink}) or an S3 prefix
 * ({@link S3FailureSink}) and puts each record's <em>original</em> payload back onto a Kinesis stream with its
 * original partition key and explicit hash key ({@code PutRecord}), following S3 spill pointers. The
 * {@code replay-parked} command of {@code stream-tools} runs it (see the module's README).
 *
 * <pre>{@code
 * ParkedRecordReplayer replayer = ParkedRecordReplayer.builder()
 *         .kinesis(kinesis).streamName("orders")
 *         .sqs(sqs).s3(s3)          // the sources you read from (S3 also for spilled records)
 *         .dryRun(true)             // report only
 *         .build();
 * ParkedRecordReplayer.Summary summary = replayer.replayFromSqs(queueUrl);
 * }</pre>
 * From a shell: {@code java -jar stream-tools.jar replay-parked --from-sqs URL --to-stream NAME --dry-run}.
 *
 * <p><b>Order.</b> Records are put in order of source stream ARN, shard, sequence number (as a number) and
 * sub-sequence number, each put naming the previous put of the same partition key as
 * {@code SequenceNumberForOrdering}, so every partition key's records land in the order they were parked. When a
 * put fails, later records with the same partition key are skipped (left where they are) so a rerun replays them
 * in order; other keys go on. SQS standard queues return messages in no order: all messages (up to
 * {@link Builder#maxRecords}) are received before anything is put, then sorted. FIFO queues are read round by
 * round, because SQS returns a message group's later messages only once its earlier ones are deleted.
 *
 * <p><b>What changes.</b> An SQS message is deleted only after its record's put succeeded; messages not deleted
 * (failed, skipped, dry run) are made visible again at the end of the run. A message that appears twice in one
 * run (SQS standard queues deliver at least once; a retried park sends twice) is replayed once, its copies
 * deleted with it. S3 objects, and the S3 objects spill pointers name, are deleted after a successful put only
 * with {@link Builder#deleteAfterReplay(boolean)}. A dry run puts and deletes nothing; note that SQS has no way
 * to look at messages without receiving them, so a dry run does raise their receive count (mind a redrive
 * policy's {@code maxReceiveCount}) and, on a FIFO queue, sees only each group's first messages.
 *
 * <p><b>Dedup markers.</b> A record carries its dedup marker id when its consumer has a dedup store. Given that
 * store ({@link Builder#dedupStore}), the replayer releases the record's {@code PARKED} marker (a delete only if
 * still {@code PARKED}) just before the put, so that a record parked under a payload-derived key (an event id)
 * runs when it comes back instead of being skipped as a duplicate. Without the store such a record is
 * {@link Action#FAILED} and left where it is; records under the default position key need no release (their new
 * position is a new key). The marker is released before the put, the message deleted after it: a put that fails
 * leaves the message for a rerun, and the marker, already gone, is not needed again.
 *
 * <p><b>Resuming.</b> Given a {@link Journal} ({@link Builder#journal}), every successful put is written to it
 * (and forced to disk) before its message or object is removed; a later run with the same journal does not put
 * a journalled record again, it only removes it from the source. So a run that crashed, or was stopped, is
 * finished by running it again: at most the one record whose put was in flight at the crash is put twice
 * (at-least-once, which the consumer's dedup absorbs). Without a journal, an SQS run resumes through the queue
 * itself (a put record's message is deleted), an S3 run only with {@link Builder#deleteAfterReplay}.
 *
 * <p><b>Errors.</b> A problem with one message or object (not a parked record, a spill object missing, a put
 * refused) is reported in the {@link Summary}, not thrown. Listing or receiving from the source failing throws
 * the AWS SDK's exception; what was done before stays done and is not reported.
 *
 * <p><b>Thread-safety:</b> immutable; each call works on its own state, so concurrent calls are safe, though two
 * runs on one source compete for its messages. The clients are the caller's, used but never closed.
 */
public final class ParkedRecordReplayer {

    /** Default cap on messages or objects read in one run. */
    public static final int DEFAULT_MAX_RECORDS = 10_000;
    /** Default time a received SQS message stays invisible to others while the run works. */
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofMinutes(10);

    private final KinesisClient kinesis;
    private final String streamName;
    private final String streamArn;
    private final SqsClient sqs;
    private final S3Client s3;
    private final boolean dryRun;
    private final boolean deleteAfterReplay;
    private final int maxRecords;
    private final Duration visibilityTimeout;
    private final ReplayMarkers markers;
    private final Journal journal;
    private final Consumer<Item> listener;

    private ParkedRecordReplayer(Builder b) {
        this.kinesis = b.kinesis;
        this.streamName = b.streamName;
        this.streamArn = b.streamArn;
        this.sqs = b.sqs;
        this.s3 = b.s3;
        this.dryRun = b.dryRun;
        this.deleteAfterReplay = b.deleteAfterReplay;
        this.maxRecords = b.maxRecords;
        this.visibilityTimeout = b.visibilityTimeout;
        this.markers = new ReplayMarkers(b.dedupStore);
        this.journal = b.journal;
        this.listener = b.listener;
    }

    /** A builder; {@link Builder#kinesis} and the target stream are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** What a run did, or in a dry run would do, with one message or object. */
    public enum Action {
        /** Put back onto the stream (and, for SQS, deleted from the queue). */
        REPLAYED,
        /** Dry run: would be put back. */
        WOULD_REPLAY,
        /**
         * Deliberately not put: a duplicate, a record an earlier run already put (in the journal), a record held
         * back behind a failed record of the same partition key, or an S3 object that is not {@code .json}.
         */
        SKIPPED,
        /** Could not be read or put; left where it was. */
        FAILED
    }

    /**
     * One message or object.
     *
     * @param source where it was: {@code sqs:<message id>} or {@code s3://bucket/key}
     * @param record the record (shard, sequence number), or null when it could not be read
     * @param action what happened
     * @param detail for {@code REPLAYED}/{@code WOULD_REPLAY} the partition key and size; otherwise the reason
     */
    public record Item(String source, String record, Action action, String detail) {
        /** {@code ACTION source (record): detail}, for people. */
        public String line() {
            return action + " " + source + (record == null ? "" : " (" + record + ")")
                    + (detail == null ? "" : ": " + detail);
        }
    }

    /**
     * The outcome of a run.
     *
     * @param dryRun      whether it was a dry run
     * @param found       messages or objects read
     * @param replayed    records put back onto the stream (0 in a dry run)
     * @param wouldReplay records a dry run would put back (0 otherwise)
     * @param skipped     duplicates, records already put by an earlier run, records held back behind a failed
     *                    record of their key, non-{@code .json} objects
     * @param failed      messages or objects that could not be read or put
     * @param items       every message or object, in the order they were handled
     */
    public record Summary(boolean dryRun, int found, int replayed, int wouldReplay, int skipped, int failed,
                          List<Item> items) {
        /** Copies {@code items}. */
        public Summary {
            items = List.copyOf(items);
        }

        /** One line per item and the totals, for people. */
        public String render() {
            StringBuilder s = new StringBuilder();
            for (Item i : items) {
                s.append(i.line()).append('\n');
            }
            return s.append(totals()).append('\n').toString();
        }

        /** The totals line: {@code [DRY RUN: ]found N, replayed N, would replay N, skipped N, failed N}. */
        public String totals() {
            return (dryRun ? "DRY RUN: " : "") + "found " + found + ", replayed " + replayed + ", would replay "
                    + wouldReplay + ", skipped " + skipped + ", failed " + failed;
        }
    }

    /**
     * Replays the records parked in an SQS queue (see the class comment for order and what is deleted when).
     *
     * @throws IllegalStateException if no SQS client was given
     * @throws SdkException          if receiving from the queue fails
     */
    public Summary replayFromSqs(String queueUrl) {
        if (sqs == null) {
            throw new IllegalStateException("replayFromSqs needs an SQS client: builder().sqs(sqsClient)");
        }
        Objects.requireNonNull(queueUrl, "queueUrl");
        Run run = new Run();
        List<Message> inFlight = new ArrayList<>();
        Set<String> seenMessageIds = new HashSet<>();
        Set<String> deleted = new HashSet<>();
        boolean fifo = SqsFailureSink.isFifo(queueUrl);
        try {
            while (run.found < maxRecords) {
                List<Candidate> round = new ArrayList<>();
                boolean more = true;
                while (more && run.found < maxRecords) {
                    List<Message> batch = sqs.receiveMessage(ReceiveMessageRequest.builder()
                            .queueUrl(queueUrl)
                            .maxNumberOfMessages(Math.min(10, maxRecords - run.found))
                            .waitTimeSeconds(1)
                            .visibilityTimeout((int) visibilityTimeout.toSeconds())
                            .build()).messages();
                    more = !batch.isEmpty();
                    for (Message m : batch) {
                        if (!seenMessageIds.add(m.messageId())) {
                            continue; // received again after its visibility lapsed: already handled this run
                        }
                        inFlight.add(m);
                        run.found++;
                        round.add(sqsCandidate(queueUrl, m, deleted));
                    }
                    if (fifo) {
                        break; // handle what SQS gave us before asking for the groups' next messages
                    }
                }
                if (round.isEmpty()) {
                    break;
                }
                run.handle(round, false);
                if (!fifo) {
                    break; // a standard queue was drained in one round
                }
            }
        } finally {
            for (Message m : inFlight) {
                if (!deleted.contains(m.messageId())) {
                    release(queueUrl, m);
                }
            }
        }
        return run.summary();
    }

    /**
     * Replays the records parked under an S3 prefix ({@code .json} objects written by {@link S3FailureSink}),
     * in order of consumer, shard and sequence number as their keys say.
     *
     * @param prefix the sink's key prefix; null or empty for the whole bucket
     * @throws IllegalStateException if no S3 client was given
     * @throws SdkException          if listing the bucket fails
     */
    public Summary replayFromS3(String bucket, String prefix) {
        if (s3 == null) {
            throw new IllegalStateException("replayFromS3 needs an S3 client: builder().s3(s3Client)");
        }
        Objects.requireNonNull(bucket, "bucket");
        String normalized = ParkedObjectKeys.normalizePrefix(prefix);
        ListObjectsV2Request.Builder list = ListObjectsV2Request.builder().bucket(bucket);
        if (!normalized.isEmpty()) {
            list.prefix(normalized + "/");
        }
        List<String> keys = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2Paginator(list.build()).contents()) {
            if (keys.size() >= maxRecords) {
                break;
            }
            keys.add(o.key());
        }
        // Keys carry consumer, shard and sequence number: sort on them so objects are read one at a time, in
        // order, instead of all at once. Keys of another shape go last, in key order.
        keys.sort(Comparator.comparing((String k) -> ParkedObjectKeys.position(k).orElse(null),
                        Comparator.nullsLast(ParkedObjectKeys.Position.ORDER))
                .thenComparing(Comparator.naturalOrder()));
        Run run = new Run();
        run.found = keys.size();
        List<Candidate> candidates = new ArrayList<>();
        for (String key : keys) {
            candidates.add(s3Candidate(bucket, key));
        }
        run.handle(candidates, true);
        return run.summary();
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A message or object to replay; its record is read lazily (S3 objects one at a time). */
    private abstract static class Candidate {
        final String source;

        Candidate(String source) {
            this.source = source;
        }

        /** The full record, spill pointers followed; throws with the reason when it cannot be read. */
        abstract ParkedRecord load();

        /** Called after the put succeeded (or, for a duplicate, after its original's put succeeded). */
        abstract void replayed();
    }

    /** An object that is plainly not a parked record (not {@code .json}): skipped, not failed. */
    private static final class NotParked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotParked(String message) {
            super(message, null, false, false);
        }
    }

    private final class Run {
        int found;
        final List<Item> items = new ArrayList<>();

        void add(Item item) {
            items.add(item);
            if (listener != null) {
                listener.accept(item);
            }
        }
        /** Records already put (or seen, in a dry run), by identity: later copies are duplicates. */
        final Map<String, String> replayedIdentities = new HashMap<>();
        /** Partition keys whose put failed in this run: their later records are held back. */
        final Map<String, String> blockedKeys = new HashMap<>();
        /** The puts of this run, in order per partition key. */
        final OrderedPuts puts = new OrderedPuts(kinesis, streamArn != null ? streamArn : streamName);

        /**
         * Replays the candidates. Unsorted ones (SQS messages, in memory already) are all read, then sorted into
         * {@link #RECORD_ORDER}; presorted ones (S3 keys) are read and put one at a time, so a large prefix is
         * never held in memory.
         */
        void handle(List<Candidate> candidates, boolean presorted) {
            List<Map.Entry<Candidate, ParkedRecord>> loaded = new ArrayList<>();
            for (Candidate c : candidates) {
                ParkedRecord r;
                try {
                    r = c.load();
                } catch (NotParked e) {
                    add(new Item(c.source, null, Action.SKIPPED, e.getMessage()));
                    continue;
                } catch (RuntimeException e) {
                    add(new Item(c.source, null, Action.FAILED, reason(e)));
                    continue;
                }
                if (presorted) {
                    replayOne(c, r);
                } else {
                    loaded.add(Map.entry(c, r));
                }
            }
            loaded.sort(Map.Entry.comparingByValue(RECORD_ORDER));
            for (Map.Entry<Candidate, ParkedRecord> e : loaded) {
                replayOne(e.getKey(), e.getValue());
            }
        }

        private void replayOne(Candidate c, ParkedRecord r) {
            String identity = identity(r);
            String original = replayedIdentities.get(identity);
            if (original != null) {
                String detail = "duplicate of " + original + ", replayed once";
                if (!dryRun) {
                    try {
                        c.replayed();
                    } catch (RuntimeException e) {
                        detail += "; removing this copy failed: " + reason(e);
                    }
                }
                add(new Item(c.source, r.describe(), Action.SKIPPED, detail));
                return;
            }
            if (journal != null && journal.get(JOURNAL_PREFIX + identity).isPresent()) {
                String detail = "already put by an earlier run (journal " + journal.path() + ")";
                if (!dryRun) {
                    try {
                        c.replayed();
                        detail += "; removed from the source now";
                    } catch (RuntimeException e) {
                        detail += "; removing it from the source failed: " + reason(e);
                    }
                }
                replayedIdentities.put(identity, c.source);
                add(new Item(c.source, r.describe(), Action.SKIPPED, detail));
                return;
            }
            String partitionKey = KinesisFailureSink.partitionKeyFor(r);
            String blocker = blockedKeys.get(partitionKey);
            if (blocker != null) {
                add(new Item(c.source, r.describe(), Action.SKIPPED, "held back to keep order: the earlier "
                        + blocker + " with partition key " + partitionKey + " failed"));
                return;
            }
            byte[] payload;
            try {
                payload = r.payload();
            } catch (IllegalArgumentException e) {
                fail(c, r, partitionKey, "payloadBase64 is not valid base64: " + e.getMessage());
                return;
            }
            ReplayMarkers.Decision marker = markers.prepare(r, dryRun);
            if (!marker.put()) {
                fail(c, r, partitionKey, marker.note());
                return;
            }
            String what = payload.length + " bytes with partition key " + partitionKey
                    + (r.explicitHashKey() == null ? "" : " and explicit hash key " + r.explicitHashKey())
                    + " onto " + target()
                    + (marker.note() == null ? "" : " (" + marker.note() + ")");
            if (dryRun) {
                replayedIdentities.put(identity, c.source);
                add(new Item(c.source, r.describe(), Action.WOULD_REPLAY, "would put " + what));
                return;
            }
            PutRecordResponse response;
            try {
                // A null explicit hash key: Kinesis hashes the partition key, as at first.
                response = puts.put(partitionKey, r.explicitHashKey(), SdkBytes.fromByteArray(payload));
            } catch (SdkException e) {
                fail(c, r, partitionKey, "put failed: " + reason(e));
                return;
            }
            replayedIdentities.put(identity, c.source);
            String detail = "put " + what + " as " + response.shardId() + "/" + response.sequenceNumber();
            if (journal != null) {
                // Before the message or object goes: a crash between the two is finished by the next run
                // without a second put. Journal trouble stops the run (thrown), as a source that fails does.
                journal.put(JOURNAL_PREFIX + identity, response.shardId() + "/" + response.sequenceNumber());
            }
            try {
                c.replayed();
            } catch (RuntimeException e) {
                // The put happened: do not hold the key back, but say loudly that a rerun would put it again.
                add(new Item(c.source, r.describe(), Action.FAILED, detail + ", but removing it from the "
                        + "source failed (" + reason(e) + "); a rerun would replay it again"));
                return;
            }
            add(new Item(c.source, r.describe(), Action.REPLAYED, detail));
        }

        private void fail(Candidate c, ParkedRecord r, String partitionKey, String reason) {
            blockedKeys.putIfAbsent(partitionKey, r.describe());
            add(new Item(c.source, r.describe(), Action.FAILED, reason));
        }

        Summary summary() {
            int replayed = 0;
            int would = 0;
            int skipped = 0;
            int failed = 0;
            for (Item i : items) {
                switch (i.action()) {
                    case REPLAYED -> replayed++;
                    case WOULD_REPLAY -> would++;
                    case SKIPPED -> skipped++;
                    case FAILED -> failed++;
                }
            }
            return new Summary(dryRun, found, replayed, would, skipped, failed, items);
        }
    }

    private static final String JOURNAL_PREFIX = "replayed ";

    /** Source stream, shard, sequence number as a number (when it is one), sub-sequence number. */
    static final Comparator<ParkedRecord> RECORD_ORDER = Comparator
            .comparing((ParkedRecord r) -> String.valueOf(r.sourceArn()))
            .thenComparing(ParkedRecord::shardId)
            .thenComparing(ParkedRecord::sequenceNumber, ParkedRecordReplayer::compareSequenceNumbers)
            .thenComparingLong(ParkedRecord::subSequenceNumber);

    static int compareSequenceNumbers(String a, String b) {
        Optional<BigInteger> x = number(a);
        Optional<BigInteger> y = number(b);
        if (x.isPresent() && y.isPresent()) {
            return x.get().compareTo(y.get());
        }
        return a.compareTo(b);
    }

    private static Optional<BigInteger> number(String s) {
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        return Optional.of(new BigInteger(s));
    }

    private static String identity(ParkedRecord r) {
        return String.join("\u0000", String.valueOf(r.consumerName()), String.valueOf(r.sourceArn()), r.shardId(),
                r.sequenceNumber(), Long.toString(r.subSequenceNumber()));
    }

    private Candidate sqsCandidate(String queueUrl, Message m, Set<String> deleted) {
        return new Candidate("sqs:" + m.messageId()) {
            ParkedRecordJson.SpillPointer pointer;

            @Override
            ParkedRecord load() {
                ParkedRecordJson.Parsed parsed;
                try {
                    parsed = ParkedRecordJson.parse(m.body());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not a parked record: " + e.getMessage(), e);
                }
                if (!parsed.isSpilled()) {
                    return parsed.record();
                }
                pointer = parsed.spilledTo();
                return readSpill(pointer);
            }

            @Override
            void replayed() {
                sqs.deleteMessage(DeleteMessageRequest.builder()
                        .queueUrl(queueUrl).receiptHandle(m.receiptHandle()).build());
                deleted.add(m.messageId());
                if (deleteAfterReplay && pointer != null) {
                    s3.deleteObject(d -> d.bucket(pointer.bucket()).key(pointer.key()));
                }
            }
        };
    }

    private Candidate s3Candidate(String bucket, String key) {
        return new Candidate("s3://" + bucket + "/" + key) {
            ParkedRecordJson.SpillPointer pointer;

            @Override
            ParkedRecord load() {
                if (!key.endsWith(ParkedObjectKeys.SUFFIX)) {
                    throw new NotParked("not a parked record: the key does not end in " + ParkedObjectKeys.SUFFIX);
                }
                String json = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build())
                        .asString(StandardCharsets.UTF_8);
                ParkedRecordJson.Parsed parsed;
                try {
                    parsed = ParkedRecordJson.parse(json);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not a parked record: " + e.getMessage(), e);
                }
                if (!parsed.isSpilled()) {
                    return parsed.record();
                }
                pointer = parsed.spilledTo();
                return readSpill(pointer);
            }

            @Override
            void replayed() {
                if (deleteAfterReplay) {
                    s3.deleteObject(d -> d.bucket(bucket).key(key));
                    if (pointer != null) {
                        s3.deleteObject(d -> d.bucket(pointer.bucket()).key(pointer.key()));
                    }
                }
            }
        };
    }

    private ParkedRecord readSpill(ParkedRecordJson.SpillPointer pointer) {
        if (s3 == null) {
            throw new IllegalStateException("the record was spilled to s3://" + pointer.bucket() + "/"
                    + pointer.key() + "; give the replayer an S3 client (builder().s3(s3Client)) to follow it");
        }
        return readSpill(s3, pointer);
    }

    /**
     * The full record a spill pointer names.
     *
     * @throws IllegalStateException    if reading the object fails
     * @throws IllegalArgumentException if the object is not a parked record
     */
    static ParkedRecord readSpill(S3Client s3, ParkedRecordJson.SpillPointer pointer) {
        String where = "s3://" + pointer.bucket() + "/" + pointer.key();
        String json;
        try {
            json = s3.getObjectAsBytes(b -> b.bucket(pointer.bucket()).key(pointer.key()))
                    .asString(StandardCharsets.UTF_8);
        } catch (SdkException e) {
            throw new IllegalStateException("reading the spilled record " + where + " failed: " + reason(e), e);
        }
        try {
            return ParkedRecordJson.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the spilled object " + where + " is not a parked record: "
                    + e.getMessage(), e);
        }
    }

    private void release(String queueUrl, Message m) {
        try {
            sqs.changeMessageVisibility(ChangeMessageVisibilityRequest.builder()
                    .queueUrl(queueUrl).receiptHandle(m.receiptHandle()).visibilityTimeout(0).build());
        } catch (SdkException e) {
            // It becomes visible anyway when its visibility timeout ends; nothing is lost.
        }
    }

    private String target() {
        return "stream " + (streamArn != null ? streamArn : streamName);
    }

    static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getName() : m;
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Builds a {@link ParkedRecordReplayer}. Not thread-safe; {@link #build()} validates. */
    public static final class Builder {
        private KinesisClient kinesis;
        private String streamName;
        private String streamArn;
        private SqsClient sqs;
        private S3Client s3;
        private boolean dryRun;
        private boolean deleteAfterReplay;
        private int maxRecords = DEFAULT_MAX_RECORDS;
        private Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
        private DedupStore dedupStore;
        private Journal journal;
        private Consumer<Item> listener;

        private Builder() {
        }

        /**
         * The consumer's dedup store (the same table and consumer name it parks with). Needed to replay records
         * parked under a payload-derived dedup key: their {@code PARKED} marker is released before the put (the
         * replayer's role needs {@code dynamodb:DeleteItem} on the table). Optional; see the class comment.
         */
        public Builder dedupStore(DedupStore dedupStore) {
            this.dedupStore = dedupStore;
            return this;
        }

        /**
         * Where successful puts are written, so a rerun after a crash does not put them again (see the class
         * comment). Optional; the journal is the caller's (never closed here).
         */
        public Builder journal(Journal journal) {
            this.journal = journal;
            return this;
        }

        /**
         * Called with each item as soon as it is handled, on the calling thread (progress reports). Optional; an
         * exception it throws stops the run.
         */
        public Builder listener(Consumer<Item> listener) {
            this.listener = listener;
            return this;
        }

        /** Required: the client for the target stream (yours; never closed here). */
        public Builder kinesis(KinesisClient kinesis) {
            this.kinesis = kinesis;
            return this;
        }

        /** The target stream's name (or use {@link #streamArn}). */
        public Builder streamName(String streamName) {
            this.streamName = streamName;
            return this;
        }

        /** The target stream's ARN (or use {@link #streamName}). */
        public Builder streamArn(String streamArn) {
            this.streamArn = streamArn;
            return this;
        }

        /** Needed for {@link #replayFromSqs}. */
        public Builder sqs(SqsClient sqs) {
            this.sqs = sqs;
            return this;
        }

        /** Needed for {@link #replayFromS3} and to follow S3 spill pointers. */
        public Builder s3(S3Client s3) {
            this.s3 = s3;
            return this;
        }

        /** Report only: put nothing, delete nothing. Default false. */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /** Delete S3 objects (the source's, and spill objects) after their record was put. Default false. */
        public Builder deleteAfterReplay(boolean deleteAfterReplay) {
            this.deleteAfterReplay = deleteAfterReplay;
            return this;
        }

        /**
         * Cap on messages or objects read in one run; rerun for more. Default 10,000. For S3, keep it above the
         * prefix's object count when sequence numbers differ in length: S3 lists keys in text order, so a capped
         * listing could leave a shard's numerically earlier record for the next run.
         */
        public Builder maxRecords(int maxRecords) {
            this.maxRecords = maxRecords;
            return this;
        }

        /**
         * How long received SQS messages stay hidden from other readers while the run works; longer than the run.
         * Default 10 minutes; at most 12 hours (SQS's limit).
         */
        public Builder visibilityTimeout(Duration visibilityTimeout) {
            this.visibilityTimeout = visibilityTimeout;
            return this;
        }

        /** @throws IllegalArgumentException naming what to set or change */
        public ParkedRecordReplayer build() {
            if (kinesis == null) {
                throw new IllegalArgumentException("ParkedRecordReplayer needs a KinesisClient: call kinesis(client)");
            }
            boolean hasName = streamName != null && !streamName.isBlank();
            boolean hasArn = streamArn != null && !streamArn.isBlank();
            if (hasName == hasArn) {
                throw new IllegalArgumentException("ParkedRecordReplayer needs exactly one of streamName(name) or "
                        + "streamArn(arn)" + (hasName ? ", not both" : ""));
            }
            if (maxRecords < 1) {
                throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
            }
            if (visibilityTimeout == null || visibilityTimeout.toSeconds() < 1
                    || visibilityTimeout.compareTo(Duration.ofHours(12)) > 0) {
                throw new IllegalArgumentException("visibilityTimeout must be between 1 second and 12 hours, got "
                        + visibilityTimeout);
            }
            return new ParkedRecordReplayer(this);
        }
    }
}
