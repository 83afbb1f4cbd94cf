package io.shardwise.core.dedup;

import io.shardwise.core.StreamProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DescribeTimeToLiveResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.ThrottlingException;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.dynamodb.model.TransactionInProgressException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import static io.shardwise.core.dedup.Expressions.ATTEMPTS;
import static io.shardwise.core.dedup.Expressions.EXPIRATION;
import static io.shardwise.core.dedup.Expressions.ID;
import static io.shardwise.core.dedup.Expressions.IN_PROGRESS_EXPIRATION;
import static io.shardwise.core.dedup.Expressions.LEASE_TOKEN;
import static io.shardwise.core.dedup.Expressions.STATUS;
import static io.shardwise.core.dedup.Expressions.VALIDATION;
import static io.shardwise.core.dedup.Expressions.WATERMARK_SEQ;
import static io.shardwise.core.dedup.Expressions.WATERMARK_SUB_SEQ;
import static io.shardwise.core.dedup.Expressions.n;
import static io.shardwise.core.dedup.Expressions.s;
import static io.shardwise.core.dedup.Expressions.status;

/**
 * A {@link DedupStore} in a DynamoDB table, with the conditions stated on {@link DedupStore}.
 *
 * <h2>Table</h2>
 * Partition key {@code id} (String) and Time to Live on {@code expiration}: the layout of Powertools for AWS Lambda
 * idempotency, so a table can be shared with it. Create it from the project's {@code infra/} templates, or:
 * <pre>
 * aws dynamodb create-table --table-name shardwise-dedup --billing-mode PAY_PER_REQUEST \
 *     --attribute-definitions AttributeName=id,AttributeType=S --key-schema AttributeName=id,KeyType=HASH
 * aws dynamodb update-time-to-live --table-name shardwise-dedup \
 *     --time-to-live-specification Enabled=true,AttributeName=expiration
 * </pre>
 * With {@link Builder#sortKey(String) sortKey("sk")} the table has partition key {@code id} and sort key
 * {@code sk} (both String), the shared-table layout Powertools uses with its {@code sortKeyAttr}: an item's
 * {@code id} is the part of the engine's id before the first {@code '#'} (the consumer name) and the sort key the
 * rest (the key hash). One consumer's items then share a partition key; DynamoDB splits a busy partition by sort
 * key ("split for heat"), but a new table starts with one partition per consumer, so prefer the default layout
 * unless the table must be shared with other item types.
 *
 * <p>IAM: {@code dynamodb:BatchGetItem}, {@code GetItem}, {@code UpdateItem}, {@code PutItem},
 * {@code DescribeTable} and {@code DescribeTimeToLive} on the table; in {@link DedupMode#TRANSACTIONAL}
 * {@code TransactWriteItems} (that is, {@code PutItem}/{@code UpdateItem}/{@code DeleteItem}/
 * {@code ConditionCheckItem} on every table written) and {@code DescribeTable} on the tables the processor
 * {@code Put}s into (without it such puts are never packed with other writes to that table: more
 * transactions, still correct).
 *
 * <h2>Requests</h2>
 * Reads are {@code BatchGetItem} of up to 100 keys, strongly consistent, unprocessed keys retried with backoff;
 * the pages of one read go out concurrently ({@link Builder#readConcurrency}).
 * Each state change is one conditional {@code UpdateItem} ({@code PutItem} for watermarks); a write that is
 * rejected gets the blocking item from the same call ({@code ReturnValuesOnConditionCheckFailure=ALL_OLD}). Every
 * write carries a token fresh for its call ({@code write_token}): when the SDK retries a request whose first
 * attempt was applied and whose response was lost, the failed condition's item carries the call's own token and
 * the call reports what its applied write did (docs/dedup.md, "Lost responses"). Only
 * when a claim or failure replaced an item whose TTL had passed (DynamoDB deletes such items up to a few days late)
 * does a second conditional write clear what the first kept of it. Commits are {@code TransactWriteItems} calls
 * packed as {@link DedupStore#commit} says; each call gets the SDK's automatic {@code ClientRequestToken}, so the
 * SDK's own retries of a call whose response was lost are idempotent; a call repeated by this class after a
 * cancellation or throttling is a new transaction (the cancelled one wrote nothing) with a new token.
 *
 * <h2>Errors</h2>
 * Condition failures are outcomes (a {@link Rejected} claim, {@code false}, {@code -1}, a {@link CommitStatus}).
 * Every other {@link SdkException} is thrown as a {@link StreamProcessingException} naming the table, the
 * operation and the fix. The SDK client's own retry policy applies first.
 *
 * <p>Thread-safe, as the {@link DynamoDbClient} it uses; build it once, in the handler's constructor.
 */
