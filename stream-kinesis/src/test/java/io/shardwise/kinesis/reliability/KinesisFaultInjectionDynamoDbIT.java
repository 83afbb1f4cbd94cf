package io.shardwise.kinesis.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.testkit.LocalAwsClients;
import io.shardwise.testkit.LocalEmulators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault-injection runs of {@link KinesisFaultInjectionProperties} with the real {@link DynamoDbDedupStore} on
 * the embedded DynamoDB engine: store faults (throttling, 5xx and read timeouts after the write was applied, crashes before and
 * after a request) come from an SDK {@link DynamoDbFaults} interceptor on the store's client, so the store's own
 * error handling and the SDK's retries are exercised; the processor's effects in TRANSACTIONAL mode are real
 * {@code UpdateItem ADD} writes on a user table, read back after the run. Few runs: each is a few hundred real
 * requests.
 *
 * <p>Also checks that dedup keys are stored hashed: after a run with payload-derived keys, no raw key appears in
 * the dedup table.
 */
class KinesisFaultInjectionDynamoDbIT {

    static final int RUNS_PER_MODE = 6;

    static DynamoDbClient client;
    static String dedupTable;
    static String userTable;
    static volatile LambdaSimulation current;
    static final Map<String, Long> TOTALS = new java.util.concurrent.ConcurrentHashMap<>();
    static final DynamoDbFaults FAULTS = new DynamoDbFaults(() -> current);

    @BeforeAll
    static void tables() {
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(Level.OFF);
        client = DynamoDbClient.builder()
                .endpointOverride(LocalEmulators.dynamoDb().endpoint())
                .region(LocalAwsClients.REGION)
                .credentialsProvider(LocalAwsClients.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(FAULTS)
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(3)
                                .backoffStrategy(BackoffStrategy.retryImmediately())
                                .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
                                .circuitBreakerEnabled(false)
                                .build()))
                .build();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        dedupTable = "reliability-dedup-" + suffix;
        userTable = "reliability-effects-" + suffix;
        createTable(client, dedupTable, "id", true);
        createTable(client, userTable, "pk", false);
    }

    @AfterAll
    static void close() {
        System.out.println("[reliability DynamoDB engine] totals " + TOTALS + ", SDK attempts " + FAULTS.attempts
                + ", SDK-level faults " + FAULTS.injected);
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(null);
        client.close();
    }

    static void createTable(DynamoDbClient c, String name, String key, boolean ttl) {
        c.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName(key).keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName(key)
                        .attributeType(ScalarAttributeType.S).build()));
        c.waiter().waitUntilTableExists(r -> r.tableName(name));
        if (ttl) {
            c.updateTimeToLive(r -> r.tableName(name).timeToLiveSpecification(t -> t.enabled(true)
                    .attributeName("expiration")));
        }
    }

    static Stream<Arguments> runs() {
        return Stream.of(Scenario.Store.TRANSACTIONAL, Scenario.Store.PER_RECORD, Scenario.Store.WATERMARK)
                .flatMap(store -> Stream.iterate(0, i -> i + 1).limit(RUNS_PER_MODE)
                        .map(i -> Arguments.of(store, 9_000L + store.ordinal() * 100 + i)));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("runs")
    void nothingLostNothingDoubledOnDynamoDbLocal(Scenario.Store store, long seed) {
        Scenario scenario = Scenario.generate(seed, new Scenario.Options().store(store).maxRecordsPerShard(15)
                .maxFaults(12));
        LambdaSimulation sim = run(scenario);
        try {
            assertThat(sim.violations()).as(sim.report()).isEmpty();
            if (store == Scenario.Store.TRANSACTIONAL) {
                Map<String, Long> applied = readEffects(scenario);
                for (String event : scenario.eventOrder) {
                    long n = applied.getOrDefault(event, 0L);
                    assertThat(n).as("ADD count of %s in the user table\n%s", event, sim.report())
                            .isLessThanOrEqualTo(1).isEqualTo(sim.ledger.effects(event));
                    if (n == 0) {
                        assertThat(sim.ledger.parkings(event)).as("%s neither applied nor parked", event).isPositive();
                    }
                }
            }
        } finally {
            sim.close();
        }
    }

    @Test
    void dedupKeysAreStoredHashed() throws Exception {
        for (Scenario.Store store : List.of(Scenario.Store.PER_RECORD, Scenario.Store.TRANSACTIONAL)) {
            Scenario scenario = Scenario.generate(77 + store.ordinal(), new Scenario.Options().store(store)
                    .payloadKeys(true).withoutFaults().maxRecordsPerShard(10));
            LambdaSimulation sim = run(scenario);
            sim.close();
            assertThat(sim.violations()).as(sim.report()).isEmpty();
            String consumer = "rel-" + scenario.runId;
            List<Map<String, AttributeValue>> items = client.scanPaginator(r -> r.tableName(dedupTable)
                    .consistentRead(true)).items().stream()
                    .filter(i -> i.get("id").s().startsWith(consumer + "#")).toList();
            assertThat(items).as("markers of %s", consumer).isNotEmpty();
            StringBuilder everything = new StringBuilder();
            for (Map<String, AttributeValue> item : items) {
                assertThat(item.get("id").s()).matches(java.util.regex.Pattern.quote(consumer) + "#[0-9a-f]{64}");
                item.forEach((name, value) -> everything.append(name).append('=').append(value).append('\n'));
            }
            String table = everything.toString();
            for (String event : scenario.eventOrder) {
                assertThat(table).as("raw dedup key in the dedup table").doesNotContain(event);
                String raw = event.startsWith("evt:") ? event.substring(4) : event;
                assertThat(table).doesNotContain(raw);
            }
            for (String secret : scenario.secrets) {
                assertThat(table).doesNotContain(secret);
            }
            // Each event's marker is there under consumer#sha256(key).
            for (String event : scenario.eventOrder) {
                String id = consumer + "#" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(event.getBytes(StandardCharsets.UTF_8)));
                assertThat(items).as("marker of %s", event).anyMatch(i -> i.get("id").s().equals(id));
            }
        }
    }

    static LambdaSimulation run(Scenario scenario) {
        LambdaSimulation sim = new LambdaSimulation(scenario);
        DedupStore store = DynamoDbDedupStore.builder(client, dedupTable).clock(sim.clock).build();
        sim.backend(new LambdaSimulation.Backend() {
            @Override
            public DedupStore store() {
                return store;
            }

            @Override
            public boolean wrapperInjectsFaults() {
                return false;
            }

            @Override
            public String userTable() {
                return userTable;
            }
        });
        current = sim;
        try {
            sim.run().verify();
        } finally {
            current = null;
        }
        sim.summary().forEach((k, v) -> TOTALS.merge(k, v, Long::sum));
        sim.faults.injected().forEach((k, v) -> TOTALS.merge(k.name(), (long) v, Long::sum));
        return sim;
    }

    static Map<String, Long> readEffects(Scenario scenario) {
        Map<String, Long> out = new HashMap<>();
        for (String event : scenario.eventOrder) {
            Map<String, AttributeValue> item = client.getItem(r -> r.tableName(userTable)
                    .key(Map.of("pk", AttributeValue.fromS(event))).consistentRead(true)).item();
            if (item != null && item.containsKey("n")) {
                out.put(event, Long.parseLong(item.get("n").n()));
            }
        }
        return out;
    }
}
