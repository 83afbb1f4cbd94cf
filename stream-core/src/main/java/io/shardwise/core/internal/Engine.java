package io.shardwise.core.internal;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.BatchResult;
import io.shardwise.core.FailureMode;
import io.shardwise.core.NonRetryableException;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.RecordOutcome;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.DedupStore.Watermark;
import io.shardwise.core.sink.FailureSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine behind {@link io.shardwise.core.BatchProcessor}.
 *
 * <p>A batch runs in three phases: (1) with a dedup store, decode every record and derive its dedup key, in
 * order (failures become per-record decode errors); without one, records are decoded in their lane instead, just
 * before they run; (2) one batched read of what the dedup store already knows; (3) run the records in "lanes": one
 * lane for the whole batch when sequential, one lane per partition key when key-parallel. A lane runs its records
 * strictly in order and writes only its own slots, so results need no locking; the join of the lane futures
 * publishes them. A decoded payload is dropped once its record has run. The response names the lowest record that
 * is not done.
 *
 * <p>Thread-safe: all per-batch state lives in {@link Batch}.
 */
public final class Engine<R, T> {
    private static final Logger BATCH_LOG = LoggerFactory.getLogger("io.shardwise.batch");
    private static final Logger RECORD_LOG = LoggerFactory.getLogger("io.shardwise.record");
    /** Lease length when there is no Lambda context to bound it (tests, local runs). */
    private static final Duration DEFAULT_LEASE = Duration.ofMinutes(15);
    /** In transactional mode, commit a lane's staged records once this many items are pending. */
    private static final int COMMIT_THRESHOLD_ITEMS = 1_000;

    private final RecordProcessor<T> processor;
    private final RecordDecoder<R, T> decoder;
    private final ProcessingConfig config;
    private final DedupStore store;
    private final FailureSink sink;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final BatchReporter reporter;

    public Engine(RecordProcessor<T> processor, RecordDecoder<R, T> decoder, ProcessingConfig config) {
        this.processor = processor;
        this.decoder = decoder;
        this.config = config;
        this.store = config.dedupStore().orElse(null);
        this.sink = config.failureSink().orElse(null);
        if (config.maxConcurrency() > 1 && config.executor().isEmpty()) {
            this.ownedExecutor = Executors.newFixedThreadPool(config.maxConcurrency(), daemonThreads());
            this.executor = ownedExecutor;
        } else {
            this.ownedExecutor = null;
            this.executor = config.executor().orElse(null);
        }
        this.reporter = new BatchReporter(config);
    }

    public ProcessingConfig config() {
        return config;
    }

