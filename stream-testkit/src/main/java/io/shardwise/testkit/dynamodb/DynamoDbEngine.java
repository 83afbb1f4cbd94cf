package io.shardwise.testkit.dynamodb;

import io.shardwise.testkit.dynamodb.internal.Database;
import io.shardwise.testkit.dynamodb.internal.HttpBinding;
import io.shardwise.testkit.dynamodb.internal.InProcessHttpClient;
import io.shardwise.testkit.dynamodb.internal.WireProtocol;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClientBuilder;

/**
 * An in-memory DynamoDB + DynamoDB Streams engine in this JVM, wire-compatible with the AWS SDK, with fault
 * injection. Reach it in process through SDK clients that call it on the calling thread ({@link #client()},
 * {@link #streamsClient()}, or the builders to set your own retry strategy, interceptors and timeouts), or over
 * HTTP ({@link #serveHttp(int)}). Both go through the same protocol layer, so they answer alike.
 *
 * <pre>{@code
 * DynamoDbEngine engine = DynamoDbEngine.builder().clock(clock).seed(42).build();
 * DynamoDbClient ddb = engine.client();
 * ddb.createTable(...);
 * engine.faults().add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST).operations("PutItem").once().build());
 * }</pre>
 *
 * <p>Covered: CreateTable (no secondary indexes), DescribeTable, DeleteTable, ListTables, UpdateTimeToLive,
 * DescribeTimeToLive, PutItem, GetItem, UpdateItem, DeleteItem, BatchGetItem, BatchWriteItem, Query, Scan,
 * TransactWriteItems, TransactGetItems; Streams: ListStreams, DescribeStream, GetShardIterator, GetRecords. The
 * legacy parameters (Expected, AttributeUpdates, KeyConditions, ...) are answered with a ValidationException naming
 * the expression to use. TTL deletes happen when {@link #expireTtl()} is called.
 *
 * <p><b>Thread-safety:</b> thread-safe; each table has its own lock, a transaction takes its tables' locks in name
 * order.
 */
public final class DynamoDbEngine implements AutoCloseable {

    private final Region region;
    private final Database database;
    private final Faults faults;
    private final WireProtocol protocol;
    private final InProcessHttpClient httpClient;
    private final List<DynamoDbHttpServer> servers = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private DynamoDbClient client;
    private DynamoDbStreamsClient streamsClient;

    private DynamoDbEngine(Builder b) {
        this.region = b.region;
        this.database = new Database(b.clock, b.region.id(), b.account, b.seed);
        this.faults = new Faults(b.seed);
        this.protocol = new WireProtocol(database, faults::decide, b.sleeper, b.hook);
        this.httpClient = new InProcessHttpClient(protocol);
        faults.onEndpointChange(down -> servers.forEach(s -> s.down(down)));
    }

    /** A builder for an engine with the defaults its setters name. */
    public static Builder builder() {
        return new Builder();
    }

    /** The fault rules every request of this engine is checked against. */
    public Faults faults() {
        return faults;
    }

    /** The engine's clock (TTL expiry, stream timestamps, iterator and token lifetimes). */
    public Clock clock() {
        return database.clock();
    }

    /** The API operations served, by name. */
    public List<String> operations() {
        return protocol.operations();
    }

    /**
     * A shared in-process {@link DynamoDbClient} (region us-east-1 unless set, dummy credentials, the SDK's default
     * retry strategy). Owned by the engine: do not close it.
     */
    public DynamoDbClient client() {
        synchronized (lock) {
            if (client == null) {
                client = clientBuilder().build();
            }
            return client;
        }
    }

    /** A shared in-process {@link DynamoDbStreamsClient}; owned by the engine, do not close it. */
    public DynamoDbStreamsClient streamsClient() {
        synchronized (lock) {
            if (streamsClient == null) {
                streamsClient = streamsClientBuilder().build();
            }
            return streamsClient;
        }
    }

    /** A builder wired to this engine in process; set retries, interceptors or timeouts, then build (you own it). */
    public DynamoDbClientBuilder clientBuilder() {
        return DynamoDbClient.builder()
                .httpClient(httpClient)
                .endpointOverride(IN_PROCESS)
                .region(region)
                .credentialsProvider(credentials());
    }

    /** A streams client builder wired to this engine in process (you own what you build). */
    public DynamoDbStreamsClientBuilder streamsClientBuilder() {
        return DynamoDbStreamsClient.builder()
                .httpClient(httpClient)
                .endpointOverride(IN_PROCESS)
                .region(region)
                .credentialsProvider(credentials());
    }

    /** The endpoint the in-process clients name; nothing listens there, the requests never leave the JVM. */
    private static final URI IN_PROCESS = URI.create("http://dynamodb.in-process.invalid");

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }

    /**
     * Serves this engine over HTTP on {@code 127.0.0.1:port} (0: a free port). Close the returned handle to stop
     * listening.
     */
    public DynamoDbHttpServer serveHttp(int port) {
        DynamoDbHttpServer server = new DynamoDbHttpServer(HttpBinding.start(protocol, port));
        servers.add(server);
        if (faults.endpointDown()) {
            server.down(true);
        }
        return server;
    }

    /**
     * Performs TTL deletion now: in every table with TTL enabled, deletes the items whose TTL attribute is a number
     * of epoch seconds at or before the clock's now, each with a REMOVE stream record carrying {@code userIdentity
     * {type: Service, principalId: dynamodb.amazonaws.com}}.
     *
     * @return the number of items deleted
     */
    public int expireTtl() {
        return database.expireTtl();
    }

    /** Closes the shared clients and every HTTP server of this engine. The data is dropped with the object. */
    @Override
    public void close() {
        synchronized (lock) {
            if (client != null) {
                client.close();
                client = null;
            }
            if (streamsClient != null) {
                streamsClient.close();
                streamsClient = null;
            }
        }
        for (DynamoDbHttpServer s : servers) {
            s.close();
        }
        servers.clear();
    }

    /** Configures a {@link DynamoDbEngine}. Every setting has a default. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private long seed = 0;
        private Sleeper sleeper = Sleeper.threadSleep();
        private RequestHook hook = new RequestHook() {};
        private Region region = Region.US_EAST_1;
        private String account = "000000000000";

        private Builder() {}

        /** The clock for TTL, stream timestamps, iterator expiry and token windows (default: system UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The seed of the fault rules' random draws and of generated ids (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How injected latency waits (default: {@link Thread#sleep}). */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Called before and after every request (default: none). */
        public Builder requestHook(RequestHook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** The region in ARNs and stream records and of the in-process clients (default us-east-1). */
        public Builder region(Region region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /** The 12-digit account id in ARNs (default 000000000000). */
        public Builder account(String account) {
            if (account == null || !account.matches("\\d{12}")) {
                throw new IllegalArgumentException("account must be 12 digits, was " + account);
            }
            this.account = account;
            return this;
        }

        /** The engine, empty and ready for requests. */
        public DynamoDbEngine build() {
            return new DynamoDbEngine(this);
        }
    }
}
