package io.shardwise.testkit.esm.internal;

import io.shardwise.testkit.FakeContext;
import io.shardwise.testkit.esm.Checkpoint;
import io.shardwise.testkit.esm.CheckpointStore;
import io.shardwise.testkit.esm.DynamoDbStreamRecord;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.Invocation;
import io.shardwise.testkit.esm.Invocation.Outcome;
import io.shardwise.testkit.esm.KinesisStreamRecord;
import io.shardwise.testkit.esm.OnFailureRecord;
import io.shardwise.testkit.esm.StartingPosition;
import io.shardwise.testkit.esm.SourceRecord;
import io.shardwise.testkit.esm.StreamSource;
import io.shardwise.testkit.esm.StreamSource.Page;
import io.shardwise.testkit.esm.StreamSource.Position;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event source mapping itself: discovers shards, polls each one on its own thread, spreads its records over
 * {@code ParallelizationFactor} slots by partition key, and has each slot form batches, invoke the function (on a
 * separate thread, abandoned after the function timeout), read the response and retry, bisect, discard or
 * checkpoint as Lambda does.
 *
 * <p>Threads (all daemon): one discovery thread; per shard one reader and one thread per slot; invocations on a
 * cached pool. Per shard, one lock guards the slots' queues, the outstanding sequence numbers and the checkpoint.
 *
 * <p>A record enters a slot's queue when read and leaves it only when it is done (processed, or discarded to the
 * on-failure destination); done records are always a prefix of the queue, because a slot works in order. The
 * shard's checkpoint is the highest done sequence number below every outstanding one, so with several slots it
 * never passes a record another slot still holds.
 */
public final class Engine {

    private static final Logger LOG = LoggerFactory.getLogger("io.shardwise.testkit.esm");

    /** Lambda ends a tumbling window early when its state exceeds 1 MB. */
    static final int WINDOW_STATE_LIMIT_BYTES = 1024 * 1024;

    /** Lambda's synchronous invocation payload limit, which caps a batch (6 MB). */
    static final long MAX_PAYLOAD_BYTES = 6L * 1024 * 1024;

    private static final Duration RECHECK = Duration.ofMillis(10);

    private final EventSourceMapping mapping;
    private final StreamSource source;
    private final FunctionInvoker invoker;
    private final boolean windowed;
    private final Journal journal = new Journal();
    private final Clock clock;
    private final CheckpointStore store;
    private final Map<String, ShardConsumer> shards = new LinkedHashMap<>(); // guarded by shards
    private final ExecutorService invocations;
    private final List<Thread> threads = new ArrayList<>(); // guarded by threads
    private final String name;

    private volatile boolean running;
    private volatile boolean started;
    private volatile long lastDiscoveryStartNanos = Long.MIN_VALUE;
    private volatile String streamArn;
    private Thread discovery;
    private final Object discoveryWake = new Object();
    private boolean discoveryRequested; // guarded by discoveryWake

    public Engine(EventSourceMapping mapping, StreamSource source, FunctionInvoker invoker, boolean windowed) {
        this.mapping = mapping;
        this.source = source;
        this.invoker = invoker;
        this.windowed = windowed;
        this.clock = mapping.clock();
        this.store = mapping.checkpointStore();
        this.name = "esm-" + mapping.functionName() + "-" + mapping.uuid().substring(0, Math.min(8, mapping.uuid().length()));
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory =
                r -> {
                    Thread t = new Thread(r, name + "-invoke-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
        this.invocations = Executors.newCachedThreadPool(factory);
    }

    public Journal journal() {
        return journal;
    }

    public String streamArn() {
        return streamArn;
    }

    public boolean isRunning() {
        return running;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Lists the shards once (so a missing stream fails here), then starts polling. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("the runner was already started; build a new one to start again");
        }
        started = true;
        try {
            streamArn = source.streamArn();
            running = true;
            discover(true);
        } catch (RuntimeException e) {
            running = false;
            shardsSnapshot().forEach(ShardConsumer::wake);
            invocations.shutdownNow();
            throw e;
        }
        discovery = newThread(name + "-discovery", this::discoveryLoop);
        discovery.start();
        LOG.debug("event source mapping {} started on {} ({} shards): {}", name, streamArn, shardCount(), mapping);
    }

    /** Stops polling, lets in-flight invocations finish (each within the function timeout) and waits for threads. */
    public void close() {
        if (!running) {
            invocations.shutdownNow();
            return;
        }
        running = false;
        discoverSoon();
        shardsSnapshot().forEach(ShardConsumer::wake);
        journal.poke();
        long deadline = System.nanoTime() + mapping.functionTimeout().plusSeconds(10).toNanos();
        List<Thread> all;
        synchronized (threads) {
            all = new ArrayList<>(threads);
        }
        for (Thread t : all) {
            long left = deadline - System.nanoTime();
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                LOG.warn("{}: thread {} did not stop in time; interrupting it", name, t.getName());
                t.interrupt();
            }
        }
        invocations.shutdownNow();
        LOG.debug("event source mapping {} closed after {} invocations", name, journal.invocations().size());
    }

