package io.shardwise.core;

import io.shardwise.core.dedup.ClaimOutcomeUnknownException;
import io.shardwise.core.dedup.DedupStore;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import io.shardwise.testkit.dynamodb.FaultKind;
import io.shardwise.testkit.dynamodb.FaultRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.shardwise.core.Records.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A claim whose outcome is unknown: its first attempt was applied and the response lost, and the SDK's retries
 * then failed for good, so the batch fails as a whole. The lease it may hold is this invocation's, and must be
 * released with the others, or the redelivery is refused as "lease held" until it ends and the attempt that then
 * gets counted on takeover never ran (found by the simulation, seed 90 of `-Dsim.seed=7`: ATTEMPTS_OVERCOUNTED).
 */
class AmbiguousClaimTest {

    private DynamoDbEngine engine;
    private DynamoDbClient client;

    @BeforeEach
    void start() {
        engine = DynamoDbEngine.builder().build();
        client = engine.clientBuilder().overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(3))).build();
        client.createTable(r -> r.tableName("dedup").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build()));
        client.updateTimeToLive(r -> r.tableName("dedup")
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiration")));
    }

    @AfterEach
    void stop() {
        client.close();
        engine.close();
    }

    @Test
    void aClaimAppliedWhoseRetriesFailIsReleasedWithTheFailedBatchSoTheRedeliveryRunsAtOnce() {
        ScriptedProcessor p = new ScriptedProcessor();
        BatchProcessor<String, String> bp = BatchProcessor.create(p, ProcessingConfig.builder("ambiguous")
                .metrics(false).dedupStore(DynamoDbDedupStore.builder(client, "dedup").build()).build());
        List<StreamRecord<String>> batch = shard(2, 1);

        // The first claim is applied and its response lost; the SDK's two retries fail with a 500 each.
        FaultRule lost = engine.faults().add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST).operations("UpdateItem")
                .lostAs(FaultRule.LostResponse.INTERNAL_ERROR).once().build());
        FaultRule down = engine.faults().add(FaultRule.builder(FaultKind.INTERNAL_ERROR).operations("UpdateItem")
                .times(2).build());
        assertThatThrownBy(() -> bp.process(batch, null)).isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("claim");
        assertThat(lost.fired()).isEqualTo(1);
        assertThat(down.fired()).isEqualTo(2);
        assertThat(p.delivered).isEmpty();

        BatchResult redelivered = bp.process(batch, null);
        assertThat(redelivered.outcomes()).extracting(RecordOutcome::outcome)
                .containsExactly(Outcome.PROCESSED, Outcome.PROCESSED);
        assertThat(redelivered.outcomes()).extracting(RecordOutcome::attempts).as("no attempt counted that never ran")
                .containsExactly(1, 1);
        assertThat(p.delivered).containsExactly("r0", "r1");
    }

    /**
     * Found by the simulation (long run, seed 10006534): the claim applied, its response was lost, and the SDK's
     * retry ran out of the invocation's time ({@code CallDeadlineException}). The store threw without the lease's
     * token, so the deadline stop left the lease in place: the redelivery was refused as "lease held", and the
     * takeover after it ended counted an attempt that never called the processor. The lease is released with the
     * time that is left.
     */
    @Test
    void aClaimTheDeadlineCutShortAfterItAppliedReleasesItsLease() {
        ScriptedProcessor p = new ScriptedProcessor();
        try (BatchProcessor<String, String> bp = BatchProcessor.create(p, ProcessingConfig.builder("ambiguous")
                .metrics(false).dedupStore(DynamoDbDedupStore.builder(client, "dedup").build()).build())) {
            List<StreamRecord<String>> batch = shard(1, 1);
            // 1.5 s timeout, 1 s margin: store calls get about 1 s. The claim applies and its answer is lost; the
            // SDK's retry then takes 2 s and is cut short.
            FaultRule lost = engine.faults().add(FaultRule.builder(FaultKind.APPLIED_THEN_LOST)
                    .operations("UpdateItem").lostAs(FaultRule.LostResponse.INTERNAL_ERROR).once().build());
            FaultRule slow = engine.faults().add(FaultRule.builder(FaultKind.LATENCY).operations("UpdateItem")
                    .latency(java.time.Duration.ofSeconds(2)).everyNth(2).once().build()); // the retry only
            BatchResult cut = bp.process(batch, io.shardwise.testkit.FakeContext.withTimeout(
                    java.time.Duration.ofMillis(1500)));
            assertThat(lost.fired()).isEqualTo(1);
            assertThat(slow.fired()).isEqualTo(1);
            assertThat(cut.allDone()).isFalse();
            assertThat(p.delivered).isEmpty();

            BatchResult redelivered = bp.process(batch, io.shardwise.testkit.FakeContext.withTimeout(
                    java.time.Duration.ofSeconds(30)));
            assertThat(redelivered.outcomes()).extracting(RecordOutcome::outcome).containsExactly(Outcome.PROCESSED);
            assertThat(redelivered.outcomes()).extracting(RecordOutcome::attempts)
                    .as("no attempt counted that never ran").containsExactly(1);
            assertThat(p.delivered).containsExactly("r0");
        }
    }

    /**
     * Found by the simulation (long run, seed 47141): the lease of a claim of unknown outcome was released only
     * when every lane had ended. Another lane hanging until the function timed out then left it behind, and the next
     * invocation counted an attempt that never called the processor. It is released in its own lane, at once.
     */
    @Test
    void aClaimOfUnknownOutcomeIsReleasedAtOnceNotWhenTheOtherLanesEnd() throws Exception {
        InMemoryDedupStore delegate = new InMemoryDedupStore();
        AtomicInteger claims = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        DedupStore store = (DedupStore) Proxy.newProxyInstance(DedupStore.class.getClassLoader(),
                new Class<?>[] {DedupStore.class}, (proxy, method, args) -> {
                    try {
                        if (method.getName().equals("withCallTimeout")) {
                            return proxy;
                        }
                        if (method.getName().equals("claim") && claims.incrementAndGet() == 2) {
                            // The other lane's claim, while the first lane's record is in the processor: applied,
                            // then its outcome unknown.
                            running.await(5, TimeUnit.SECONDS);
                            var claimed = (DedupStore.Claimed) method.invoke(delegate, args);
                            throw new ClaimOutcomeUnknownException("claim applied, response lost (test)", null,
                                    claimed.leaseToken());
                        }
                        Object result = method.invoke(delegate, args);
                        if (method.getName().equals("release")) {
                            released.countDown();
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        AtomicBoolean releasedWhileRunning = new AtomicBoolean();
        RecordProcessor<String> p = RecordProcessor.of((rec, c) -> {
            running.countDown();
            // A lane that hangs: it ends only once the lease is released (or after 5 s).
            releasedWhileRunning.set(released.await(5, TimeUnit.SECONDS));
        });
        try (BatchProcessor<String, String> bp = BatchProcessor.create(p, ProcessingConfig.builder("ambiguous")
                .metrics(false).dedupStore(store).maxConcurrency(2).build())) {
            assertThatThrownBy(() -> bp.process(shard(2, 2), null))
                    .isInstanceOf(ClaimOutcomeUnknownException.class);
        }
        assertThat(releasedWhileRunning).as("released while the other lane still ran").isTrue();
    }
}
