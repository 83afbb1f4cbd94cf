package io.shardwise.benchmarks;

import io.shardwise.core.dedup.RequestCounter;
import io.shardwise.testkit.LocalAwsClients;
import io.shardwise.testkit.LocalEmulators;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The embedded DynamoDB engine of stream-testkit ({@code LocalEmulators.dynamoDb()}, in this JVM), reached over
 * HTTP on loopback so that the SDK's HTTP client and marshalling stay in every measurement, with the benchmark's
 * tables and clients: for each HTTP client kind, one client for the dedup store (or the baseline's idempotency
 * records) and one for the user's own writes, each with its own {@link RequestCounter} and both behind the same
 * {@link LatencyInjector} and {@link CapacityMeter}. Counting the two apart tells what dedup costs from what the
 * user's code costs.
 *
 * <p>Tables: {@link #dedupTable} (shardwise's layout: key {@code id}, TTL {@code expiration}),
 * {@link #idempotencyTable} (the baseline's, same layout as Powertools' default), {@link #userTable} (key
 * {@code pk}). Names carry a random suffix. Not thread-safe to build; the clients are thread-safe.
 */
public final class Dynamo implements AutoCloseable {

    /** The synchronous SDK HTTP clients compared. */
    public enum HttpClientKind {
        APACHE("Apache HTTP client"), URL_CONNECTION("url-connection client");

        private final String label;

        HttpClientKind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A pair of clients of one kind. */
    public record Clients(HttpClientKind kind, DynamoDbClient store, RequestCounter storeRequests,
                          DynamoDbClient user, RequestCounter userRequests, ServiceTimer serviceTime,
                          CapacityMeter capacity) {
        public void resetCounts() {
            storeRequests.reset();
            userRequests.reset();
            serviceTime.reset();
            capacity.reset();
        }
    }

    /** The role of the dedup store's tables (shardwise's and the baseline's) in capacity figures. */
    public static final String DEDUP_ROLE = "dedup table";
    /** The role of the user's table in capacity figures. */
    public static final String USER_ROLE = "user table";

    public final LatencyInjector latency = new LatencyInjector();
    public final String dedupTable;
    public final String idempotencyTable;
    public final String userTable;
    private final URI endpoint;
    private final List<DynamoDbClient> owned = new ArrayList<>();
    private final Clients apache;
    private final Clients urlConnection;

    public Dynamo() {
        this.endpoint = LocalEmulators.dynamoDb().endpoint();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        this.dedupTable = "bench-dedup-" + suffix;
        this.idempotencyTable = "bench-idempotency-" + suffix;
        this.userTable = "bench-user-" + suffix;
        this.apache = newClients(HttpClientKind.APACHE);
        this.urlConnection = newClients(HttpClientKind.URL_CONNECTION);
        DynamoDbClient admin = apache.store();
        createTable(admin, dedupTable, "id", true);
        createTable(admin, idempotencyTable, "id", true);
        createTable(admin, userTable, "pk", false);
    }

    public Clients clients(HttpClientKind kind) {
        return kind == HttpClientKind.APACHE ? apache : urlConnection;
    }

    private Clients newClients(HttpClientKind kind) {
        RequestCounter store = new RequestCounter();
        RequestCounter user = new RequestCounter();
        ServiceTimer timer = new ServiceTimer();
        CapacityMeter capacity = new CapacityMeter();
        return new Clients(kind, client(kind, store, timer, capacity), store, client(kind, user, timer, capacity), user,
                timer, capacity);
    }

    /**
     * What a table is to the benchmark: {@link #DEDUP_ROLE} (shardwise's dedup table, the baseline's idempotency
     * table) or {@link #USER_ROLE}; any other name as it is.
     */
    public String role(String table) {
        if (table.equals(dedupTable) || table.equals(idempotencyTable)) {
            return DEDUP_ROLE;
        }
        return table.equals(userTable) ? USER_ROLE : table;
    }

    private DynamoDbClient client(HttpClientKind kind, RequestCounter counter, ServiceTimer timer,
                                  CapacityMeter capacity) {
        SdkHttpClient.Builder<?> http = switch (kind) {
            // Sized so that 32 key-parallel lanes never queue for a connection.
            case APACHE -> ApacheHttpClient.builder().maxConnections(64);
            case URL_CONNECTION -> UrlConnectionHttpClient.builder();
        };
        DynamoDbClient c = DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(LocalAwsClients.REGION)
                .credentialsProvider(LocalAwsClients.credentials())
                .httpClientBuilder(http)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .addExecutionInterceptor(counter)
                        .addExecutionInterceptor(capacity)
                        .addExecutionInterceptor(latency)
                        .addExecutionInterceptor(timer)
                        .apiCallTimeout(Duration.ofMinutes(2))
                        .build())
                .build();
        owned.add(c);
        return c;
    }

    private static void createTable(DynamoDbClient client, String name, String hashKey, boolean ttl) {
        client.createTable(r -> r.tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName(hashKey).keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName(hashKey)
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        client.waiter().waitUntilTableExists(r -> r.tableName(name));
        if (ttl) {
            client.updateTimeToLive(r -> r.tableName(name)
                    .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiration")));
        }
    }

    @Override
    public void close() {
        owned.forEach(DynamoDbClient::close);
    }
}