    private Thread newThread(String threadName, Runnable body) {
        Thread t =
                new Thread(
                        () -> {
                            try {
                                body.run();
                            } catch (Throwable e) {
                                LOG.error("{}: thread {} died", name, Thread.currentThread().getName(), e);
                            }
                        },
                        threadName);
        t.setDaemon(true);
        synchronized (threads) {
            threads.add(t);
        }
        return t;
    }

    // ------------------------------------------------------------------------------------------------ discovery

    /** Makes the discovery thread list the shards now rather than at its next interval. */
    public void discoverSoon() {
        synchronized (discoveryWake) {
            discoveryRequested = true;
            discoveryWake.notifyAll();
        }
    }

    private void discoveryLoop() {
        int failures = 0;
        while (running) {
            synchronized (discoveryWake) {
                try {
                    if (!discoveryRequested) {
                        discoveryWake.wait(Math.max(1, mapping.shardDiscoveryInterval().toMillis()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                discoveryRequested = false;
            }
            if (!running) {
                return;
            }
            try {
                discover(false);
                failures = 0;
            } catch (RuntimeException e) {
                if (failures++ % 50 == 0) {
                    LOG.warn("{}: listing shards failed ({} in a row): {}", name, failures, e.toString());
                }
            }
        }
    }

    private void discover(boolean initial) {
        long startedAt = System.nanoTime();
        List<StreamSource.Shard> listed = source.listShards();
        List<ShardConsumer> added = new ArrayList<>();
        synchronized (shards) {
            for (StreamSource.Shard s : listed) {
                if (!shards.containsKey(s.shardId())) {
                    ShardConsumer consumer = new ShardConsumer(s, initial);
                    shards.put(s.shardId(), consumer);
                    added.add(consumer);
                }
            }
        }
        // Create every consumer of the round before starting any, so a child never misses a parent of its round.
        for (ShardConsumer consumer : added) {
            consumer.prepare();
        }
        for (ShardConsumer consumer : added) {
            consumer.reader.start();
        }
        lastDiscoveryStartNanos = startedAt;
        if (!added.isEmpty()) {
            journal.poke();
        }
    }

    private boolean parentDone(String parentId) {
        ShardConsumer parent;
        synchronized (shards) {
            parent = shards.get(parentId);
        }
        // A parent the stream no longer lists (trimmed) cannot hold records any more.
        return parent == null || parent.finished;
    }

    private List<ShardConsumer> shardsSnapshot() {
        synchronized (shards) {
            return new ArrayList<>(shards.values());
        }
    }

    private int shardCount() {
        synchronized (shards) {
            return shards.size();
        }
    }

    public List<String> shardIds() {
        synchronized (shards) {
            return List.copyOf(shards.keySet());
        }
    }

    // ------------------------------------------------------------------------------------------------ draining

    /**
     * Whether, since {@code sinceNanos}: the shards were listed, every shard was either done or polled at its tip,
     * and nothing is buffered, waiting for a retry or being invoked.
     */
    public boolean drainedSince(long sinceNanos) {
        if (!running || lastDiscoveryStartNanos - sinceNanos < 0) {
            return false;
        }
        for (ShardConsumer shard : shardsSnapshot()) {
            if (!shard.drainedSince(sinceNanos)) {
                return false;
            }
        }
        return true;
    }

    /** One line per shard, for timeout messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder(name).append(running ? " running" : " stopped");
        for (ShardConsumer shard : shardsSnapshot()) {
            sb.append("\n  ").append(shard.describe());
        }
        List<Invocation> all = journal.invocations();
        sb.append("\n  ").append(all.size()).append(" invocations");
        if (!all.isEmpty()) {
            sb.append(", last: ").append(all.get(all.size() - 1));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ on failure

    private OnFailureRecord onFailure(
            String shardId, String condition, List<Entry> entries, int invokeCount, String functionError, String requestId) {
        boolean kinesis = source.type() == StreamSource.Type.KINESIS;
        // As AWS sends it (LocalStack's AWS-validated snapshots, test_lambda_integration_kinesis/dynamodbstreams):
        // a record that expired before any invocation still counts one; a RecordAgeExceeded message has no
        // responseContext at all; a function that returned normally (partial batch response, even an invalid one)
        // has "functionError": null, not a missing field.
        invokeCount = Math.max(1, invokeCount);
        boolean withResponse = !OnFailureRecord.RECORD_AGE_EXCEEDED.equals(condition);
        functionError = withResponse ? functionError : null;
        Instant now = clock.instant();
        Instant first = entries.get(0).record.approximateArrivalTimestamp();
        Instant last = entries.get(entries.size() - 1).record.approximateArrivalTimestamp();
        String id = requestId != null ? requestId : UUID.randomUUID().toString();
        var json = LambdaEventJson.MAPPER.createObjectNode();
        var request = json.putObject("requestContext");
        request.put("requestId", id);
        request.put("functionArn", mapping.functionArn());
        request.put("condition", condition);
        request.put("approximateInvokeCount", invokeCount);
        if (withResponse) {
            var response = json.putObject("responseContext");
            response.put("statusCode", 200);
            response.put("executedVersion", "$LATEST");
            response.put("functionError", functionError); // null is written as null
        }
        json.put("version", "1.0");
        json.put("timestamp", Timestamps.millis(now));
        var info = json.putObject(kinesis ? "KinesisBatchInfo" : "DDBStreamBatchInfo");
        info.put("shardId", shardId);
        info.put("startSequenceNumber", entries.get(0).record.sequenceNumber());
        info.put("endSequenceNumber", entries.get(entries.size() - 1).record.sequenceNumber());
        info.put("approximateArrivalOfFirstRecord", kinesis ? Timestamps.millis(first) : Timestamps.seconds(first));
        info.put("approximateArrivalOfLastRecord", kinesis ? Timestamps.millis(last) : Timestamps.seconds(last));
        info.put("batchSize", entries.size());
        info.put("streamArn", streamArn);
        return new OnFailureRecord(
                condition,
                id,
                mapping.functionArn(),
                invokeCount,
                functionError,
                now,
                source.type(),
                shardId,
                entries.get(0).record.sequenceNumber(),
                entries.get(entries.size() - 1).record.sequenceNumber(),
                first,
                last,
                entries.size(),
                streamArn,
                LambdaEventJson.write(json));
    }

    private void sendOnFailure(OnFailureRecord record) {
        if (mapping.onFailure() == null) {
            return;
        }
        try {
            mapping.onFailure().send(record);
        } catch (RuntimeException e) {
            LOG.error("{}: the on-failure destination refused the record of {} {}..{}; the records are skipped anyway",
                    name, record.shardId(), record.startSequenceNumber(), record.endSequenceNumber(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static BigInteger number(String sequenceNumber) {
        return new BigInteger(sequenceNumber);
    }

    private void sleepQuietly(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A record in a slot's queue. */
    private static final class Entry {
        final SourceRecord record;
        final BigInteger number;
        final Instant readAt;
        final long jsonBytes;

        Entry(SourceRecord record, Instant readAt) {
            this.record = record;
            this.number = number(record.sequenceNumber());
            this.readAt = readAt;
            this.jsonBytes = estimatedJsonBytes(record);
        }
    }

    /**
     * About how many bytes a record takes in the event JSON: base64 data (or the DynamoDB record's size) plus the
     * fixed fields. Close enough to keep batches under Lambda's 6 MB invocation payload.
     */
    static long estimatedJsonBytes(SourceRecord record) {
        if (record instanceof KinesisStreamRecord k) {
            return 4L * ((k.data().asByteArrayUnsafe().length + 2) / 3) + k.partitionKey().length() + 400;
        }
        return 2 * ((DynamoDbStreamRecord) record).sizeBytes() + 400;
    }

    // ================================================================================================ shard

    /** One shard: a reader thread and its slots. */
    private final class ShardConsumer {
        final String shardId;
        final List<String> parents;
        final boolean initial;
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        final Slot[] slots;
        final int readAhead;
        Thread reader;

        // guarded by lock
        final TreeSet<BigInteger> outstanding = new TreeSet<>();
        final TreeMap<BigInteger, String> done = new TreeMap<>();
        BigInteger checkpointNumber;
        int buffered;
        boolean readAll;
        long lastCaughtUpNanos = Long.MIN_VALUE;
        Instant lastCaughtUpClock;
        String lastRead;
        volatile State state = State.WAITING_FOR_PARENTS;
        volatile boolean finished;

        // set in prepare()
        Position startPosition;
        String eagerIterator;

        ShardConsumer(StreamSource.Shard shard, boolean initial) {
            this.shardId = shard.shardId();
            this.parents = shard.parentShardIds();
            this.initial = initial;
            this.slots = new Slot[mapping.parallelizationFactor()];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = new Slot(this, i);
            }
            this.readAhead = 2 * mapping.batchSize() * slots.length + 500;
        }

        /** Decides where to start; takes LATEST iterators at once, so records written after start() are not missed. */
        void prepare() {
            Optional<String> saved = store.get(mapping.uuid(), shardId);
            if (saved.isPresent() && CheckpointStore.SHARD_END.equals(saved.get())) {
                finished = true;
                state = State.DONE;
            } else if (saved.isPresent()) {
                startPosition = Position.afterSequenceNumber(saved.get());
                checkpointNumber = number(saved.get());
            } else if (!initial) {
                startPosition = Position.trimHorizon(); // a child of a split or merge: all of it, after its parents
            } else {
                StartingPosition p = mapping.startingPosition();
                startPosition =
                        switch (p) {
                            case TRIM_HORIZON -> Position.trimHorizon();
                            case LATEST -> Position.latest();
                            case AT_TIMESTAMP -> Position.atTimestamp(mapping.startingPositionTimestamp());
                        };
                if (p == StartingPosition.LATEST) {
                    eagerIterator = source.shardIterator(shardId, startPosition);
                }
            }
            reader = newThread(name + "-" + shardId + "-reader", this::read);
        }

        void wake() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private void read() {
            if (finished) {
                return;
            }
            while (running && !parents.stream().allMatch(Engine.this::parentDone)) {
                awaitChange(Duration.ofMillis(20));
            }
            if (!running) {
                return;
            }
            state = State.READING;
            journal.poke();
            List<Thread> slotThreads = new ArrayList<>();
            for (Slot slot : slots) {
                Thread t = newThread(name + "-" + shardId + "-slot" + slot.index, slot::run);
                slotThreads.add(t);
                t.start();
            }
            poll();
            for (Thread t : slotThreads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (running && readAll) {
                lock.lock();
                try {
                    saveCheckpoint(CheckpointStore.SHARD_END);
                } finally {
                    lock.unlock();
                }
                state = State.DONE;
                finished = true;
                LOG.debug("{}: shard {} is done", name, shardId);
                journal.poke();
            }
        }

        private void poll() {
            String iterator = eagerIterator;
            int failures = 0;
            while (running) {
                try {
                    if (iterator == null) {
                        iterator = source.shardIterator(shardId, lastRead != null ? Position.afterSequenceNumber(lastRead) : startPosition);
                    }
                    lock.lock();
                    try {
                        while (running && buffered >= readAhead) {
                            changed.await(20, TimeUnit.MILLISECONDS);
                        }
                    } finally {
                        lock.unlock();
                    }
                    if (!running) {
                        return;
                    }
                    long startedNanos = System.nanoTime();
                    Instant startedClock = clock.instant();
                    Page page = source.getRecords(iterator, source.type() == StreamSource.Type.KINESIS ? 10_000 : 1_000);
                    failures = 0;
                    lock.lock();
                    try {
                        Instant now = clock.instant();
                        for (SourceRecord record : page.records()) {
                            Entry entry = new Entry(record, now);
                            slots[slotOf(record)].queue.addLast(entry);
                            outstanding.add(entry.number);
                            buffered++;
                            lastRead = record.sequenceNumber();
                        }
                        if (page.caughtUp()) {
                            lastCaughtUpNanos = startedNanos;
                            lastCaughtUpClock = startedClock;
                        }
                        if (page.nextShardIterator() == null) {
                            readAll = true;
                        }
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                    journal.poke();
                    if (page.nextShardIterator() == null) {
                        return;
                    }
                    iterator = page.nextShardIterator();
                    if (page.records().isEmpty()) {
                        awaitChange(mapping.pollInterval());
                    }
                } catch (StreamSource.IteratorExpiredException e) {
                    iterator = null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    if (failures++ % 50 == 0) {
                        LOG.warn("{}: reading shard {} failed ({} in a row), retrying: {}", name, shardId, failures, e.toString());
                    }
                    iterator = null;
                    awaitChange(Duration.ofMillis(Math.min(1000, 20L * failures)));
                }
            }
        }

        private int slotOf(SourceRecord record) {
            return Engine.slotOf(record.partitionKey(), slots.length);
        }

        private void awaitChange(Duration d) {
            lock.lock();
            try {
                if (running) {
                    changed.await(Math.max(1, d.toMillis()), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }

        /** Marks entries done and moves the checkpoint as far as no outstanding record forbids. Holds lock. */
        void done(List<Entry> entries) {
            for (Entry e : entries) {
                outstanding.remove(e.number);
                done.put(e.number, e.record.sequenceNumber());
            }
            Map.Entry<BigInteger, String> candidate =
                    outstanding.isEmpty() ? done.lastEntry() : done.lowerEntry(outstanding.first());
            if (candidate != null) {
                done.headMap(candidate.getKey(), true).clear();
                if (checkpointNumber == null || candidate.getKey().compareTo(checkpointNumber) > 0) {
                    checkpointNumber = candidate.getKey();
                    saveCheckpoint(candidate.getValue());
                }
            }
        }

        private void saveCheckpoint(String value) {
            try {
                store.put(mapping.uuid(), shardId, value);
            } catch (RuntimeException e) {
                LOG.warn("{}: saving checkpoint {} of {} failed: {}", name, value, shardId, e.toString());
            }
            journal.add(new Checkpoint(shardId, value, clock.instant()));
        }

        boolean drainedSince(long sinceNanos) {
            if (finished) {
                return true;
            }
            lock.lock();
            try {
                if (state != State.READING) {
                    return false;
                }
                boolean polledTip = readAll || (lastCaughtUpClock != null && lastCaughtUpNanos - sinceNanos > 0);
                if (!polledTip) {
                    return false;
                }
                for (Slot slot : slots) {
                    if (slot.busy || !slot.queue.isEmpty() || !slot.pinned.isEmpty()) {
                        return false;
                    }
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        String describe() {
            lock.lock();
            try {
                StringBuilder sb = new StringBuilder(shardId).append(' ').append(state);
                if (!parents.isEmpty()) {
                    sb.append(" parents=").append(parents);
                }
                sb.append(" checkpoint=").append(checkpointNumber).append(" buffered=").append(buffered);
                sb.append(readAll ? " readAll" : "");
                for (Slot slot : slots) {
                    sb.append(" [slot").append(slot.index).append(" queue=").append(slot.queue.size())
                            .append(" pinned=").append(slot.pinned.size()).append(" attempts=").append(slot.attempts)
                            .append(slot.busy ? " busy" : "").append(slot.window != null ? " window=" + slot.window.start : "")
                            .append(']');
                }
                return sb.toString();
            } finally {
                lock.unlock();
            }
        }
    }

    private enum State {
        WAITING_FOR_PARENTS,
        READING,
        DONE
    }

    // ================================================================================================ slot

    /** The window a slot is aggregating. */
    private static final class OpenWindow {
        final Instant start;
        final Instant end;
        Map<String, String> state = Map.of();
        final List<Entry> pending = new ArrayList<>();
        boolean terminateEarly;

        OpenWindow(Instant start, Instant end) {
            this.start = start;
            this.end = end;
        }
    }

    private sealed interface Work permits Batch, FinalInvoke {}

    private record Batch(List<Entry> entries, boolean pinned) implements Work {}

    private record FinalInvoke(OpenWindow window) implements Work {}

    /** What the slot learned from one invocation. */
    private record Result(Outcome outcome, String failedSequenceNumber, String error, Map<String, String> state, String requestId) {}

    /** One of a shard's {@code ParallelizationFactor} lanes: its own batches, retries and window. */
    private final class Slot {
        final ShardConsumer shard;
        final int index;
        final Deque<Entry> queue = new ArrayDeque<>(); // guarded by shard.lock
        final Deque<List<Entry>> pinned = new ArrayDeque<>(); // guarded by shard.lock
        volatile boolean busy; // written under shard.lock
        int attempts; // slot thread only
        String lastRequestId; // slot thread only
        String lastFunctionError; // slot thread only
        volatile OpenWindow window; // written by the slot thread only

        Slot(ShardConsumer shard, int index) {
            this.shard = shard;
            this.index = index;
        }

        void run() {
            while (true) {
                Work work = next();
                if (work == null) {
                    return;
                }
                try {
                    if (work instanceof Batch batch) {
                        process(batch);
                    } else {
                        finalInvoke(((FinalInvoke) work).window());
                    }
                } finally {
                    shard.lock.lock();
                    try {
                        busy = false;
                        shard.changed.signalAll();
                    } finally {
                        shard.lock.unlock();
                    }
                    journal.poke();
                }
            }
        }

        /** Blocks until there is something to do; null when the slot is finished or the runner stops. */
        private Work next() {
            shard.lock.lock();
            try {
                while (true) {
                    if (!running) {
                        return null;
                    }
                    if (!pinned.isEmpty()) {
                        busy = true;
                        return new Batch(pinned.peekFirst(), true);
                    }
                    if (windowed && window != null) {
                        boolean laterRecord = !queue.isEmpty() && !windowStart(queue.peekFirst()).equals(window.start);
                        boolean noMore =
                                queue.isEmpty()
                                        && (shard.readAll
                                                || (shard.lastCaughtUpClock != null && !shard.lastCaughtUpClock.isBefore(window.end)));
                        if (window.terminateEarly || laterRecord || noMore) {
                            busy = true;
                            return new FinalInvoke(window);
                        }
                    }
                    if (queue.isEmpty()) {
                        if (shard.readAll) {
                            return null;
                        }
                        shard.changed.await(RECHECK.toMillis(), TimeUnit.MILLISECONDS);
                        continue;
                    }
                    List<Entry> candidates = new ArrayList<>();
                    Instant windowStart = windowed ? windowStart(queue.peekFirst()) : null;
                    boolean boundary = false;
                    long payload = 0;
                    for (Entry e : queue) {
                        if (candidates.size() == mapping.batchSize()) {
                            break;
                        }
                        if ((windowed && !windowStart(e).equals(windowStart))
                                || (!candidates.isEmpty() && payload + e.jsonBytes > MAX_PAYLOAD_BYTES)) {
                            boundary = true;
                            break;
                        }
                        payload += e.jsonBytes;
                        candidates.add(e);
                    }
                    boolean full = candidates.size() == mapping.batchSize() || boundary || shard.readAll;
                    if (!full && !mapping.maximumBatchingWindow().isZero()) {
                        Instant due = queue.peekFirst().readAt.plus(mapping.maximumBatchingWindow());
                        if (clock.instant().isBefore(due)) {
                            shard.changed.await(RECHECK.toMillis(), TimeUnit.MILLISECONDS);
                            continue;
                        }
                    }
                    busy = true;
                    return new Batch(candidates, false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } finally {
                shard.lock.unlock();
            }
        }

        private Instant windowStart(Entry e) {
            long size = mapping.tumblingWindowInSeconds();
            long second = e.record.approximateArrivalTimestamp().getEpochSecond();
            return Instant.ofEpochSecond(Math.floorDiv(second, size) * size);
        }

        private void process(Batch batch) {
            List<Entry> entries = batch.entries();
            List<Entry> expired = expired(entries);
            if (!expired.isEmpty()) {
                discard(OnFailureRecord.RECORD_AGE_EXCEEDED, expired, batch.pinned());
                return;
            }
            OpenWindow w = null;
            if (windowed) {
                if (window == null) {
                    Instant start = windowStart(entries.get(0));
                    window = new OpenWindow(start, start.plusSeconds(mapping.tumblingWindowInSeconds()));
                }
                w = window;
            }
            Result result = invoke(entries, w, false);
            switch (result.outcome()) {
                case SUCCESS -> {
                    attempts = 0;
                    succeeded(entries, batch.pinned(), w, result.state());
                }
                case PARTIAL_FAILURE -> {
                    int at = indexOf(entries, result.failedSequenceNumber());
                    List<Entry> prefix = entries.subList(0, at);
                    List<Entry> rest = List.copyOf(entries.subList(at, entries.size()));
                    attempts = at == 0 ? attempts + 1 : 1;
                    lastFunctionError = null;
                    succeeded(prefix, batch.pinned(), w, result.state());
                    if (exhausted()) {
                        discard(OnFailureRecord.RETRY_ATTEMPTS_EXHAUSTED, rest, false);
                    } else if (mapping.bisectBatchOnFunctionError()) {
                        // "the batch is bisected at the returned sequence number and Lambda retries only the remaining records"
                        withLock(() -> pinned.addFirst(rest));
                        backoff();
                    } else {
                        backoff(); // redelivered from the failed record, in a batch formed afresh
                    }
                }
                default -> {
                    lastFunctionError =
                            result.outcome() == Outcome.ERROR || result.outcome() == Outcome.TIMEOUT ? "Unhandled" : null;
                    if (mapping.bisectBatchOnFunctionError() && entries.size() > 1) {
                        int half = (entries.size() + 1) / 2;
                        List<Entry> first = List.copyOf(entries.subList(0, half));
                        List<Entry> second = List.copyOf(entries.subList(half, entries.size()));
                        attempts = 0; // "Splitting batches doesn't consume the retry quota."
                        withLock(
                                () -> {
                                    if (batch.pinned()) {
                                        pinned.pollFirst();
                                    }
                                    pinned.addFirst(second);
                                    pinned.addFirst(first);
                                });
                        backoff();
                    } else {
                        attempts++;
                        if (exhausted()) {
                            discard(OnFailureRecord.RETRY_ATTEMPTS_EXHAUSTED, entries, batch.pinned());
                        } else {
                            if (!batch.pinned()) {
                                withLock(() -> pinned.addFirst(List.copyOf(entries))); // retry exactly this batch
                            }
                            backoff();
                        }
                    }
                }
            }
        }

        private boolean exhausted() {
            return mapping.maximumRetryAttempts() >= 0 && attempts > mapping.maximumRetryAttempts();
        }

        /** The leading entries older than MaximumRecordAgeInSeconds. */
        private List<Entry> expired(List<Entry> entries) {
            if (mapping.maximumRecordAgeInSeconds() < 0) {
                return List.of();
            }
            Instant oldestAllowed = clock.instant().minusSeconds(mapping.maximumRecordAgeInSeconds());
            int n = 0;
            while (n < entries.size() && entries.get(n).record.approximateArrivalTimestamp().isBefore(oldestAllowed)) {
                n++;
            }
            return List.copyOf(entries.subList(0, n));
        }

        /** Done with entries (a prefix of the queue), outside tumbling windows checkpointed at once. */
        private void succeeded(List<Entry> entries, boolean wasPinned, OpenWindow w, Map<String, String> state) {
            withLock(
                    () -> {
                        if (wasPinned) {
                            pinned.pollFirst();
                        }
                        removeHead(entries);
                        if (w != null) {
                            w.pending.addAll(entries);
                            if (state != null) {
                                w.state = state;
                                w.terminateEarly = stateBytes(state) > WINDOW_STATE_LIMIT_BYTES;
                            }
                        } else {
                            shard.done(entries);
                        }
                    });
        }

        /** Sends the on-failure record and skips the entries (a prefix of the queue). */
        private void discard(String condition, List<Entry> entries, boolean wasPinned) {
            OnFailureRecord record =
                    onFailure(shard.shardId, condition, entries, attempts, lastFunctionError, lastRequestId);
            sendOnFailure(record);
            journal.add(record);
            LOG.info("{}: discarded {} records of {} ({}..{}): {}", name, entries.size(), shard.shardId,
                    record.startSequenceNumber(), record.endSequenceNumber(), condition);
            withLock(
                    () -> {
                        if (wasPinned) {
                            List<Entry> head = pinned.pollFirst();
                            if (head != null && head.size() > entries.size()) {
                                pinned.addFirst(List.copyOf(head.subList(entries.size(), head.size()))); // the younger rest
                            }
                        }
                        removeHead(entries);
                        if (window != null) {
                            window.pending.addAll(entries);
                        } else {
                            shard.done(entries);
                        }
                    });
            attempts = 0;
            lastFunctionError = null;
        }

        private void finalInvoke(OpenWindow w) {
            Result result = invoke(List.of(), w, true);
            if (result.outcome() == Outcome.SUCCESS) {
                attempts = 0;
                withLock(
                        () -> {
                            shard.done(w.pending);
                            window = null;
                        });
            } else {
                // "If invocation is unsuccessful, your Lambda function suspends further processing until a successful
                // invocation." The final invoke is retried until it succeeds.
                attempts++;
                backoff();
            }
        }

        private Result invoke(List<Entry> entries, OpenWindow w, boolean finalInvoke) {
            List<SourceRecord> records = entries.stream().map(e -> e.record).toList();
            List<String> sequenceNumbers = records.stream().map(SourceRecord::sequenceNumber).toList();
            LambdaEventJson.WindowFields fields =
                    w == null
                            ? null
                            : new LambdaEventJson.WindowFields(w.start, w.end, w.state, finalInvoke, finalInvoke && w.terminateEarly);
            LambdaEventJson.Origin origin =
                    new LambdaEventJson.Origin(shard.shardId, streamArn, mapping.region(), mapping.invokeIdentityArn());
            FakeContext context = FakeContext.of(mapping.functionName(), Clock.systemUTC(), mapping.functionTimeout());
            Instant startedAt = clock.instant();
            long t0 = System.nanoTime();
            int retryAttempt = attempts;
            Result result;
            Future<FunctionInvoker.Response> future =
                    invocations.submit(() -> invoker.invoke(records, origin, fields, context));
            try {
                FunctionInvoker.Response response =
                        future.get(mapping.functionTimeout().toNanos(), TimeUnit.NANOSECONDS);
                result = classify(response, sequenceNumbers, w != null, finalInvoke, context.getAwsRequestId());
            } catch (TimeoutException e) {
                future.cancel(true); // abandoned, like Lambda: the invocation's thread is interrupted
                result = new Result(Outcome.TIMEOUT, null, "Task timed out after " + mapping.functionTimeout(), null,
                        context.getAwsRequestId());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                result = new Result(Outcome.ERROR, null, String.valueOf(cause), null, context.getAwsRequestId());
            } catch (CancellationException | InterruptedException e) {
                future.cancel(true);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                result = new Result(Outcome.ERROR, null, "interrupted: the runner stopped", null, context.getAwsRequestId());
            }
            lastRequestId = result.requestId();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            Invocation.Window windowRecord =
                    w == null
                            ? null
                            : new Invocation.Window(w.start, w.end, finalInvoke, fields.terminatedEarly(), w.state, result.state());
            Result r = result;
            Invocation invocation =
                    journal.add(
                            i ->
                                    new Invocation(
                                            i,
                                            r.requestId(),
                                            shard.shardId,
                                            index,
                                            sequenceNumbers,
                                            retryAttempt,
                                            r.outcome(),
                                            r.failedSequenceNumber(),
                                            r.error(),
                                            startedAt,
                                            took,
                                            windowRecord));
            if (result.outcome() == Outcome.INVALID_RESPONSE) {
                LOG.warn("{}: invocation {} of {}: {}", name, invocation.index(), shard.shardId, result.error());
            } else {
                LOG.debug("{}: invocation {}", name, invocation);
            }
            return result;
        }

        /** Reads a response as Lambda does; see the Invocation.Outcome docs. */
        private Result classify(
                FunctionInvoker.Response response,
                List<String> batch,
                boolean window,
                boolean finalInvoke,
                String requestId) {
            // The handler owns the map it returned: keep an unmodifiable copy (values may be null).
            Map<String, String> state =
                    response == null || response.state() == null
                            ? null
                            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(response.state()));
            if (window && !finalInvoke && state == null) {
                return new Result(Outcome.INVALID_RESPONSE, null,
                        "a tumbling-window response must contain state; Lambda counts its absence as a failed invocation",
                        null, requestId);
            }
            if (!mapping.reportBatchItemFailures() || finalInvoke || response == null) {
                return new Result(Outcome.SUCCESS, null, null, state, requestId);
            }
            List<String> ids = response.itemIdentifiers();
            if (ids == null || ids.isEmpty()) {
                return new Result(Outcome.SUCCESS, null, null, state, requestId);
            }
            Set<String> inBatch = new HashSet<>(batch);
            String lowest = null;
            for (String id : ids) {
                if (id == null || id.isEmpty()) {
                    return new Result(Outcome.INVALID_RESPONSE, null,
                            "batchItemFailures has a " + (id == null ? "null" : "empty")
                                    + " itemIdentifier: Lambda fails the whole batch", null, requestId);
                }
                if (!inBatch.contains(id)) {
                    return new Result(Outcome.INVALID_RESPONSE, null,
                            "batchItemFailures names " + id + ", which is not in the batch " + batch.get(0) + ".."
                                    + batch.get(batch.size() - 1)
                                    + " (AWS does not document this case; the runner fails the whole batch)", null, requestId);
                }
                if (lowest == null || number(id).compareTo(number(lowest)) < 0) {
                    lowest = id;
                }
            }
            return new Result(Outcome.PARTIAL_FAILURE, lowest, null, state, requestId);
        }

        private int indexOf(List<Entry> entries, String sequenceNumber) {
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).record.sequenceNumber().equals(sequenceNumber)) {
                    return i;
                }
            }
            throw new IllegalStateException(sequenceNumber + " is not in the batch");
        }

        /** Removes entries from the head of the queue. Holds lock. */
        private void removeHead(List<Entry> entries) {
            for (Entry e : entries) {
                Entry head = queue.pollFirst();
                if (head != e) {
                    throw new IllegalStateException("internal error: done records must be the queue's head, in order");
                }
                shard.buffered--;
            }
            shard.changed.signalAll();
        }

        private void withLock(Runnable action) {
            shard.lock.lock();
            try {
                action.run();
            } finally {
                shard.lock.unlock();
            }
        }

        private void backoff() {
            if (!mapping.retryBackoff().isZero() && running) {
                sleepQuietly(mapping.retryBackoff());
            }
        }
    }

    /**
     * The {@code ParallelizationFactor} slot of a partition key: same key, same slot, which is how Lambda keeps
     * order per key with a factor above 1. Public for tests that need to know which keys share a slot.
     */
    public static int slotOf(String partitionKey, int slots) {
        if (slots == 1) {
            return 0;
        }
        int h = 0;
        for (byte b : partitionKey.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return Math.floorMod(h ^ (h >>> 16), slots);
    }

    private static int stateBytes(Map<String, String> state) {
        int n = 0;
        for (Map.Entry<String, String> e : state.entrySet()) {
            n += e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length()) + 6;
        }
        return n;
    }

    /** For tests of the engine: the shard ids known and their last saved checkpoint values. */
    public Map<String, String> checkpointsByShard() {
        Map<String, String> result = new HashMap<>();
        for (Checkpoint c : journal.checkpoints()) {
            result.put(c.shardId(), c.sequenceNumber());
        }
        return result;
    }
}