    public void close() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
    }

    public BatchResult process(List<StreamRecord<R>> records, Context context) {
        long startNanos = System.nanoTime();
        if (records == null || records.isEmpty()) {
            return new BatchResult(List.of(), new StreamsEventResponse(new ArrayList<>()), Duration.ZERO);
        }
        processor.onBatchStart(records);
        Batch batch = new Batch(records, context);
        batch.prepare();
        batch.prefetch();
        batch.run();
        BatchResult result = batch.result(Duration.ofNanos(System.nanoTime() - startNanos));
        reporter.report(records, result, batch.dedupCalls.get(), config.clock().instant());
        try {
            processor.onBatchEnd(result);
        } catch (RuntimeException e) {
            BATCH_LOG.warn("onBatchEnd threw; the batch result stands", e);
        }
        return result;
    }

    /** One record's place in the batch. Written only by the lane that owns it. */
    private final class Slot implements java.util.function.Supplier<String> {
        final int index;
        final StreamRecord<R> raw;
        StreamRecord<T> decoded;
        RuntimeException decodeError;
        String dedupKey;
        String id;
        String validation;
        String watermarkId;
        /** Watermark mode: the dedup key is not the stream position, so a marker catches producer duplicates. */
        boolean payloadKeyed;
        Outcome outcome;
        Throwable error;
        int attempts;
        /** {@link #position()}, parsed once: a sequence number is up to 128 bits, compared several times. */
        private Watermark position;

        Slot(int index, StreamRecord<R> raw) {
            this.index = index;
            this.raw = raw;
        }

        /** The position key, for {@link RecordContext#withDeferredDedupKey}: no supplier object per record. */
        @Override
        public String get() {
            return raw.positionKey();
        }

        /** The record's shard position. Throws NumberFormatException for a non-numeric sequence number. */
        Watermark position() {
            if (position == null) {
                position = new Watermark(new BigInteger(raw.sequenceNumber()), raw.subSequenceNumber());
            }
            return position;
        }

        void set(Outcome o, Throwable e, int attemptCount) {
            this.outcome = o;
            this.error = e;
            this.attempts = attemptCount;
        }
    }

    /** Everything about one invocation's batch. */
    private final class Batch {
        final Context context;
        final List<Slot> slots;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger dedupCalls = new AtomicInteger();
        final Map<String, DedupStore.Entry> known = new HashMap<>();
        final Map<String, Watermark> watermarks = new HashMap<>();
        /** For watermark mode: failure entries of the first unfinished record of each scope. */
        final Map<String, DedupStore.Entry> failureEntries = new HashMap<>();
        final AtomicReference<RuntimeException> fatal = new AtomicReference<>();
        final boolean keyParallel = config.maxConcurrency() > 1;
        final long marginMillis = config.deadlineMargin().toMillis();
        final boolean isolate = config.failureMode() == FailureMode.ISOLATE_PARTITION_KEY;
        final DedupMode mode = store == null ? null : config.dedupMode();

        Batch(List<StreamRecord<R>> records, Context context) {
            this.context = context;
            this.slots = new ArrayList<>(records.size());
            for (int i = 0; i < records.size(); i++) {
                StreamRecord<R> raw = records.get(i);
                if (raw == null) {
                    throw new StreamProcessingException("Record " + i + " of the batch is null: the adapter "
                            + "built an invalid batch; failing the whole batch so that nothing is skipped");
                }
                slots.add(new Slot(i, raw));
            }
        }

        /**
         * With a dedup store, decodes every record and derives its keys up front: the batched read needs all ids.
         * Without one there is nothing to read, so each record is decoded in its lane just before it runs and
         * dropped after: a large batch never holds all its decoded payloads at once.
         */
        void prepare() {
            if (store == null) {
                return;
            }
            for (Slot s : slots) {
                decode(s);
                deriveKeys(s);
            }
        }

        void decode(Slot s) {
            try {
                T payload = decoder.decode(s.raw);
                s.decoded = s.raw.withPayload(payload);
            } catch (Exception e) {
                // Adapters' decode exceptions already name the record; don't say it twice.
                String what = e instanceof NonRetryableException ? e.getMessage()
                        : "Cannot decode the payload of " + s.raw.describe() + ": " + e.getMessage();
                // The outcome (parked, or failed when no sink takes it) is reported separately: don't claim it.
                s.decodeError = new DecodeException(what + ". Not retried: fix the producer or the decoder.", e);
            }
        }

        /** Dedup key, marker id, payload hash and watermark scope of a decoded record (store configured). */
        void deriveKeys(Slot s) {
            if (s.decoded != null) {
                try {
                    s.dedupKey = processor.dedupKey(s.decoded);
                    if (s.dedupKey == null || s.dedupKey.isBlank()) {
                        throw new IllegalStateException("dedupKey returned "
                                + (s.dedupKey == null ? "null" : "a blank key"));
                    }
                } catch (RuntimeException e) {
                    s.decodeError = new DecodeException("Cannot derive the dedup key of " + s.raw.describe()
                            + ": " + e.getMessage() + ". The record is parked; check "
                            + processor.getClass().getSimpleName() + ".dedupKey for this payload.", e);
                    s.dedupKey = null;
                }
            }
            if (s.dedupKey == null) {
                s.dedupKey = s.raw.positionKey();
            }
            s.id = Hashing.dedupId(config.consumerName(), s.dedupKey);
            if (config.payloadValidation()) {
                s.validation = Hashing.sha256Hex(s.raw.data());
            }
            if (mode == DedupMode.WATERMARK) {
                // Per partition key unless the user declared a shard-wide watermark safe (see
                // ProcessingConfig.shardWatermark): with ParallelizationFactor > 1 a shard's records run
                // in several concurrent batches, and only per-key order holds.
                s.watermarkId = Hashing.watermarkId(config.consumerName(), s.raw.sourceArn(),
                        s.raw.shardId(), config.shardWatermark() ? null : WatermarkScope.of(s.raw));
                s.payloadKeyed = !s.dedupKey.equals(s.raw.positionKey());
            }
        }

        void prefetch() {
            if (store == null) {
                return;
            }
            if (mode == DedupMode.WATERMARK) {
                List<String> ids = slots.stream().map(s -> s.watermarkId).distinct().toList();
                watermarks.putAll(storeCall(() -> store.readWatermarks(ids), "read watermarks"));
                // Attempt counts of the first record past each watermark: the only ones that can be retries.
                Map<String, String> firstPending = new LinkedHashMap<>();
                for (Slot s : slots) {
                    Watermark wm = watermarks.get(s.watermarkId);
                    if ((wm == null || s.position().compareTo(wm) > 0)) {
                        firstPending.putIfAbsent(s.watermarkId, s.id);
                    }
                }
                // Plus the markers of payload-keyed records: producer duplicates carry new positions.
                java.util.Set<String> markerIds = new java.util.LinkedHashSet<>(firstPending.values());
                for (Slot s : slots) {
                    if (s.payloadKeyed) {
                        markerIds.add(s.id);
                    }
                }
                if (!markerIds.isEmpty()) {
                    List<String> ids2 = List.copyOf(markerIds);
                    failureEntries.putAll(storeCall(() -> store.read(ids2), "read markers"));
                }
            } else {
                List<String> ids = slots.stream().map(s -> s.id).distinct().toList();
                known.putAll(storeCall(() -> store.read(ids), "read markers"));
            }
        }

        void run() {
            if (!keyParallel) {
                runLane(slots);
                return;
            }
            Map<String, List<Slot>> lanes = new LinkedHashMap<>();
            for (Slot s : slots) {
                lanes.computeIfAbsent(nullToEmpty(s.raw.partitionKey()), k -> new ArrayList<>()).add(s);
            }
            // maxConcurrency workers pull whole lanes from a queue: bounded concurrency, order kept per key.
            ConcurrentLinkedQueue<List<Slot>> queue = new ConcurrentLinkedQueue<>(lanes.values());
            int workers = Math.min(config.maxConcurrency(), lanes.size());
            List<CompletableFuture<Void>> futures = new ArrayList<>(workers);
            for (int w = 0; w < workers; w++) {
                futures.add(CompletableFuture.runAsync(() -> {
                    List<Slot> lane;
                    while ((lane = queue.poll()) != null) {
                        runLane(lane);
                    }
                }, executor));
            }
            try {
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (cause instanceof Error err) {
                    throw err;
                }
                fatal.compareAndSet(null, cause instanceof RuntimeException re ? re
                        : new StreamProcessingException("Key-parallel worker failed", cause));
            }
            if (fatal.get() != null) {
                throw fatal.get();
            }
        }

        /** Runs records strictly in order. Writes only the given slots. */
        void runLane(List<Slot> lane) {
            LaneState state = new LaneState(watermarks);
            try {
                for (Slot s : lane) {
                    if (s.outcome != null) {
                        continue;
                    }
                    if (stop.get() || fatal.get() != null
                            || (isolate && state.failedKeys.contains(nullToEmpty(s.raw.partitionKey())))) {
                        s.set(Outcome.NOT_ATTEMPTED, null, 0);
                        continue;
                    }
                    if (outOfTime()) {
                        stop.set(true);
                        s.set(Outcome.NOT_ATTEMPTED, null, 0);
                        continue;
                    }
                    handle(s, state);
                    if (s.outcome == Outcome.FAILED || s.outcome == Outcome.NOT_ATTEMPTED) {
                        laneFailure(s, state);
                    }
                    if (state.interrupted) {
                        // Usually the runtime shutting down: start nothing more, in any lane. What did not run
                        // is NOT_ATTEMPTED and redelivered.
                        stop.set(true);
                    }
                }
                finishLane(state);
            } catch (RuntimeException e) {
                fatal.compareAndSet(null, e);
                stop.set(true);
                if (!keyParallel) {
                    throw e;
                }
            } finally {
                if (state.interrupted) {
                    // The lane's store calls are done: hand the interrupt back to whoever owns this thread.
                    Thread.currentThread().interrupt();
                }
            }
        }

        void laneFailure(Slot s, LaneState state) {
            if (isolate) {
                state.failedKeys.add(nullToEmpty(s.raw.partitionKey()));
            } else {
                stop.set(true);
            }
        }

        boolean outOfTime() {
            return context != null && context.getRemainingTimeInMillis() <= marginMillis;
        }

        void handle(Slot s, LaneState state) {
            try {
                if (store == null) {
                    decode(s);
                    if (s.decodeError != null) {
                        fail(s, s.decodeError, 1, null, false);
                    } else {
                        runProcessor(s, 1, null, state);
                    }
                    return;
                }
                switch (mode) {
                    case PER_RECORD -> handlePerRecord(s, state);
                    case WATERMARK -> handleWatermark(s, state);
                    case TRANSACTIONAL -> handleTransactional(s, state);
                    default -> throw new IllegalStateException("unknown mode " + mode);
                }
                // A record parked for reusing another payload's key does not own the key: later records compare
                // with the one that does.
                if (s.outcome != null && s.outcome.isDone() && !(s.error instanceof PayloadMismatchException)) {
                    state.firstById.putIfAbsent(s.id, s);
                }
            } finally {
                // The processor has had it; parking and reporting use the raw record. Frees large batches early.
                s.decoded = null;
            }
        }

        // ---- PER_RECORD ------------------------------------------------------------------------------------

        void handlePerRecord(Slot s, LaneState state) {
            Instant now = config.clock().instant();
            if (skipIfKnownDone(s, known.get(s.id), now) || skipIfDoneEarlierInLane(s, state)) {
                return;
            }
            if (s.decodeError != null) {
                DedupStore.Entry failures = known.get(s.id);
                fail(s, s.decodeError, failures == null ? 1 : failures.attempts() + 1, null, false);
                return;
            }
            DedupStore.ClaimResult claim = storeCall(() -> store.claim(s.id, s.validation, leaseUntil(now),
                    expiresAt(now)), "claim");
            if (claim instanceof DedupStore.Rejected rejected) {
                DedupStore.Entry existing = rejected.existing();
                if (skipIfKnownDone(s, existing, config.clock().instant())) {
                    return;
                }
                s.set(Outcome.FAILED, new LeaseHeldException(s.raw.describe() + " is being processed by another "
                        + "invocation (lease until " + Instant.ofEpochMilli(existing.inProgressExpirationMillis())
                        + "); it will be retried"), 0);
                logFailure(s);
                return;
            }
            DedupStore.Claimed claimed = (DedupStore.Claimed) claim;
            int attempt = claimed.failedAttempts() + 1;
            if (runProcessor(s, attempt, claimed.leaseToken(), state)) {
                boolean kept = storeCall(() -> store.complete(s.id, claimed.leaseToken(),
                        expiresAt(config.clock().instant())), "complete");
                if (!kept) {
                    logLeaseLost(s, "the lease expired before completion and another invocation took it; the effect "
                            + "may happen twice");
                }
            }
        }

        /** Whether the marker says done; sets SKIPPED_DUPLICATE (or a mismatch failure) if so. */
        boolean skipIfKnownDone(Slot s, DedupStore.Entry entry, Instant now) {
            if (entry == null || !entry.isDone(now)) {
                return false;
            }
            PayloadMismatchException e = mismatch(s, entry, now);
            if (e != null) {
                // The key is done, with another payload: report it (park), never overwrite the marker.
                parkOrFail(s, e, entry.attempts() + 1, null, true, false);
                return true;
            }
            s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
            return true;
        }

        /** A done key whose stored payload hash differs from this record's, or null. */
        PayloadMismatchException mismatch(Slot s, DedupStore.Entry entry, Instant now) {
            if (entry == null || !entry.isDone(now) || s.validation == null || entry.validation() == null
                    || entry.validation().equals(s.validation)) {
                return null;
            }
            return new PayloadMismatchException("Dedup key of " + s.raw.describe()
                    + " was already processed with a different payload (stored hash " + entry.validation()
                    + ", this payload " + s.validation + "). Check that " + processor.getClass().getSimpleName()
                    + ".dedupKey is unique per event; the record is parked for inspection.");
        }

        /** A producer duplicate of an earlier record of this lane, already done: skip it. */
        boolean skipIfDoneEarlierInLane(Slot s, LaneState state) {
            Slot earlier = state.firstById.get(s.id);
            if (earlier != null && earlier.outcome != null && earlier.outcome.isDone()) {
                PayloadMismatchException e = mismatchWithin(s, earlier);
                if (e != null) {
                    parkOrFail(s, e, 1, null, true, false); // reported like a stored mismatch, never skipped
                    return true;
                }
                s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
                return true;
            }
            return false;
        }

        /**
         * A record sharing its dedup key with an earlier record of this batch but not its payload hash (only with
         * payloadValidation), or null. The same check as against a stored marker: the key is reused, so the record
         * is reported (parked), not skipped.
         */
        PayloadMismatchException mismatchWithin(Slot s, Slot earlier) {
            if (earlier == null || s.validation == null || earlier.validation == null
                    || s.validation.equals(earlier.validation)) {
                return null;
            }
            return new PayloadMismatchException("Dedup key of " + s.raw.describe() + " is also the key of "
                    + earlier.raw.describe() + " earlier in this batch, with a different payload (hash "
                    + earlier.validation + ", this payload " + s.validation + "). Check that "
                    + processor.getClass().getSimpleName() + ".dedupKey is unique per event; the record is parked "
                    + "for inspection.");
        }

        // ---- WATERMARK -------------------------------------------------------------------------------------

        void handleWatermark(Slot s, LaneState state) {
            Watermark current = state.watermark(s.watermarkId);
            if (current != null && s.position().compareTo(current) <= 0) {
                s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
                return;
            }
            DedupStore.Entry marker = failureEntries.get(s.id);
            if (s.payloadKeyed && (skipIfKnownDone(s, marker, config.clock().instant())
                    || skipIfDoneEarlierInLane(s, state))) {
                // Done under its payload key (a producer duplicate): the watermark moves past it too.
                if (s.outcome.isDone()) {
                    advanceAfter(s, state);
                }
                return;
            }
            int attempt = marker == null || marker.isDone(config.clock().instant()) ? 1 : marker.attempts() + 1;
            if (s.decodeError != null) {
                fail(s, s.decodeError, attempt, null, false);
            } else {
                runProcessor(s, attempt, null, state);
            }
            if (s.outcome == Outcome.PROCESSED && s.payloadKeyed) {
                state.markers.add(new DedupStore.Staged(s.id, s.validation, List.of()));
            }
            if (s.outcome == Outcome.PROCESSED || s.outcome == Outcome.PARKED) {
                advanceAfter(s, state);
            }
        }

        void advanceAfter(Slot s, LaneState state) {
            state.pendingAdvance(s);
            if (state.sinceAdvance >= config.watermarkGroupSize()) {
                advanceWatermarks(state);
            }
        }

        void advanceWatermarks(LaneState state) {
            if (!state.markers.isEmpty()) {
                // Markers of payload-keyed records first: a crash between the two then replays records whose
                // markers exist, which are skipped; the other order could forget a producer duplicate's marker.
                List<DedupStore.Staged> markers = List.copyOf(state.markers);
                Instant exp = expiresAt(config.clock().instant());
                storeCall(() -> store.commit(markers, exp), "write markers");
                state.markers.clear();
            }
            for (Map.Entry<String, Watermark> e : state.pending.entrySet()) {
                String wmId = e.getKey();
                Watermark next = e.getValue();
                Watermark expected = state.watermark(wmId);
                Instant exp = expiresAt(config.clock().instant());
                boolean moved = storeCall(() -> store.advanceWatermark(wmId, expected, next, exp), "advance watermark");
                if (!moved) {
                    // Another invocation moved it: re-read and move forward from there if we are ahead.
                    Watermark theirs = storeCall(() -> store.readWatermarks(List.of(wmId)), "read watermark").get(wmId);
                    RECORD_LOG.warn("{\"event\":\"watermark_race\",\"consumer\":\"{}\",\"detail\":\"another "
                            + "invocation advanced the watermark concurrently; effects between the two may have run "
                            + "twice\"}", config.consumerName());
                    if (theirs == null || theirs.compareTo(next) < 0) {
                        storeCall(() -> store.advanceWatermark(wmId, theirs, next, exp), "advance watermark");
                        state.watermarks.put(wmId, next);
                    } else {
                        state.watermarks.put(wmId, theirs);
                    }
                } else {
                    state.watermarks.put(wmId, next);
                }
            }
            state.pending.clear();
            state.sinceAdvance = 0;
        }

        // ---- TRANSACTIONAL ---------------------------------------------------------------------------------

        void handleTransactional(Slot s, LaneState state) {
            Instant now = config.clock().instant();
            DedupStore.Entry entry = known.get(s.id);
            PayloadMismatchException mismatch = mismatch(s, entry, now);
            if (mismatch != null) {
                // Parking makes it done: not ahead of earlier records still staged.
                commitPending(state);
                if (stop.get() || (isolate && state.failedKeys.contains(nullToEmpty(s.raw.partitionKey())))) {
                    s.set(Outcome.NOT_ATTEMPTED, null, 0);
                } else {
                    parkOrFail(s, mismatch, entry.attempts() + 1, null, true, false);
                }
                return;
            }
            if (skipIfKnownDone(s, entry, now)) {
                return;
            }
            Slot earlier = state.stagedIds.containsKey(s.id) ? state.stagedIds.get(s.id) : state.firstById.get(s.id);
            PayloadMismatchException within = mismatchWithin(s, earlier);
            if (within != null) {
                // Parking makes it done: not ahead of earlier records still staged.
                commitPending(state);
                if (stop.get() || (isolate && state.failedKeys.contains(nullToEmpty(s.raw.partitionKey())))) {
                    s.set(Outcome.NOT_ATTEMPTED, null, 0);
                } else {
                    parkOrFail(s, within, 1, null, true, false);
                }
                return;
            }
            // A duplicate of a record staged earlier in this lane: its fate follows the earlier one's commit.
            if (state.stagedIds.containsKey(s.id)) {
                state.duplicatesOfStaged.add(new DupPair(s, state.stagedIds.get(s.id)));
                s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
                return;
            }
            if (skipIfDoneEarlierInLane(s, state)) {
                return;
            }
            DedupStore.Entry failures = known.get(s.id);
            int attempt = failures == null || failures.isExpired(now) ? 1 : failures.attempts() + 1;
            if (s.decodeError != null) {
                failAfterStaged(s, s.decodeError, attempt, false, state);
                return;
            }
            StagingWrites writes = new StagingWrites();
            Throwable error = invoke(s, attempt, writes, state);
            if (error != null) {
                failAfterStaged(s, error, attempt, true, state);
                return;
            }
            // Not done until committed: keep it pending.
            s.outcome = null;
            s.attempts = attempt;
            state.staged.add(new StagedSlot(s, writes.items()));
            state.stagedIds.put(s.id, s);
            state.stagedItems += writes.items().size() + 1;
            if (state.stagedItems >= COMMIT_THRESHOLD_ITEMS) {
                commitPending(state);
            }
        }

        /**
         * A record failed while earlier records of the lane are staged but not committed. Commit them first: if
         * one of them fails, this record must not be parked (done) ahead of it, so it becomes NOT_ATTEMPTED.
         */
        void failAfterStaged(Slot s, Throwable error, int attempt, boolean countAttempt, LaneState state) {
            commitPending(state);
            if (stop.get() || (isolate && state.failedKeys.contains(nullToEmpty(s.raw.partitionKey())))) {
                s.set(Outcome.NOT_ATTEMPTED, null, 0);
                return;
            }
            fail(s, error, attempt, null, countAttempt);
        }

        void commitPending(LaneState state) {
            if (state.staged.isEmpty()) {
                return;
            }
            List<DedupStore.Staged> toCommit = new ArrayList<>(state.staged.size());
            for (StagedSlot st : state.staged) {
                toCommit.add(new DedupStore.Staged(st.slot.id, st.slot.validation, st.items));
            }
            Instant exp = expiresAt(config.clock().instant());
            List<DedupStore.CommitResult> results = storeCall(() -> store.commit(toCommit, exp), "commit");
            if (results.size() != toCommit.size()) {
                throw new StreamProcessingException("Dedup store returned " + results.size() + " commit results for "
                        + toCommit.size() + " records; failing the batch");
            }
            for (int i = 0; i < results.size(); i++) {
                Slot s = state.staged.get(i).slot;
                DedupStore.CommitResult r = results.get(i);
                switch (r.status()) {
                    case COMMITTED -> {
                        s.set(Outcome.PROCESSED, null, s.attempts);
                        // Done now: later duplicates in this lane are skipped without running the processor.
                        state.firstById.putIfAbsent(s.id, s);
                    }
                    case DUPLICATE -> s.set(Outcome.SKIPPED_DUPLICATE, null, 0);
                    case FAILED -> {
                        fail(s, r.error() != null ? r.error()
                                : new StreamProcessingException("Transaction failed for " + s.raw.describe()), s.attempts,
                                null, true);
                        laneFailure(s, state);
                    }
                    case NOT_COMMITTED -> {
                        s.set(Outcome.NOT_ATTEMPTED, null, 0);
                        laneFailure(s, state);
                    }
                    default -> throw new IllegalStateException("unknown commit status " + r.status());
                }
            }
            // Producer duplicates within the lane follow the record they duplicate. One left undone is a record of
            // its own partition key that is not done: in isolate mode nothing later of that key may run after it.
            for (DupPair pair : state.duplicatesOfStaged) {
                Outcome first = pair.original.outcome;
                if (first == null || !first.isDone()) {
                    pair.duplicate.set(Outcome.NOT_ATTEMPTED, null, 0);
                    laneFailure(pair.duplicate, state);
                }
            }
            state.duplicatesOfStaged.clear();
            state.staged.clear();
            state.stagedIds.clear();
            state.stagedItems = 0;
        }

        void finishLane(LaneState state) {
            if (mode == DedupMode.TRANSACTIONAL) {
                commitPending(state);
            }
            if (mode == DedupMode.WATERMARK && !state.pending.isEmpty()) {
                advanceWatermarks(state);
            }
        }

        // ---- shared ----------------------------------------------------------------------------------------

        /**
         * Runs the processor for one record. On success sets PROCESSED and returns true; on failure records the
         * failure (park or fail) and returns false.
         */
        boolean runProcessor(Slot s, int attempt, String leaseToken, LaneState state) {
            Throwable error = invoke(s, attempt, null, state);
            if (error == null) {
                return true;
            }
            fail(s, error, attempt, leaseToken, true);
            return false;
        }

        /**
         * Runs the processor; sets PROCESSED and returns null on success, else returns the failure (unrecorded).
         *
         * <p>An interrupt (an {@link InterruptedException}, or the flag a processor restored before returning or
         * throwing) is taken off the thread and noted in the lane: the AWS SDK aborts calls made on an interrupted
         * thread, so with the flag set this record's failure count, parking or commit would be lost, or the batch
         * failed for the wrong reason. {@link #runLane} stops the batch after this record and sets the flag again
         * once the lane's store calls are done.
         */
        Throwable invoke(Slot s, int attempt, StagingWrites writes, LaneState state) {
            RecordContext rc = store != null ? new RecordContext(attempt, s.dedupKey, context, writes)
                    : RecordContext.withDeferredDedupKey(attempt, s, context, writes);
            Throwable failure = null;
            try {
                processor.process(s.decoded, rc);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                failure = e;
            }
            if (Thread.interrupted() || failure instanceof InterruptedException) {
                state.interrupted = true;
            }
            if (failure == null) {
                s.set(Outcome.PROCESSED, null, attempt);
            }
            return failure;
        }

        /**
         * Classifies a failure and parks the record or leaves it FAILED, updating the store.
         *
         * @param countAttempt whether this failure counts against the attempt budget in the store (decode errors
         *                     are parked at once and need no count)
         */
        void fail(Slot s, Throwable error, int attempt, String leaseToken, boolean countAttempt) {
            boolean retryable;
            try {
                retryable = !(error instanceof DecodeException) && processor.isRetryable(error);
            } catch (RuntimeException e) {
                retryable = true;
            }
            if (!retryable) {
                parkOrFail(s, error, attempt, leaseToken, false, true);
                return;
            }
            if (store != null && countAttempt && leaseToken != null && attempt >= config.maxAttempts()) {
                // The last attempt, under a lease: park while still holding it, so that the PARKED write is
                // conditional on the lease. Recording the failure first would release the lease, and the marker of
                // an invocation that took the record over (and may have completed it) could then be overwritten.
                // While the lease is held nothing else changes the item, so the count is this attempt's number.
                parkOrFail(s, retriesExhausted(s, error, attempt), attempt, leaseToken, false, true);
                return;
            }
            int attempts = attempt;
            if (store != null && countAttempt) {
                Instant exp = expiresAt(config.clock().instant());
                int recorded = storeCall(() -> store.recordFailure(s.id, leaseToken, exp), "record failure");
                if (recorded < 0) {
                    // The lease was lost, or (without leases) the key is done: another invocation has the record.
                    // Parking would overwrite its marker; the redelivery sees what it did.
                    s.set(Outcome.FAILED, error, attempt);
                    logFailure(s);
                    return;
                }
                attempts = recorded;
            }
            if (store != null && attempts >= config.maxAttempts()) {
                parkOrFail(s, retriesExhausted(s, error, attempts), attempts, null, true, true);
                return;
            }
            s.set(Outcome.FAILED, error, attempts);
            logFailure(s);
        }

        RetriesExhaustedException retriesExhausted(Slot s, Throwable error, int attempts) {
            return new RetriesExhaustedException(s.raw.describe() + " failed " + attempts + " times (maxAttempts "
                    + config.maxAttempts() + "); last error: " + error, error);
        }

        /**
         * Hands the record to the sink; PARKED only once the sink accepted it, else FAILED.
         *
         * @param failureRecorded whether the store already counted this failure (else it is counted if parking
         *                        fails, which also releases a held lease)
         * @param touchMarker     whether to write the record's marker (false when the key is done already)
         */
        void parkOrFail(Slot s, Throwable error, int attempts, String leaseToken, boolean failureRecorded,
                        boolean touchMarker) {
            Throwable reported = error instanceof RetriesExhaustedException && error.getCause() != null
                    ? error.getCause() : error;
            Exception sinkError = null;
            if (sink == null) {
                sinkError = new StreamProcessingException("no failureSink is configured (set "
                        + "ProcessingConfig.failureSink(...), or a poison record blocks its shard until it expires)");
            } else {
                try {
                    sink.park(reporter.parked(s.raw, store == null ? null : s.id, reported, attempts,
                            config.clock().instant()));
                } catch (Exception e) {
                    sinkError = e;
                }
            }
            if (sinkError != null) {
                if (store != null && touchMarker && !failureRecorded) {
                    Instant exp = expiresAt(config.clock().instant());
                    storeCall(() -> store.recordFailure(s.id, leaseToken, exp), "record failure");
                }
                StreamProcessingException e = new StreamProcessingException("Could not park " + s.raw.describe()
                        + ": " + sinkError.getMessage() + ". It stays FAILED and will be redelivered. Original error: "
                        + BatchReporter.errorClassOf(error) + ": " + error.getMessage(), sinkError);
                e.addSuppressed(error); // callers can still test the original failure's type
                s.set(Outcome.FAILED, e, attempts);
                logFailure(s);
                return;
            }
            if (store != null && touchMarker && (mode != DedupMode.WATERMARK || s.payloadKeyed)) {
                Instant exp = expiresAt(config.clock().instant());
                boolean kept = storeCall(() -> store.markParked(s.id, leaseToken, exp), "mark parked");
                if (!kept) {
                    // As for a lost lease on completion: the record is where PARKED says (in the sink); the other
                    // invocation's marker stands.
                    logLeaseLost(s, "the lease expired before the record was marked parked and another invocation "
                            + "took it; the record is in the failure sink and may also be processed by that "
                            + "invocation");
                }
            }
            s.set(Outcome.PARKED, reported, attempts);
            reporter.logParked(s.raw, reported, attempts);
        }

        void logFailure(Slot s) {
            reporter.logFailed(s.raw, s.error, s.attempts);
        }

        void logLeaseLost(Slot s, String detail) {
            RECORD_LOG.warn("{\"event\":\"lease_lost\",\"consumer\":\"{}\",\"record\":\"{}\",\"detail\":\"{}. "
                    + "Raise the function timeout or lower the batch size.\"}", config.consumerName(),
                    s.raw.describe(), detail);
        }

        Instant leaseUntil(Instant now) {
            if (context == null) {
                return now.plus(DEFAULT_LEASE);
            }
            return now.plusMillis(Math.max(1, context.getRemainingTimeInMillis()));
        }

        Instant expiresAt(Instant now) {
            return now.plus(config.recordTtl());
        }

        <X> X storeCall(StoreOp<X> op, String what) {
            dedupCalls.incrementAndGet();
            try {
                return op.run();
            } catch (StreamProcessingException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new StreamProcessingException("Dedup store failed to " + what + " for consumer "
                        + config.consumerName() + ": " + e + ". The whole batch fails so that Lambda retries it; "
                        + "check the dedup table and the function's access to it.", e);
            }
        }

        BatchResult result(Duration duration) {
            List<RecordOutcome> outcomes = new ArrayList<>(slots.size());
            Slot lowest = null;
            for (Slot s : slots) {
                if (s.outcome == null) {
                    // Staged but never committed (cannot happen after finishLane; be conservative).
                    s.set(Outcome.NOT_ATTEMPTED, null, 0);
                }
                outcomes.add(new RecordOutcome(s.raw.sequenceNumber(), s.raw.subSequenceNumber(),
                        s.raw.partitionKey(), s.outcome, s.error, s.attempts));
                if (!s.outcome.isDone() && (lowest == null || compareSequence(s, lowest) < 0)) {
                    lowest = s;
                }
            }
            List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>(1);
            if (lowest != null) {
                failures.add(new StreamsEventResponse.BatchItemFailure(lowest.raw.sequenceNumber()));
            }
            return new BatchResult(outcomes, new StreamsEventResponse(failures), duration);
        }
    }

    private int compareSequence(Slot a, Slot b) {
        try {
            int c = a.position().sequenceNumber().compareTo(b.position().sequenceNumber());
            return c != 0 ? c : Integer.compare(a.index, b.index);
        } catch (NumberFormatException e) {
            return Integer.compare(a.index, b.index);
        }
    }

    /** Per-lane mutable state; confined to the lane's thread. */
    private final class LaneState {
        final java.util.Set<String> failedKeys = new java.util.HashSet<>();
        /** The lane's thread was interrupted while a record ran; the flag is set again when the lane ends. */
        boolean interrupted;
        final Map<String, Watermark> watermarks = new HashMap<>();
        final Map<String, Watermark> pending = new LinkedHashMap<>();
        /** Watermark mode: markers of processed payload-keyed records, written with the next advance. */
        final List<DedupStore.Staged> markers = new ArrayList<>();
        int sinceAdvance;
        final List<StagedSlot> staged = new ArrayList<>();
        final Map<String, Slot> stagedIds = new HashMap<>();
        final List<DupPair> duplicatesOfStaged = new ArrayList<>();
        int stagedItems;
        /** First done record per dedup id in this lane, for producer duplicates within a batch. */
        final Map<String, Slot> firstById = new HashMap<>();
        /** The batch-level watermarks read at prefetch; read-only once lanes run. */
        final Map<String, Watermark> initial;

        LaneState(Map<String, Watermark> initial) {
            this.initial = initial;
        }

        Watermark watermark(String wmId) {
            Watermark w = watermarks.get(wmId);
            return w != null ? w : initial.get(wmId);
        }

        void pendingAdvance(Slot s) {
            pending.put(s.watermarkId, s.position());
            sinceAdvance++;
        }
    }

    /** A producer duplicate staged behind the record it duplicates. */
    private final class DupPair {
        final Slot duplicate;
        final Slot original;

        DupPair(Slot duplicate, Slot original) {
            this.duplicate = duplicate;
            this.original = original;
        }
    }

    private final class StagedSlot {
        final Slot slot;
        final List<software.amazon.awssdk.services.dynamodb.model.TransactWriteItem> items;

        StagedSlot(Slot slot, List<software.amazon.awssdk.services.dynamodb.model.TransactWriteItem> items) {
            this.slot = slot;
            this.items = items;
        }
    }

    @FunctionalInterface
    private interface StoreOp<X> {
        X run();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "shardwise-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
