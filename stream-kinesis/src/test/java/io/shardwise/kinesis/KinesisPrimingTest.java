package io.shardwise.kinesis;

import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.Priming;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import io.shardwise.testkit.dynamodb.RequestHook;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KinesisBatchHandler#prime()}: what runs (decode, engine, the processor only with a sample) and that nothing
 * reaches the dedup table (requests counted on the embedded engine) or the parking queue (requests counted by an
 * interceptor on the sink's client).
 */
class KinesisPrimingTest {
    private static final String DEDUP = "dedup";

    private final AtomicInteger dynamoDbRequests = new AtomicInteger();
    private final AtomicInteger sqsRequests = new AtomicInteger();
    private final List<StreamRecord<Order>> processed = new CopyOnWriteArrayList<>();
    private DynamoDbEngine engine;
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;

    record Order(String orderId, long amount) {
    }

    @BeforeEach
    void setUp() {
        engine = DynamoDbEngine.builder().requestHook(new RequestHook() {
            @Override
            public void beforeRequest(String operation) {
                dynamoDbRequests.incrementAndGet();
            }
        }).build();
        dynamoDb = engine.client();
        dynamoDb.createTable(b -> b.tableName(DEDUP)
                .keySchema(k -> k.attributeName("id").keyType("HASH"))
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .billingMode("PAY_PER_REQUEST"));
        dynamoDb.updateTimeToLive(b -> b.tableName(DEDUP)
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiration")));
        // Nothing listens there: any request priming sent would be counted before failing.
        sqs = SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:9")).region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).addExecutionInterceptor(
                        new ExecutionInterceptor() {
                            @Override
                            public void beforeExecution(Context.BeforeExecution context,
                                                        ExecutionAttributes attributes) {
                                sqsRequests.incrementAndGet();
                            }
                        }))
                .build();
    }

    @AfterEach
    void tearDown() {
        sqs.close();
        engine.close();
    }

    private KinesisBatchHandler<Order> handler(byte[] sample) {
        RecordProcessor<Order> processor = RecordProcessor.of((StreamRecord<Order> r, RecordContext c) ->
                processed.add(r));
        KinesisBatchHandler.Builder<Order> builder = KinesisBatchHandler.builder(processor)
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("priming-test").metrics(false)
                        .dedupStore(DynamoDbDedupStore.builder(dynamoDb, DEDUP).build())
                        .failureSink(SqsFailureSink.builder().client(sqs)
                                .queueUrl("http://127.0.0.1:9/000000000000/parking").build())
                        .build());
        return (sample == null ? builder : builder.primingSample(sample)).build();
    }

    @Test
    void withoutASamplePrimingRunsTheLibraryButNotTheProcessorAndSendsNothing() {
        KinesisBatchHandler<Order> handler = handler(null);
        int afterInit = dynamoDbRequests.get(); // build() checked the table: that is init, not priming

        BatchResult result = handler.prime();

        // Two records: the first skips the decoder (the engine's success path), the second decodes {}.
        assertThat(result.outcomes()).hasSize(2).allSatisfy(o -> assertThat(o.outcome())
                .isEqualTo(Outcome.PROCESSED));
        assertThat(result.response().getBatchItemFailures()).isEmpty();
        assertThat(processed).isEmpty();
        assertThat(dynamoDbRequests.get()).isEqualTo(afterInit);
        assertThat(sqsRequests.get()).isZero();
        assertThat(dynamoDb.scan(b -> b.tableName(DEDUP)).count()).isZero();
    }

    @Test
    void withASampleThePrimingRunsTheProcessorOnItWithoutWritingAMarker() {
        KinesisBatchHandler<Order> handler = handler("{\"orderId\":\"o-1\",\"amount\":5}"
                .getBytes(StandardCharsets.UTF_8));
        int afterInit = dynamoDbRequests.get();

        handler.prime();
        handler.prime(); // any number of times

        assertThat(processed).hasSize(2).allSatisfy(r -> {
            assertThat(r.payload()).isEqualTo(new Order("o-1", 5));
            assertThat(r.shardId()).isEqualTo(Priming.SHARD_ID);
        });
        assertThat(dynamoDbRequests.get()).isEqualTo(afterInit);
        assertThat(sqsRequests.get()).isZero();
    }

    /**
     * GUARDED: the processor stages its write, and priming must neither fail for want of the guarded client (the
     * throw-away config keeps the mode) nor send that write to your table.
     */
    @Test
    void aGuardedHandlerPrimesWithItsSampleAndWritesNothingToTheTable() {
        dynamoDb.createTable(b -> b.tableName("orders")
                .keySchema(k -> k.attributeName("pk").keyType("HASH"))
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .billingMode("PAY_PER_REQUEST"));
        RecordProcessor<Order> processor = RecordProcessor.of((StreamRecord<Order> r, RecordContext c) -> {
            processed.add(r);
            c.guarded().put(software.amazon.awssdk.services.dynamodb.model.Put.builder().tableName("orders")
                    .item(java.util.Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue
                            .fromS(r.payload().orderId()))).build());
        });
        KinesisBatchHandler<Order> handler = KinesisBatchHandler.builder(processor)
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("priming-test").metrics(false)
                        .dedupStore(DynamoDbDedupStore.builder(dynamoDb, DEDUP).build())
                        .dedupMode(io.shardwise.core.dedup.DedupMode.GUARDED).guardedClient(dynamoDb)
                        .build())
                .primingSample("{\"orderId\":\"o-1\",\"amount\":5}".getBytes(StandardCharsets.UTF_8))
                .build();
        int afterInit = dynamoDbRequests.get();

        BatchResult result = handler.prime();

        assertThat(processed).hasSize(1);
        assertThat(result.outcomes()).extracting(o -> o.outcome()).contains(Outcome.PROCESSED);
        assertThat(dynamoDbRequests.get()).as("no request to DynamoDB").isEqualTo(afterInit);
        assertThat(dynamoDb.scan(b -> b.tableName("orders")).count()).isZero();
    }

    @Test
    void aSampleThatDoesNotDecodeIsParkedNowhere() {
        KinesisBatchHandler<Order> handler = handler("not json".getBytes(StandardCharsets.UTF_8));
        int afterInit = dynamoDbRequests.get();

        BatchResult result = handler.prime();

        assertThat(result.outcomes()).singleElement().satisfies(o -> assertThat(o.outcome())
                .isEqualTo(Outcome.PARKED));
        assertThat(processed).isEmpty();
        assertThat(sqsRequests.get()).isZero();
        assertThat(dynamoDbRequests.get()).isEqualTo(afterInit);
    }

    @Test
    void aHandlerBuiltWithPrimingTurnedOffStillPrimesWhenAsked() {
        KinesisBatchHandler<Order> handler = KinesisBatchHandler.builder(
                        RecordProcessor.of((StreamRecord<Order> r, RecordContext c) -> processed.add(r)))
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("priming-off").metrics(false).build())
                .primeBeforeCheckpoint(false)
                .build();

        assertThat(handler.prime().allDone()).isTrue();
        assertThat(processed).isEmpty();
    }
}
