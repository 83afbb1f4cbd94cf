package io.shardwise.testkit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Fault injection through the real SDK pipeline: each fault kind, seen as the SDK sees it, with the SDK's own
 * retries where the fault is retryable.
 */
abstract class FaultsContract extends EngineContract {

    final List<Duration> slept = new ArrayList<>();
    final List<String> hookEvents = new ArrayList<>();

    FaultsContract(Binding binding) {
        super(binding);
    }

    @Override
    DynamoDbEngine.Builder configure(DynamoDbEngine.Builder builder) {
        return builder.seed(7)
                .sleeper(d -> {
                    synchronized (slept) {
                        slept.add(d);
                    }
                })
                .requestHook(new RequestHook() {
                    @Override
                    public void beforeRequest(String operation) {
                        hookEvents.add("before " + operation);
                    }

                    @Override
                    public void afterRequest(String operation, boolean applied) {
                        hookEvents.add("after " + operation + " " + applied);
                    }
                });
    }

    @BeforeEach
    void table() {
        hashTable("faults", StreamViewType.NEW_AND_OLD_IMAGES);
        hookEvents.clear();
    }

    /** A client that retries up to {@code attempts} times at once (no backoff, no circuit breaker). */
    DynamoDbClient retrying(int attempts) {
        return connection.clientBuilder()
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(attempts)
                        .backoffStrategy(BackoffStrategy.retryImmediately())
                        .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
                        .circuitBreakerEnabled(false)
                        .build()))
                .build();
    }

    FaultRule add(FaultRule.Builder rule) {
        return engine.faults().add(rule.build());
    }

    long inserts() {
        return streamRecords("faults").stream().filter(r -> r.eventName() == OperationType.INSERT).count();
    }

    @Test
    void throttlingIsRetriedBySdkAndSurfacesWhenRetriesRunOut() {
        FaultRule rule = add(FaultRule.builder(FaultKind.THROTTLE).operations("PutItem").times(2));
        try (DynamoDbClient c = retrying(3)) {
            c.putItem(r -> r.tableName("faults").item(item("id", "a")));
        }
        assertThat(rule.fired()).isEqualTo(2);
        add(FaultRule.builder(FaultKind.THROTTLE).operations("GetItem"));
        try (DynamoDbClient c = retrying(1)) {
            assertThatThrownBy(() -> c.getItem(r -> r.tableName("faults").key(item("id", "a"))))
                    .isInstanceOf(ProvisionedThroughputExceededException.class)
                    .satisfies(e -> assertThat(((DynamoDbException) e).statusCode()).isEqualTo(400));
        }
        engine.faults().clear();
        add(FaultRule.builder(FaultKind.THROTTLE).throttleError(FaultRule.ThrottleError.THROTTLING));
        try (DynamoDbClient c = retrying(1)) {
            assertThatThrownBy(() -> c.getItem(r -> r.tableName("faults").key(item("id", "a"))))
                    .isInstanceOfSatisfying(DynamoDbException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException"));
        }
    }

    @Test
    void internalErrorIsA500TheSdkRetries() {
        add(FaultRule.builder(FaultKind.INTERNAL_ERROR).operations("GetItem").once());
        try (DynamoDbClient c = retrying(1)) {
            assertThatThrownBy(() -> c.getItem(r -> r.tableName("faults").key(item("id", "a"))))
                    .isInstanceOfSatisfying(InternalServerErrorException.class,
                            e -> assertThat(e.statusCode()).isEqualTo(500));
            // Fired once: the next call goes through.
            assertThat(c.getItem(r -> r.tableName("faults").key(item("id", "a"))).hasItem()).isFalse();
        }
    }

    /**
     * The case the library must survive: a conditional PutItem is applied, its response is lost (500), the SDK
     * retries it, and the retry meets its own write as a ConditionalCheckFailedException. The item was written once.
     */
    @Test
    void appliedThenLostConditionalPutIsRetriedIntoAConditionalCheckFailure() {
        FaultRule rule = add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST).operations("PutItem").once());
        try (DynamoDbClient c = retrying(3)) {
            assertThatThrownBy(() -> c.putItem(r -> r.tableName("faults").item(item("id", "a", "v", "1"))
                            .conditionExpression("attribute_not_exists(id)")))
                    .isInstanceOf(ConditionalCheckFailedException.class)
                    .hasMessageContaining("SDK Attempt Count: 2");
        }
        assertThat(hookEvents).containsExactly(
                "before PutItem", "after PutItem true", "before PutItem", "after PutItem false");
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(inserts()).isEqualTo(1);
    }

    /**
     * The same with a transaction whose response is lost as a timeout: the SDK retries with the same
     * ClientRequestToken (it fills one in when the caller does not), so the retry is recognised and applied once.
     */
    @Test
    void appliedThenLostTransactionIsRecognisedByItsToken() {
        add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST).operations("TransactWriteItems").once()
                .lostAs(FaultRule.LostResponse.TIMEOUT));
        TransactWriteItem increment = TransactWriteItem.builder().update(u -> u.tableName("faults")
                .key(item("id", "counter")).updateExpression("ADD c :one")
                .expressionAttributeValues(Map.of(":one", n("1")))).build();
        try (DynamoDbClient c = retrying(3)) {
            c.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(increment).build());
            add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST).operations("TransactWriteItems").once());
            c.transactWriteItems(TransactWriteItemsRequest.builder().clientRequestToken("explicit")
                    .transactItems(increment).build());
        }
        assertThat(ddb.getItem(r -> r.tableName("faults").key(item("id", "counter"))).item().get("c").n())
                .isEqualTo("2");
    }

    @Test
    void timeoutNotAppliedIsRetriedAndAppliedOnce() {
        FaultRule rule = add(FaultRule.builder(FaultKind.TIMEOUT_NOT_APPLIED).operations("PutItem").once());
        try (DynamoDbClient c = retrying(1)) {
            assertThatThrownBy(() -> c.putItem(r -> r.tableName("faults").item(item("id", "a"))))
                    .isInstanceOf(SdkClientException.class);
        }
        assertThat(inserts()).isZero();
        rule = add(FaultRule.builder(FaultKind.TIMEOUT_NOT_APPLIED).operations("PutItem").once());
        try (DynamoDbClient c = retrying(2)) {
            c.putItem(r -> r.tableName("faults").item(item("id", "a")));
        }
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(inserts()).isEqualTo(1);
    }

    @Test
    void endpointDownRefusesConnectionsUntilTheRuleIsRemoved() {
        FaultRule down = add(FaultRule.builder(FaultKind.ENDPOINT_DOWN));
        try (DynamoDbClient c = retrying(2)) {
            assertThatThrownBy(() -> c.getItem(r -> r.tableName("faults").key(item("id", "a"))))
                    .isInstanceOf(SdkClientException.class)
                    .hasRootCauseInstanceOf(ConnectException.class);
            engine.faults().remove(down);
            assertThat(c.getItem(r -> r.tableName("faults").key(item("id", "a"))).hasItem()).isFalse();
        }
    }

    @Test
    void latencyGoesThroughTheSleeper() {
        add(FaultRule.builder(FaultKind.LATENCY).operations("GetItem").latency(Duration.ofMillis(40)));
        add(FaultRule.builder(FaultKind.LATENCY).latency(Duration.ofMillis(2)));
        ddb.getItem(r -> r.tableName("faults").key(item("id", "a")));
        ddb.putItem(r -> r.tableName("faults").item(item("id", "a")));
        assertThat(slept).containsExactly(Duration.ofMillis(42), Duration.ofMillis(2));
    }

    @Test
    void rulesFilterOnTableAndKeyAndCountEveryNth() {
        hashTable("other", null);
        add(FaultRule.builder(FaultKind.INTERNAL_ERROR).table("faults").key(k -> k.get("id").s().startsWith("bad")));
        FaultRule third = add(FaultRule.builder(FaultKind.THROTTLE).table("other").everyNth(3));
        List<String> outcomes = new ArrayList<>();
        try (DynamoDbClient c = retrying(1)) {
            for (String id : List.of("ok", "bad1", "fine", "bad2")) {
                outcomes.add(attempt(() -> c.putItem(r -> r.tableName("faults").item(item("id", id)))));
            }
            for (int i = 0; i < 6; i++) {
                outcomes.add(attempt(() -> c.getItem(r -> r.tableName("other").key(item("id", "x")))));
            }
        }
        assertThat(outcomes).containsExactly("ok", "InternalServerError", "ok", "InternalServerError",
                "ok", "ok", "ProvisionedThroughputExceededException", "ok", "ok",
                "ProvisionedThroughputExceededException");
        assertThat(third.fired()).isEqualTo(2);
    }

    /** The same seed and the same requests see the same faults. */
    @Test
    void probabilisticFaultsAreReproducibleBySeed() {
        List<String> first = pattern(11);
        assertThat(first).contains("ok", "InternalServerError");
        assertThat(pattern(11)).isEqualTo(first);
        assertThat(pattern(12)).isNotEqualTo(first);
    }

    private List<String> pattern(long seed) {
        try (DynamoDbEngine e = DynamoDbEngine.builder().seed(seed).build()) {
            e.client().createTable(r -> r.tableName("seeded").billingMode("PAY_PER_REQUEST")
                    .keySchema(k -> k.attributeName("id").keyType("HASH"))
                    .attributeDefinitions(a -> a.attributeName("id").attributeType("S")));
            e.faults().add(FaultRule.builder(FaultKind.INTERNAL_ERROR).probability(0.5).build());
            List<String> out = new ArrayList<>();
            try (DynamoDbClient c = e.clientBuilder().overrideConfiguration(o -> o.retryStrategy(
                    AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(1).build())).build()) {
                for (int i = 0; i < 24; i++) {
                    out.add(attempt(() -> c.getItem(r -> r.tableName("seeded").key(item("id", "a")))));
                }
            }
            return out;
        }
    }

    static String attempt(Runnable call) {
        try {
            call.run();
            return "ok";
        } catch (DynamoDbException e) {
            return e.awsErrorDetails().errorCode();
        }
    }

    @Test
    void hookSeesEveryRequestAndWhetherItWasApplied() {
        ddb.putItem(r -> r.tableName("faults").item(item("id", "a")));
        attempt(() -> ddb.putItem(r -> r.tableName("faults").item(item("id", "a")).conditionExpression("attribute_not_exists(id)")));
        add(FaultRule.builder(FaultKind.INTERNAL_ERROR).operations("GetItem"));
        try (DynamoDbClient c = retrying(1)) {
            attempt(() -> c.getItem(r -> r.tableName("faults").key(item("id", "a"))));
        }
        assertThat(hookEvents).containsExactly(
                "before PutItem", "after PutItem true",
                "before PutItem", "after PutItem false",
                "before GetItem", "after GetItem false");
        List<Record> records = streamRecords("faults");
        assertThat(records).hasSize(1);
    }
}
