package io.shardwise.examples.ordertotals;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.BatchResult;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.sink.FailureSink;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.examples.AwsClients;
import io.shardwise.examples.Settings;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.List;
import java.util.Objects;

/**
 * The order-totals function: reads order events ({@link OrderEvent}, JSON) from a Kinesis stream and keeps each
 * customer's total and order count in DynamoDB, exactly once ({@link OrderTotalsProcessor}).
 *
 * <p>Deployed by {@code infra/template.yaml} with handler {@code io.shardwise.examples.ordertotals.OrderTotalsHandler}
 * and these environment variables:
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>variable</th><th>meaning</th></tr>
 *   <tr><td>{@code TOTALS_TABLE}</td><td>the totals table (required)</td></tr>
 *   <tr><td>{@code DEDUP_TABLE}</td><td>the shardwise dedup table, key {@code id}, TTL on {@code expiration}
 *       (required)</td></tr>
 *   <tr><td>{@code PARKING_QUEUE_URL}</td><td>the SQS queue that receives poison records with their payload
 *       (required)</td></tr>
 *   <tr><td>{@code CONSUMER_NAME}</td><td>names this consumer in dedup ids, parked records, logs and metrics
 *       (default {@code order-totals})</td></tr>
 * </table>
 *
 * <p>What happens to a record: a malformed one (not JSON, wrong shape) is parked at once; one whose order is
 * already counted is skipped; a failing one is retried (Lambda redelivers it, order kept) and parked on its third
 * failed attempt. The event source mapping must have {@code FunctionResponseTypes: [ReportBatchItemFailures]}.
 *
 * <p>Everything is built in the constructor, in Lambda's init phase: with SnapStart the clients and the checked
 * dedup table are in the snapshot. Thread-safe.
 */
public class OrderTotalsHandler implements RequestHandler<KinesisEvent, StreamsEventResponse> {

    /** The consumer name unless {@code CONSUMER_NAME} says otherwise. */
    public static final String DEFAULT_CONSUMER_NAME = "order-totals";
    /** Environment variable: the totals table. */
    public static final String ENV_TOTALS_TABLE = "TOTALS_TABLE";
    /** Environment variable: the dedup table. */
    public static final String ENV_DEDUP_TABLE = "DEDUP_TABLE";
    /** Environment variable: the parking queue's URL. */
    public static final String ENV_PARKING_QUEUE_URL = "PARKING_QUEUE_URL";
    /** Environment variable (optional): the consumer name. */
    public static final String ENV_CONSUMER_NAME = "CONSUMER_NAME";
    /** The environment variables the no-argument constructor requires. */
    public static final List<String> REQUIRED_ENVIRONMENT = List.of(ENV_TOTALS_TABLE, ENV_DEDUP_TABLE,
            ENV_PARKING_QUEUE_URL);

    private final KinesisBatchHandler<OrderEvent> handler;

    /**
     * For Lambda: settings from the environment variables above, AWS clients from the Lambda environment.
     *
     * @throws IllegalStateException if a required variable is missing (the message names it)
     * @throws io.shardwise.core.StreamProcessingException if the dedup table is missing or has the wrong key or
     *                                                     TTL attribute
     */
    public OrderTotalsHandler() {
        this(Wiring.from(Settings.fromEnvironment()));
    }

    private OrderTotalsHandler(Wiring wiring) {
        this(wiring.processor(), wiring.config());
    }

    /** Reads every setting before building any client, so a missing one is reported first. */
    private record Wiring(OrderTotalsProcessor processor, ProcessingConfig config) {
        static Wiring from(Settings settings) {
            String totalsTable = settings.required(ENV_TOTALS_TABLE, "the name of the DynamoDB table of "
                    + "per-customer totals");
            String dedupTable = settings.required(ENV_DEDUP_TABLE, "the name of the shardwise dedup table "
                    + "(partition key 'id', TTL on 'expiration')");
            String parkingQueueUrl = settings.required(ENV_PARKING_QUEUE_URL, "the URL of the SQS queue for parked "
                    + "records");
            String consumerName = settings.optional(ENV_CONSUMER_NAME, DEFAULT_CONSUMER_NAME);
            FailureSink parking = SqsFailureSink.builder().client(AwsClients.sqs()).queueUrl(parkingQueueUrl).build();
            return new Wiring(new OrderTotalsProcessor(totalsTable),
                    OrderTotalsHandler.config(consumerName, AwsClients.dynamoDb(), dedupTable, parking).build());
        }
    }

    /**
     * For tests and the local demo: your processor (e.g. one that injects faults) and configuration (e.g. from
     * {@link #config} with a local client, metrics off).
     *
     * @throws io.shardwise.core.StreamProcessingException if the config's dedup table is not usable
     */
    public OrderTotalsHandler(OrderTotalsProcessor processor, ProcessingConfig config) {
        Objects.requireNonNull(processor, "processor");
        Objects.requireNonNull(config, "config");
        this.handler = KinesisBatchHandler.builder(processor)
                .decoder(KinesisDecoders.json(OrderEvent.class))
                .config(config)
                .build();
    }

    /**
     * The configuration this function runs with: transactional dedup in {@code dedupTable} (the totals update and
     * the dedup marker commit together), poison records parked to {@code parking}, stop at the first failure (a
     * customer's orders in order), three attempts before a failing record is parked.
     *
     * @param dynamoDb the client for the dedup and totals tables (the caller owns it)
     */
    public static ProcessingConfig.Builder config(String consumerName, DynamoDbClient dynamoDb, String dedupTable,
                                                  FailureSink parking) {
        return ProcessingConfig.builder(consumerName)
                .dedupStore(DynamoDbDedupStore.builder(dynamoDb, dedupTable).build())
                .dedupMode(DedupMode.TRANSACTIONAL)
                .maxAttempts(ProcessingConfig.DEFAULT_MAX_ATTEMPTS)
                .failureSink(parking);
    }

    @Override
    public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
        return handler.handleRequest(event, context);
    }

    /**
     * Primes the handler ({@link KinesisBatchHandler#prime()}): runs by itself before a SnapStart snapshot; call it
     * at the end of init without SnapStart to make the first invocation faster. Writes nothing.
     */
    public BatchResult prime() {
        return handler.prime();
    }

    /** As {@link #handleRequest}, with every record's outcome (for the demo's report and for tests). */
    public BatchResult process(KinesisEvent event, Context context) {
        return handler.process(event, context);
    }
}
