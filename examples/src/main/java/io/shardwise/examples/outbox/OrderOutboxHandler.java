package io.shardwise.examples.outbox;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.BatchResult;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.dedup.DedupMode;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.sink.FailureSink;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.ddb.DynamoDbStreamHandler;
import io.shardwise.examples.AwsClients;
import io.shardwise.examples.Settings;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.List;
import java.util.Objects;

/**
 * The order-outbox function: reads the orders table's DynamoDB stream ({@code NEW_AND_OLD_IMAGES}) and publishes
 * each change as a domain event onto a Kinesis stream ({@link OrderOutboxProcessor}), once per change.
 *
 * <p>Deployed by {@code infra/template.yaml} with handler {@code io.shardwise.examples.outbox.OrderOutboxHandler}
 * and these environment variables:
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>variable</th><th>meaning</th></tr>
 *   <tr><td>{@code EVENTS_STREAM}</td><td>the order-events Kinesis stream, name or ARN (required)</td></tr>
 *   <tr><td>{@code DEDUP_TABLE}</td><td>the shardwise dedup table, key {@code id}, TTL on {@code expiration}
 *       (required)</td></tr>
 *   <tr><td>{@code PARKING_QUEUE_URL}</td><td>the SQS queue that receives poison records (required)</td></tr>
 *   <tr><td>{@code CONSUMER_NAME}</td><td>names this consumer in dedup ids, parked records, logs and metrics
 *       (default {@code order-outbox})</td></tr>
 * </table>
 *
 * <p>Images are typed with {@code TableSchema.fromBean(Order.class)}, the schema the application writes orders
 * with. Dedup is {@link DedupMode#PER_RECORD} keyed by the stream record's {@code eventID}. Built in the constructor
 * (Lambda's init phase, SnapStart-friendly). Thread-safe.
 */
public class OrderOutboxHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {

    /** The consumer name unless {@code CONSUMER_NAME} says otherwise. */
    public static final String DEFAULT_CONSUMER_NAME = "order-outbox";
    /** Environment variable: the order-events stream, name or ARN. */
    public static final String ENV_EVENTS_STREAM = "EVENTS_STREAM";
    /** Environment variable: the dedup table. */
    public static final String ENV_DEDUP_TABLE = "DEDUP_TABLE";
    /** Environment variable: the parking queue's URL. */
    public static final String ENV_PARKING_QUEUE_URL = "PARKING_QUEUE_URL";
    /** Environment variable (optional): the consumer name. */
    public static final String ENV_CONSUMER_NAME = "CONSUMER_NAME";
    /** The environment variables the no-argument constructor requires. */
    public static final List<String> REQUIRED_ENVIRONMENT = List.of(ENV_EVENTS_STREAM, ENV_DEDUP_TABLE,
            ENV_PARKING_QUEUE_URL);

    /** The orders table's schema, shared by the application and the outbox. */
    public static final TableSchema<Order> ORDER_SCHEMA = TableSchema.fromBean(Order.class);

    private final DynamoDbStreamHandler<Order> handler;

    /**
     * For Lambda: settings from the environment variables above, AWS clients from the Lambda environment.
     *
     * @throws IllegalStateException if a required variable is missing (the message names it)
     * @throws io.shardwise.core.StreamProcessingException if the dedup table is missing or misconfigured
     */
    public OrderOutboxHandler() {
        this(Wiring.from(Settings.fromEnvironment()));
    }

    private OrderOutboxHandler(Wiring wiring) {
        this(wiring.processor(), wiring.config());
    }

    /** Reads every setting before building any client, so a missing one is reported first. */
    private record Wiring(OrderOutboxProcessor processor, ProcessingConfig config) {
        static Wiring from(Settings settings) {
            String eventsStream = settings.required(ENV_EVENTS_STREAM, "the name or ARN of the Kinesis stream that "
                    + "receives the order events");
            String dedupTable = settings.required(ENV_DEDUP_TABLE, "the name of the shardwise dedup table "
                    + "(partition key 'id', TTL on 'expiration')");
            String parkingQueueUrl = settings.required(ENV_PARKING_QUEUE_URL, "the URL of the SQS queue for parked "
                    + "records");
            String consumerName = settings.optional(ENV_CONSUMER_NAME, DEFAULT_CONSUMER_NAME);
            FailureSink parking = SqsFailureSink.builder().client(AwsClients.sqs()).queueUrl(parkingQueueUrl).build();
            return new Wiring(new OrderOutboxProcessor(AwsClients.kinesis(), eventsStream),
                    OrderOutboxHandler.config(consumerName, AwsClients.dynamoDb(), dedupTable, parking).build());
        }
    }

    /**
     * For tests and the local demo.
     *
     * @throws io.shardwise.core.StreamProcessingException if the config's dedup table is not usable
     */
    public OrderOutboxHandler(OrderOutboxProcessor processor, ProcessingConfig config) {
        Objects.requireNonNull(processor, "processor");
        Objects.requireNonNull(config, "config");
        this.handler = DynamoDbStreamHandler.builder(ORDER_SCHEMA)
                .processor(processor)
                .config(config)
                .build();
    }

    /**
     * The configuration this function runs with: a dedup marker per change in {@code dedupTable}
     * ({@link DedupMode#PER_RECORD}, key {@code eventID}), poison records parked to {@code parking}, stop at the
     * first failure, three attempts before a failing change is parked.
     *
     * @param dynamoDb the client for the dedup table (the caller owns it)
     */
    public static ProcessingConfig.Builder config(String consumerName, DynamoDbClient dynamoDb, String dedupTable,
                                                  FailureSink parking) {
        return ProcessingConfig.builder(consumerName)
                .dedupStore(DynamoDbDedupStore.builder(dynamoDb, dedupTable).build())
                .dedupMode(DedupMode.PER_RECORD)
                .maxAttempts(ProcessingConfig.DEFAULT_MAX_ATTEMPTS)
                .failureSink(parking);
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        return handler.handleRequest(event, context);
    }

    /** As {@link #handleRequest}, with every record's outcome (for the demo and tests). */
    public BatchResult process(DynamodbEvent event, Context context) {
        return handler.process(event, context);
    }
}