public final class DynamoDbDedupStore implements DedupStore {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbDedupStore.class);
    private static final int BATCH_GET_LIMIT = 100;
    /** Default number of 100-key BatchGetItem pages read at once. */
    static final int DEFAULT_READ_CONCURRENCY = 10;

    private final DynamoDbClient client;
    private final String tableName;
    private final String sortKey;
    private final Clock clock;
    private final Backoff backoff;
    private final Backoff.Sleeper sleeper;
    /** The time left for each call (see {@link #withCallTimeout}); null when unbounded. */
    private final Supplier<Duration> timeLeft;
    /** Key attribute names by table, from DescribeTable; an empty list means "unknown" (DescribeTable failed). */
    private final Map<String, List<String>> keySchemas;
    private final TransactionalCommitter committer;
    private final Map<String, String> projectionNames;
    private final Map<String, String> watermarkProjectionNames;
    private final String markerProjection;
    private final String watermarkProjection;
    /**
     * Runs the pages of a read beyond the first (readConcurrency - 1 threads, shared by concurrent reads); its
     * threads exit after 30 s idle. Null when readConcurrency is 1.
     */
    private final ExecutorService readPool;

    private DynamoDbDedupStore(Builder b) {
        this.client = b.client;
        this.tableName = b.tableName;
        this.sortKey = b.sortKey;
        this.clock = b.clock;
        this.backoff = Backoff.standard(b.sleeper);
        this.sleeper = b.sleeper;
        this.timeLeft = null;
        this.keySchemas = new ConcurrentHashMap<>();
        this.keySchemas.put(tableName, sortKey == null ? List.of(ID) : List.of(ID, sortKey));
        this.committer = new TransactionalCommitter("DynamoDB table '" + tableName + "'", this::execute,
                this::keyOf, backoff);
        Map<String, String> names = new HashMap<>(Expressions.STATUS_NAME);
        if (sortKey != null) {
            // The sort key's name is the user's choice and may be a reserved word.
            names.put("#sk", sortKey);
        }
        this.projectionNames = Map.copyOf(names);
        this.watermarkProjectionNames = sortKey == null ? Map.of() : Map.of("#sk", sortKey);
        String sk = sortKey == null ? "" : ", #sk";
        this.markerProjection = Expressions.MARKER_PROJECTION + sk;
        this.watermarkProjection = Expressions.WATERMARK_PROJECTION + sk;
        this.readPool = b.readConcurrency == 1 ? null : readPool(b.readConcurrency - 1, tableName);
    }

    /** A view of {@code base} bounded by {@code timeLeft}: the same client, table, caches and read pool. */
    private DynamoDbDedupStore(DynamoDbDedupStore base, Supplier<Duration> timeLeft) {
        this.client = base.client;
        this.tableName = base.tableName;
        this.sortKey = base.sortKey;
        this.clock = base.clock;
        this.sleeper = base.sleeper;
        this.timeLeft = timeLeft;
        this.backoff = Backoff.standard(pause -> {
            // A pause that would outlast the time left ends the call now: the invocation must answer first.
            if (timeLeft.get().compareTo(pause) <= 0) {
                throw new CallDeadlineException("DynamoDB dedup table '" + tableName + "': no time left in the "
                        + "invocation to back off and retry; stopping with a partial response", null);
            }
            base.sleeper.sleep(pause);
        });
        this.keySchemas = base.keySchemas;
        this.committer = new TransactionalCommitter("DynamoDB table '" + tableName + "'", this::execute,
                this::keyOf, backoff);
        this.projectionNames = base.projectionNames;
        this.watermarkProjectionNames = base.watermarkProjectionNames;
        this.markerProjection = base.markerProjection;
        this.watermarkProjection = base.watermarkProjection;
        this.readPool = base.readPool;
    }

    /**
     * A view whose every request carries {@code timeLeft} (asked at each call) as its SDK {@code apiCallTimeout},
     * which bounds the SDK's own retries too, and whose backoff pauses never outlast it; no call starts when it
     * is not positive. An SDK call timeout surfaces as {@link CallDeadlineException}. Thread-safe, as this store.
     */
    @Override
    public DedupStore withCallTimeout(Supplier<Duration> timeLeft) {
        return new DynamoDbDedupStore(this, Objects.requireNonNull(timeLeft, "timeLeft"));
    }

    /** This call's SDK override: the time left as apiCallTimeout; null (the client's own settings) if unbounded. */
    private AwsRequestOverrideConfiguration callConfig() {
        if (timeLeft == null) {
            return null;
        }
        Duration left = timeLeft.get();
        if (left == null || left.isNegative() || left.isZero()) {
            throw new CallDeadlineException("DynamoDB dedup table '" + tableName + "': no time left in the "
                    + "invocation for another dedup call; stopping with a partial response", null);
        }
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(left).build();
    }

    private static ExecutorService readPool(int threads, String tableName) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "shardwise-dedup-read-" + tableName + "-" + n.incrementAndGet());
                    t.setDaemon(true); // never keeps a JVM alive; reads in flight are only reads
                    return t;
                });
        pool.allowCoreThreadTimeOut(true); // an idle store (a frozen Lambda sandbox) holds no threads
        return pool;
    }

    /**
     * @param client    the client to use (its retry policy, region and credentials apply); the caller owns it
     * @param tableName the dedup table's name (or ARN)
     */
    public static Builder builder(DynamoDbClient client, String tableName) {
        return new Builder(client, tableName);
    }

    /** Builds a {@link DynamoDbDedupStore}. Not thread-safe. */
    public static final class Builder {
        private final DynamoDbClient client;
        private final String tableName;
        private Clock clock = Clock.systemUTC();
        private String sortKey;
        private Backoff.Sleeper sleeper = Backoff.THREAD_SLEEP;
        private int readConcurrency = DEFAULT_READ_CONCURRENCY;

        private Builder(DynamoDbClient client, String tableName) {
            this.client = client;
            this.tableName = tableName;
        }

        /**
         * The clock for leases, TTLs and expiry checks; default the UTC system clock. Use the same clock as
         * {@code ProcessingConfig.clock}.
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Use a table with partition key {@code id} and this sort key (both String); see the class comment.
         * Default none: partition key {@code id} only.
         */
        public Builder sortKey(String attributeName) {
            this.sortKey = attributeName;
            return this;
        }

        /**
         * How many 100-key {@code BatchGetItem} pages a read issues at once; default
         * {@value #DEFAULT_READ_CONCURRENCY}, so a 1,000-record batch reads its markers in one round trip instead
         * of ten. 1 reads page after page on the caller's thread (no threads are created). The pages are
         * independent reads, so the result is the same either way; only latency and the number of concurrent
         * connections change (keep it at or below the HTTP client's connection pool size, 50 by default for
         * the Apache client).
         */
        public Builder readConcurrency(int pages) {
            if (pages < 1) {
                throw new IllegalArgumentException("readConcurrency must be at least 1 (1 = sequential reads), was "
                        + pages);
            }
            this.readConcurrency = pages;
            return this;
        }

        /** For tests: how backoff pauses are taken. */
        Builder sleeper(Backoff.Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        /**
         * Builds the store without calling DynamoDB; call {@link DynamoDbDedupStore#checkReady()} (the handler
         * does) to check the table.
         *
         * @throws IllegalArgumentException naming the setting to change
         */
        public DynamoDbDedupStore build() {
            if (client == null) {
                throw new IllegalArgumentException("DynamoDbDedupStore needs a DynamoDbClient, got null");
            }
            if (tableName == null || tableName.isBlank()) {
                throw new IllegalArgumentException("DynamoDbDedupStore needs the dedup table's name, got '"
                        + tableName + "'");
            }
            Objects.requireNonNull(clock, "clock");
            if (sortKey != null && (sortKey.isBlank() || sortKey.equals(ID))) {
                throw new IllegalArgumentException("sortKey must name the table's sort key attribute, other than '"
                        + ID + "' (the partition key); got '" + sortKey + "'");
            }
            return new DynamoDbDedupStore(this);
        }
    }

    // ------------------------------------------------------------------------------------------ checkReady

    /**
     * Checks with {@code DescribeTable} and {@code DescribeTimeToLive} that the table exists, is usable, has the
     * expected key schema and Time to Live on {@code expiration}.
     *
     * <p>Fails for: a missing, deleting or still-creating table; a wrong key schema; TTL on another attribute;
     * TTL disabled. TTL disabled is only a warning against a local emulator (an endpoint override on a loopback
     * address): emulator set-ups often skip TTL, and correctness never depends on it (expired items are ignored
     * by every read and condition), only the table's growth does, which does not matter there. Emulators that
     * cannot describe TTL at all land in the next case. If {@code DescribeTimeToLive} fails (e.g. access denied),
     * that is a warning too, for the same reason: the store works, the table just keeps every item. Against AWS,
     * a table without TTL fails the check: it would grow forever, silently.
     *
     * @throws StreamProcessingException naming the table, what is wrong, and the command that fixes it
     */
    @Override
    public void checkReady() {
        TableDescription table;
        try {
            table = client.describeTable(r -> r.tableName(tableName)).table();
        } catch (ResourceNotFoundException e) {
            throw new StreamProcessingException("DynamoDB dedup table '" + tableName + "' does not exist (or is in "
                    + "another region/account than the client's). Create it with partition key '" + ID
                    + "' (String)" + (sortKey == null ? "" : " and sort key '" + sortKey + "' (String)")
                    + " and Time to Live on '" + EXPIRATION + "', from infra/ or with: " + createCommands(), e);
        } catch (SdkException e) {
            throw failureAtStartUp("DescribeTable", "checking at start-up that the table exists", e);
        }
        TableStatus status = table.tableStatus();
        if (status == TableStatus.CREATING || status == TableStatus.DELETING || status == TableStatus.ARCHIVING
                || status == TableStatus.ARCHIVED || status == TableStatus.INACCESSIBLE_ENCRYPTION_CREDENTIALS) {
            throw new StreamProcessingException("DynamoDB dedup table '" + tableName + "' is " + status
                    + ", not ACTIVE: wait until it is ACTIVE (CREATING), or restore access to its KMS key "
                    + "(INACCESSIBLE_ENCRYPTION_CREDENTIALS), or create it again (DELETING, ARCHIVED).");
        }
        String expected = "partition key '" + ID + "' (String)"
                + (sortKey == null ? " and no sort key" : " and sort key '" + sortKey + "' (String)");
        String actual = describeKeys(table);
        String expectedKeys = "[" + ID + " HASH S" + (sortKey == null ? "" : ", " + sortKey + " RANGE S") + "]";
        if (!actual.equals(expectedKeys)) {
            String hint = sortKey == null && table.keySchema().size() == 2
                    && ID.equals(hashKey(table)) && "S".equals(type(table, rangeKey(table)))
                    ? " This table has a sort key: configure DynamoDbDedupStore.builder(...).sortKey(\""
                    + rangeKey(table) + "\") to use it."
                    : " A table's key cannot be changed: create a new table (" + createCommands() + ") and point "
                    + "the store at it.";
            throw new StreamProcessingException("DynamoDB dedup table '" + tableName + "' has key schema " + actual
                    + " but shardwise needs " + expected + "." + hint);
        }
        checkTimeToLive();
    }

    private void checkTimeToLive() {
        TimeToLiveDescription ttl;
        try {
            DescribeTimeToLiveResponse response = client.describeTimeToLive(r -> r.tableName(tableName));
            ttl = response.timeToLiveDescription();
        } catch (SdkException e) {
            LOG.warn("Could not check Time to Live of DynamoDB dedup table '{}' ({}). The store works without TTL, "
                    + "but items are then never deleted. Grant dynamodb:DescribeTimeToLive on the table to have "
                    + "this checked at start-up.", tableName, e.getMessage());
            return;
        }
        TimeToLiveStatus status = ttl == null ? null : ttl.timeToLiveStatus();
        String attribute = ttl == null ? null : ttl.attributeName();
        boolean on = status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING;
        String fix = "aws dynamodb update-time-to-live --table-name " + tableName
                + " --time-to-live-specification Enabled=true,AttributeName=" + EXPIRATION
                + " (or TimeToLiveSpecification in the infra/ template)";
        if (on && !EXPIRATION.equals(attribute)) {
            throw new StreamProcessingException("DynamoDB dedup table '" + tableName + "' has Time to Live on '"
                    + attribute + "', but shardwise writes expiry times to '" + EXPIRATION + "', so its items would "
                    + "never be deleted. A table has one TTL attribute: use a table whose TTL is on '" + EXPIRATION
                    + "' (disable TTL, wait for it to be DISABLED, then run: " + fix + ").");
        }
        if (!on) {
            String message = "DynamoDB dedup table '" + tableName + "' has Time to Live " + status + ": its items "
                    + "would never be deleted and the table would grow forever. Fix: " + fix;
            if (isLocalEmulator()) {
                LOG.warn("{} (only a warning: the endpoint is a local emulator)", message);
                return;
            }
            throw new StreamProcessingException(message);
        }
    }

    private boolean isLocalEmulator() {
        Optional<URI> endpoint;
        try {
            endpoint = client.serviceClientConfiguration().endpointOverride();
        } catch (UnsupportedOperationException e) {
            return false; // a hand-written client (tests): treat as real AWS
        }
        String host = endpoint.map(URI::getHost).orElse(null);
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                || host.equals("::1"));
    }

    private String createCommands() {
        String defs = "AttributeName=" + ID + ",AttributeType=S"
                + (sortKey == null ? "" : " AttributeName=" + sortKey + ",AttributeType=S");
        String keys = "AttributeName=" + ID + ",KeyType=HASH"
                + (sortKey == null ? "" : " AttributeName=" + sortKey + ",KeyType=RANGE");
        return "aws dynamodb create-table --table-name " + tableName + " --billing-mode PAY_PER_REQUEST "
                + "--attribute-definitions " + defs + " --key-schema " + keys
                + " && aws dynamodb update-time-to-live --table-name " + tableName
                + " --time-to-live-specification Enabled=true,AttributeName=" + EXPIRATION;
    }

    private static String describeKeys(TableDescription table) {
        List<String> parts = new ArrayList<>();
        for (KeyType keyType : List.of(KeyType.HASH, KeyType.RANGE)) {
            for (KeySchemaElement k : table.keySchema()) {
                if (k.keyType() == keyType) {
                    parts.add(k.attributeName() + " " + keyType + " " + type(table, k.attributeName()));
                }
            }
        }
        return parts.toString();
    }

    private static String hashKey(TableDescription table) {
        return table.keySchema().stream().filter(k -> k.keyType() == KeyType.HASH)
                .map(KeySchemaElement::attributeName).findFirst().orElse(null);
    }

    private static String rangeKey(TableDescription table) {
        return table.keySchema().stream().filter(k -> k.keyType() == KeyType.RANGE)
                .map(KeySchemaElement::attributeName).findFirst().orElse(null);
    }

    private static String type(TableDescription table, String attribute) {
        return table.attributeDefinitions().stream().filter(d -> d.attributeName().equals(attribute))
                .map(AttributeDefinition::attributeTypeAsString).findFirst().orElse("?");
    }

    // ------------------------------------------------------------------------------------------ reads

    @Override
    public Map<String, Entry> read(Collection<String> ids) {
        long nowSecond = clock.instant().getEpochSecond();
        Map<String, Entry> found = new LinkedHashMap<>();
        batchGet(ids, markerProjection, projectionNames, "reading dedup markers", (id, item) -> {
            Entry entry = entry(id, item);
            if (entry != null && !entry.isExpired(Instant.ofEpochSecond(nowSecond))) {
                found.put(id, entry);
            }
        });
        return found;
    }

    @Override
    public Map<String, Watermark> readWatermarks(Collection<String> ids) {
        long nowSecond = clock.instant().getEpochSecond();
        Map<String, Watermark> found = new LinkedHashMap<>();
        batchGet(ids, watermarkProjection, watermarkProjectionNames, "reading watermarks", (id, item) -> {
            AttributeValue seq = item.get(WATERMARK_SEQ);
            long expiration = number(item, EXPIRATION);
            if (seq != null && seq.s() != null && !(expiration != 0 && expiration < nowSecond)) {
                found.put(id, Watermark.of(seq.s(), number(item, WATERMARK_SUB_SEQ)));
            }
        });
        return found;
    }

    /**
     * BatchGetItem in calls of up to 100 distinct keys, strongly consistent, up to {@code readConcurrency} calls
     * at once; unprocessed keys (throttling, or the 16 MB response limit) are asked again with backoff, as the
     * BatchGetItem API reference advises. Items reach {@code sink} on the calling thread, page by page in order.
     */
    private void batchGet(Collection<String> ids, String projection, Map<String, String> names, String purpose,
                          BiConsumer<String, Map<String, AttributeValue>> sink) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        List<List<String>> pages = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += BATCH_GET_LIMIT) {
            pages.add(distinct.subList(from, Math.min(from + BATCH_GET_LIMIT, distinct.size())));
        }
        if (pages.size() <= 1 || readPool == null) {
            for (List<String> page : pages) {
                readPage(page, projection, names, purpose).forEach(item -> sink.accept(idOf(item), item));
            }
            return;
        }
        // The first page runs here, the others on the pool's readConcurrency - 1 threads: at most
        // readConcurrency calls in flight.
        List<CompletableFuture<List<Map<String, AttributeValue>>>> rest = new ArrayList<>(pages.size() - 1);
        for (List<String> page : pages.subList(1, pages.size())) {
            rest.add(CompletableFuture.supplyAsync(() -> readPage(page, projection, names, purpose), readPool));
        }
        List<Map<String, AttributeValue>> first = readPage(pages.get(0), projection, names, purpose);
        first.forEach(item -> sink.accept(idOf(item), item));
        for (CompletableFuture<List<Map<String, AttributeValue>>> page : rest) {
            List<Map<String, AttributeValue>> items;
            try {
                items = page.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause; // already names the table, the operation and the fix
                }
                throw e;
            }
            items.forEach(item -> sink.accept(idOf(item), item));
        }
    }

    /** One BatchGetItem page, with unprocessed keys asked again. */
    private List<Map<String, AttributeValue>> readPage(List<String> ids, String projection, Map<String, String> names,
                                                       String purpose) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>(ids.size());
        for (String id : ids) {
            keys.add(key(id));
        }
        KeysAndAttributes.Builder builder = KeysAndAttributes.builder().keys(keys).consistentRead(true)
                .projectionExpression(projection);
        if (!names.isEmpty()) {
            builder.expressionAttributeNames(names); // DynamoDB rejects an empty map, and unused names
        }
        KeysAndAttributes request = builder.build();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        int tries = 0;
        while (request != null && request.hasKeys() && !request.keys().isEmpty()) {
            BatchGetItemResponse response;
            try {
                KeysAndAttributes current = request;
                AwsRequestOverrideConfiguration call = callConfig();
                response = client.batchGetItem(r -> r.overrideConfiguration(call)
                        .requestItems(Map.of(tableName, current)));
            } catch (SdkException e) {
                throw failure("BatchGetItem", purpose, e);
            }
            tries++;
            items.addAll(response.responses().getOrDefault(tableName, List.of()));
            request = response.hasUnprocessedKeys() ? response.unprocessedKeys().get(tableName) : null;
            if (request != null && request.hasKeys() && !request.keys().isEmpty()) {
                if (!backoff.mayRetry(tries)) {
                    throw new StreamProcessingException("DynamoDB dedup table '" + tableName + "': BatchGetItem ("
                            + purpose + ") still left " + request.keys().size() + " keys unprocessed after "
                            + tries + " tries: the table is throttled. Fix: switch it to on-demand capacity or "
                            + "raise its read capacity. The batch is failed and will be redelivered.");
                }
                backoff.pause(tries);
            }
        }
        return items;
    }

    // ------------------------------------------------------------------------------------------ claim

    @Override
    public ClaimResult claim(String id, String validation, Instant leaseUntil, Instant expiresAt) {
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(expiresAt, "expiresAt");
        // Re-asked only if the fallback read (see below) finds the blocking item gone again.
        for (int round = 0; round < 3; round++) {
            Instant now = clock.instant();
            String token = UUID.randomUUID().toString();
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":inprogress", status(Status.INPROGRESS));
            values.put(":failed", status(Status.FAILED));
            values.put(":lease_until", n(leaseUntil.toEpochMilli()));
            values.put(":expiration", n(expiresAt.getEpochSecond()));
            values.put(":token", s(token));
            values.put(":now_s", n(now.getEpochSecond()));
            values.put(":now_ms", n(now.toEpochMilli()));
            values.put(":none", s(Expressions.NO_STATUS));
            values.put(":zero", n(0));
            if (validation != null) {
                values.put(":validation", s(validation));
            }
            UpdateItemRequest request = UpdateItemRequest.builder()
                    .overrideConfiguration(callConfig())
                    .tableName(tableName)
                    .key(key(id))
                    .updateExpression(validation == null ? Expressions.CLAIM_UPDATE
                            : Expressions.CLAIM_UPDATE_WITH_VALIDATION)
                    .conditionExpression(Expressions.CLAIM_CONDITION)
                    .expressionAttributeNames(Expressions.STATUS_NAME)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build();
            Map<String, AttributeValue> old;
            try {
                UpdateItemResponse response = client.updateItem(request);
                old = response.hasAttributes() ? response.attributes() : Map.of();
            } catch (ConditionalCheckFailedException e) {
                Map<String, AttributeValue> existing = blockingItem(id, e);
                if (existing == null) {
                    continue; // it disappeared since: claim again
                }
                if (!writtenBy(existing, token)) {
                    Entry entry = entry(id, existing);
                    if (entry == null) {
                        throw notAMarker(id, existing);
                    }
                    return new Rejected(entry);
                }
                // The SDK retried this claim after its first attempt was applied and the response lost: the
                // lease is ours, and the item still says what the lost response would have.
                old = beforeClaim(existing);
            } catch (SdkException e) {
                StreamProcessingException failed = failure("UpdateItem", "claiming dedup record '" + id + "'", e);
                if (failed instanceof CallDeadlineException deadline) {
                    // Perhaps applied too (a lost answer, then the retry ran out of time): the lease may be ours.
                    throw new ClaimCutShortException(deadline, token);
                }
                // Perhaps applied (a lost response, then retries that failed): the lease may be ours to release.
                throw new ClaimOutcomeUnknownException(failed.getMessage(), e, token);
            }
            if (old.isEmpty()) {
                return new Claimed(token, 0);
            }
            if (isDead(old, now)) {
                clearDeadItem(id, validation == null ? Expressions.CLEAR_AFTER_CLAIM_UPDATE_AND_VALIDATION
                        : Expressions.CLEAR_AFTER_CLAIM_UPDATE, Expressions.CLEAR_AFTER_CLAIM_CONDITION,
                        Map.of(":token", s(token)));
                return new Claimed(token, 0);
            }
            int attempts = (int) number(old, ATTEMPTS);
            if (Status.INPROGRESS.name().equals(string(old, STATUS))) {
                // We took over a lease that ended: that attempt never finished (timeout, crash). Count it. If
                // counting fails, the new lease is certainly ours: the caller must be able to release it.
                try {
                    attempts += countUnfinishedAttempt(id, token, attempts + 1);
                } catch (CallDeadlineException e) {
                    throw new ClaimCutShortException(e, token);
                } catch (StreamProcessingException e) {
                    throw new ClaimOutcomeUnknownException(e.getMessage(), e, token);
                }
            }
            return new Claimed(token, attempts);
        }
        throw new StreamProcessingException("DynamoDB dedup table '" + tableName + "': claiming dedup record '" + id
                + "' was rejected, but the item that blocked it could not be read (it kept disappearing). The "
                + "batch is failed and will be redelivered.");
    }

    /**
     * The item as it was before this call's claim applied, from what the claim kept of it ({@code prev_status},
     * {@code prev_expiration}; a claim leaves {@code attempts} as it was): empty if the claim created it.
     */
    private static Map<String, AttributeValue> beforeClaim(Map<String, AttributeValue> claimed) {
        String status = string(claimed, Expressions.PREV_STATUS);
        if (status == null || Expressions.NO_STATUS.equals(status)) {
            return Map.of();
        }
        Map<String, AttributeValue> old = new HashMap<>();
        old.put(STATUS, s(status));
        old.put(EXPIRATION, n(number(claimed, Expressions.PREV_EXPIRATION)));
        old.put(ATTEMPTS, n(number(claimed, ATTEMPTS)));
        return old;
    }

    /** 1 once the taken-over attempt is counted; 0 if our new lease was already lost again (nothing written). */
    private int countUnfinishedAttempt(String id, String token, int counted) {
        try {
            client.updateItem(UpdateItemRequest.builder()
                    .overrideConfiguration(callConfig())
                    .tableName(tableName)
                    .key(key(id))
                    .updateExpression(Expressions.COUNT_UNFINISHED_UPDATE)
                    .conditionExpression(Expressions.COUNT_UNFINISHED_CONDITION)
                    .expressionAttributeValues(Map.of(":counted", n(counted), ":token", s(token)))
                    .build());
            return 1;
        } catch (ConditionalCheckFailedException e) {
            return 0;
        } catch (SdkException e) {
            throw failure("UpdateItem", "counting the unfinished attempt of dedup record '" + id + "'", e);
        }
    }

    // ------------------------------------------------------------------------------------------ transitions

    @Override
    public boolean release(String id, String leaseToken, Instant expiresAt) {
        Objects.requireNonNull(leaseToken, "leaseToken");
        String call = callToken();
        try {
            client.updateItem(UpdateItemRequest.builder()
                    .overrideConfiguration(callConfig())
                    .tableName(tableName)
                    .key(key(id))
                    .updateExpression(Expressions.RELEASE_UPDATE)
                    .conditionExpression(Expressions.LEASE_CONDITION)
                    .expressionAttributeNames(Expressions.STATUS_NAME)
                    .expressionAttributeValues(Map.of(
                            ":failed", status(Status.FAILED),
                            ":inprogress", status(Status.INPROGRESS),
                            ":token", s(leaseToken),
                            ":call", s(call)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return writtenBy(blockingItem(id, e), call);
        } catch (SdkException e) {
            throw failure("UpdateItem", "releasing the lease on dedup record '" + id + "'", e);
        }
    }

    @Override
    public boolean complete(String id, String leaseToken, Instant expiresAt) {
        Objects.requireNonNull(leaseToken, "leaseToken");
        String call = callToken();
        UpdateItemRequest request = UpdateItemRequest.builder()
                    .overrideConfiguration(callConfig())
                .tableName(tableName)
                .key(key(id))
                .updateExpression(Expressions.COMPLETE_UPDATE)
                .conditionExpression(Expressions.LEASE_CONDITION)
                .expressionAttributeNames(Expressions.STATUS_NAME)
                .expressionAttributeValues(Map.of(
                        ":completed", status(Status.COMPLETED),
                        ":expiration", n(expiresAt.getEpochSecond()),
                        ":inprogress", status(Status.INPROGRESS),
                        ":token", s(leaseToken),
                        ":call", s(call)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        try {
            client.updateItem(request);
            return true;
        } catch (ConditionalCheckFailedException e) {
            return writtenBy(blockingItem(id, e), call);
        } catch (SdkException e) {
            throw failure("UpdateItem", "completing dedup record '" + id + "'", e);
        }
    }

    @Override
    public int recordFailure(String id, String leaseToken, Instant expiresAt) {
        Instant now = clock.instant();
        String call = callToken();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":failed", status(Status.FAILED));
        values.put(":expiration", n(expiresAt.getEpochSecond()));
        values.put(":one", n(1));
        values.put(":zero", n(0));
        values.put(":call", s(call));
        if (leaseToken != null) {
            values.put(":inprogress", status(Status.INPROGRESS));
            values.put(":token", s(leaseToken));
        } else {
            values.put(":now_s", n(now.getEpochSecond()));
            values.put(":completed", status(Status.COMPLETED));
            values.put(":parked", status(Status.PARKED));
        }
        UpdateItemRequest request = UpdateItemRequest.builder()
                    .overrideConfiguration(callConfig())
                .tableName(tableName)
                .key(key(id))
                .updateExpression(Expressions.FAILURE_UPDATE)
                .conditionExpression(leaseToken != null ? Expressions.LEASE_CONDITION : Expressions.FAILURE_CONDITION)
                .expressionAttributeNames(Expressions.STATUS_NAME)
                .expressionAttributeValues(values)
                .returnValues(ReturnValue.ALL_OLD)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        Map<String, AttributeValue> old;
        try {
            UpdateItemResponse response = client.updateItem(request);
            old = response.hasAttributes() ? response.attributes() : Map.of();
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> existing = blockingItem(id, e);
            if (!writtenBy(existing, call)) {
                return -1;
            }
            // The SDK retried this call after its first attempt was applied and the response lost.
            old = Map.of(ATTEMPTS, n(number(existing, ATTEMPTS) - 1),
                    EXPIRATION, n(number(existing, Expressions.PREV_EXPIRATION)));
        } catch (SdkException e) {
            throw failure("UpdateItem", "recording a failed attempt of dedup record '" + id + "'", e);
        }
        if (old.isEmpty()) {
            return 1;
        }
        long written = number(old, ATTEMPTS) + 1;
        if (isDead(old, now)) {
            clearDeadItem(id, Expressions.CLEAR_AFTER_FAILURE_UPDATE, Expressions.CLEAR_AFTER_FAILURE_CONDITION,
                    Map.of(":failed", status(Status.FAILED), ":written", n(written), ":one", n(1)));
            return 1;
        }
        return (int) written;
    }

    @Override
    public boolean markParked(String id, String leaseToken, Instant expiresAt) {
        String call = callToken();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":parked", status(Status.PARKED));
        values.put(":expiration", n(expiresAt.getEpochSecond()));
        values.put(":call", s(call));
        UpdateItemRequest.Builder request = UpdateItemRequest.builder()
                    .overrideConfiguration(callConfig())
                .tableName(tableName)
                .key(key(id))
                .updateExpression(Expressions.PARK_UPDATE)
                .expressionAttributeNames(Expressions.STATUS_NAME);
        if (leaseToken != null) {
            values.put(":inprogress", status(Status.INPROGRESS));
            values.put(":token", s(leaseToken));
            request.conditionExpression(Expressions.LEASE_CONDITION)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        }
        try {
            client.updateItem(request.expressionAttributeValues(values).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            // Unless it is this call's own applied write (a lost response retried by the SDK), another invocation
            // took the lease after ours ended; its marker stands.
            return writtenBy(blockingItem(id, e), call);
        } catch (SdkException e) {
            throw failure("UpdateItem", "marking dedup record '" + id + "' parked", e);
        }
    }

    @Override
    public boolean advanceWatermark(String id, Watermark expected, Watermark next, Instant expiresAt) {
        Objects.requireNonNull(next, "next");
        Map<String, AttributeValue> item = new HashMap<>(key(id));
        // Kinesis sequence numbers have up to 56 digits, more than a DynamoDB number's 38: stored as a string.
        item.put(WATERMARK_SEQ, s(next.sequenceNumber().toString()));
        item.put(WATERMARK_SUB_SEQ, n(next.subSequenceNumber()));
        item.put(EXPIRATION, n(expiresAt.getEpochSecond()));
        String writeToken = callToken();
        item.put(Expressions.WRITE_TOKEN, s(writeToken));
        Map<String, AttributeValue> values = expected == null
                ? Map.of(":now_s", n(clock.instant().getEpochSecond()))
                : Map.of(":expected_seq", s(expected.sequenceNumber().toString()),
                ":expected_sub", n(expected.subSequenceNumber()));
        AwsRequestOverrideConfiguration call = callConfig();
        try {
            client.putItem(r -> r.overrideConfiguration(call).tableName(tableName).item(item)
                    .conditionExpression(expected == null ? Expressions.WATERMARK_ABSENT_CONDITION
                            : Expressions.WATERMARK_EQUALS_CONDITION)
                    .expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // This call's own put, applied before its response was lost and the SDK sent it again, has moved it.
            return e.hasItem() && writtenBy(e.item(), writeToken);
        } catch (SdkException e) {
            throw failure("PutItem", "advancing watermark '" + id + "'", e);
        }
    }

    // ------------------------------------------------------------------------------------------ commit

    @Override
    public List<CommitResult> commit(List<Staged> records, Instant expiresAt) {
        Instant now = clock.instant();
        Map<String, AttributeValue> values = Map.of(
                ":now_s", n(now.getEpochSecond()),
                ":now_ms", n(now.toEpochMilli()),
                ":failed", status(Status.FAILED),
                ":inprogress", status(Status.INPROGRESS));
        return committer.commit(records, staged -> {
            Map<String, AttributeValue> item = new HashMap<>(key(staged.id()));
            item.put(STATUS, status(Status.COMPLETED));
            item.put(EXPIRATION, n(expiresAt.getEpochSecond()));
            if (staged.validation() != null) {
                item.put(VALIDATION, s(staged.validation()));
            }
            return TransactWriteItem.builder().put(Put.builder()
                    .tableName(tableName)
                    .item(item)
                    .conditionExpression(Expressions.CLAIM_CONDITION)
                    .expressionAttributeNames(Expressions.STATUS_NAME)
                    .expressionAttributeValues(values)
                    .build()).build();
        });
    }

    private TransactionalCommitter.Attempt execute(List<TransactWriteItem> items) {
        AwsRequestOverrideConfiguration call = callConfig();
        try {
            client.transactWriteItems(r -> r.overrideConfiguration(call).transactItems(items));
            return new TransactionalCommitter.Committed();
        } catch (TransactionCanceledException e) {
            return new TransactionalCommitter.Cancelled(e);
        } catch (ProvisionedThroughputExceededException | RequestLimitExceededException | ThrottlingException
                 | TransactionInProgressException | TransactionConflictException e) {
            return new TransactionalCommitter.Throttled(e);
        } catch (AwsServiceException e) {
            if ("ValidationException".equals(errorCode(e))) {
                return new TransactionalCommitter.Invalid(e);
            }
            throw failure("TransactWriteItems", "committing records with their writes to tables "
                    + tablesOf(items), e);
        } catch (SdkException e) {
            throw failure("TransactWriteItems", "committing records with their writes to tables "
                    + tablesOf(items), e);
        }
    }

    private static String tablesOf(List<TransactWriteItem> items) {
        return items.stream().map(TransactionalCommitter::table).distinct().toList().toString();
    }

    private TransactionalCommitter.ItemKey keyOf(TransactWriteItem action) {
        String table = TransactionalCommitter.table(action);
        Map<String, AttributeValue> key = TransactionalCommitter.explicitKey(action);
        if (key != null) {
            return new TransactionalCommitter.ItemKey(table, key);
        }
        List<String> schema = keySchemas.computeIfAbsent(table, this::describeKeySchema);
        if (schema.isEmpty()) {
            return new TransactionalCommitter.ItemKey(table, null);
        }
        Map<String, AttributeValue> fromItem = new HashMap<>();
        for (String name : schema) {
            fromItem.put(name, action.put().item().get(name));
        }
        return new TransactionalCommitter.ItemKey(table, fromItem);
    }

    /** The key attribute names of a table the processor puts into; empty (cached) when they cannot be read. */
    private List<String> describeKeySchema(String table) {
        try {
            TableDescription description = client.describeTable(r -> r.tableName(table)).table();
            String hash = hashKey(description);
            String range = rangeKey(description);
            return range == null ? List.of(hash) : List.of(hash, range);
        } catch (SdkException e) {
            LOG.warn("Could not read the key schema of DynamoDB table '{}' ({}), which the processor writes with "
                    + "Put in transactions; such puts will not share a transaction with other writes to that table "
                    + "(more TransactWriteItems calls). Grant dynamodb:DescribeTable on it to avoid this.",
                    table, e.getMessage());
            return List.of();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The second write after replacing an expired item; losing its condition only means another took over. */
    private void clearDeadItem(String id, String update, String condition, Map<String, AttributeValue> values) {
        AwsRequestOverrideConfiguration call = callConfig();
        try {
            client.updateItem(r -> r.overrideConfiguration(call).tableName(tableName).key(key(id))
                    .updateExpression(update)
                    .conditionExpression(condition).expressionAttributeNames(condition.contains("#status")
                            ? Expressions.STATUS_AND_DATA_NAMES : Expressions.DATA_NAME)
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            LOG.debug("Dedup record '{}' changed before its expired history was cleared", id);
        } catch (SdkException e) {
            throw failure("UpdateItem", "clearing the expired history of dedup record '" + id + "'", e);
        }
    }

    /** A fresh token for one call's write ({@link Expressions#WRITE_TOKEN}). */
    private static String callToken() {
        return UUID.randomUUID().toString();
    }

    /**
     * The item a condition failed on: DynamoDB returns it with the failure
     * ({@code ReturnValuesOnConditionCheckFailure=ALL_OLD}); a consistent read covers an emulator or proxy that drops
     * it. Null if there is none.
     */
    private Map<String, AttributeValue> blockingItem(String id, ConditionalCheckFailedException e) {
        return e.hasItem() && !e.item().isEmpty() ? e.item() : consistentGet(id);
    }

    /** Whether {@code item} was last written by the call holding {@code callToken}. */
    private static boolean writtenBy(Map<String, AttributeValue> item, String callToken) {
        return item != null && callToken.equals(string(item, Expressions.WRITE_TOKEN));
    }

    private static boolean isDead(Map<String, AttributeValue> old, Instant now) {
        long expiration = number(old, EXPIRATION);
        return expiration != 0 && expiration < now.getEpochSecond();
    }

    private Map<String, AttributeValue> consistentGet(String id) {
        AwsRequestOverrideConfiguration call = callConfig();
        try {
            // The whole item (no projection): write_token and prev_* say whether it is this call's own write.
            Map<String, AttributeValue> item = client.getItem(r -> r.overrideConfiguration(call).tableName(tableName)
                    .key(key(id))
                    .consistentRead(true)).item();
            return item == null || item.isEmpty() ? null : item;
        } catch (SdkException e) {
            throw failure("GetItem", "reading the item a condition failed on, of dedup record '" + id + "'", e);
        }
    }

    /** The item's key for an engine id; see the class comment for the sort-key layout. */
    Map<String, AttributeValue> key(String id) {
        Objects.requireNonNull(id, "id");
        if (sortKey == null) {
            return Map.of(ID, s(id));
        }
        int hash = id.indexOf('#');
        if (hash <= 0 || hash == id.length() - 1) {
            throw new IllegalArgumentException("With a sort key, dedup ids must look like '<consumer>#<key hash>', "
                    + "got '" + id + "'");
        }
        return Map.of(ID, s(id.substring(0, hash)), sortKey, s(id.substring(hash + 1)));
    }

    private String idOf(Map<String, AttributeValue> item) {
        String id = item.get(ID).s();
        return sortKey == null ? id : id + "#" + item.get(sortKey).s();
    }

    /** The marker in {@code item}, or null if it is not one (no status: a watermark item). */
    private Entry entry(String id, Map<String, AttributeValue> item) {
        AttributeValue statusValue = item.get(STATUS);
        if (statusValue == null || statusValue.s() == null) {
            return null;
        }
        Status status;
        try {
            status = Status.valueOf(statusValue.s());
        } catch (IllegalArgumentException e) {
            throw notAMarker(id, item);
        }
        return new Entry(id, status, number(item, EXPIRATION), number(item, IN_PROGRESS_EXPIRATION),
                (int) number(item, ATTEMPTS), string(item, VALIDATION), string(item, LEASE_TOKEN));
    }

    private StreamProcessingException notAMarker(String id, Map<String, AttributeValue> item) {
        return new StreamProcessingException("DynamoDB dedup table '" + tableName + "' holds item '" + id + "' with "
                + "status " + item.get(STATUS) + ", which shardwise does not write: another application writes "
                + "the same ids to this table. Give this consumer its own table or consumer name.");
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static String errorCode(AwsServiceException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    /** An infrastructure failure, as the {@link DedupStore} contract wants it: table, operation, fix. */
    private StreamProcessingException failure(String operation, String purpose, SdkException e) {
        if (timeLeft != null && e instanceof ApiCallTimeoutException) {
            return new CallDeadlineException("DynamoDB dedup table '" + tableName + "': " + operation + " (" + purpose
                    + ") did not finish in the time the invocation had left (" + e.getMessage() + "); stopping with a "
                    + "partial response", e);
        }
        return failure(operation, purpose, e, "The batch is failed and will be redelivered.");
    }

    /** The same, from {@link #checkReady()}: it runs while the handler is built, before there is any batch. */
    private StreamProcessingException failureAtStartUp(String operation, String purpose, SdkException e) {
        return failure(operation, purpose, e, "Thrown while the handler is built (Lambda's init phase): no batch "
                + "was processed; the function starts once this is fixed.");
    }

    private StreamProcessingException failure(String operation, String purpose, SdkException e,
                                              String consequence) {
        String code = e instanceof AwsServiceException ase ? errorCode(ase) : null;
        String fix;
        if (e instanceof ResourceNotFoundException) {
            fix = "create the table (DedupStore.checkReady says how) or correct the table name and the client's "
                    + "region";
        } else if ("AccessDeniedException".equals(code) || "UnrecognizedClientException".equals(code)
                || (e instanceof AwsServiceException ase && ase.statusCode() == 403)) {
            fix = "grant the function's role dynamodb:" + operation + " on table '" + tableName + "'"
                    + (operation.equals("TransactWriteItems") ? " and on the tables the processor writes" : "");
        } else if (e instanceof ProvisionedThroughputExceededException || e instanceof RequestLimitExceededException
                || e instanceof ThrottlingException) {
            fix = "switch the table to on-demand capacity or raise its capacity";
        } else {
            fix = "check that the function can reach DynamoDB in the client's region (VPC endpoint or NAT "
                    + "gateway) and retry";
        }
        return new StreamProcessingException("DynamoDB dedup table '" + tableName + "': " + operation + " ("
                + purpose + ") failed: " + e.getMessage() + ". Fix: " + fix + ". " + consequence, e);
    }

    @Override
    public String toString() {
        return "DynamoDbDedupStore[" + tableName + (sortKey == null ? "" : ", sortKey=" + sortKey) + "]";
    }

    @Override
    public boolean releaseParked(String id) {
        Objects.requireNonNull(id, "id");
        try {
            client.deleteItem(software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest.builder()
                    .tableName(tableName)
                    .key(key(id))
                    .conditionExpression("#status = :parked")
                    .expressionAttributeNames(Expressions.STATUS_NAME)
                    .expressionAttributeValues(Map.of(":parked", status(Status.PARKED)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            // No item returned: none there, or the SDK retried a delete whose first response was lost.
            Map<String, AttributeValue> item = e.item();
            if (item == null || item.isEmpty()) {
                return true;
            }
            Entry existing = entry(id, item);
            return existing != null && existing.isExpired(clock.instant());
        } catch (SdkException e) {
            throw failure("DeleteItem", "releasing the parked dedup record '" + id + "' for replay", e);
        }
    }
}
