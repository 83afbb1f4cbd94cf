package com.example.orders;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.sink.FailureSink;
import io.shardwise.core.sink.SqsFailureSink;
import io.shardwise.kinesis.KinesisBatchHandler;
import io.shardwise.kinesis.KinesisDecoders;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The Lambda function: Kinesis order events to per-customer totals, once each, in shard order. */
public class OrderHandler implements RequestHandler<KinesisEvent, StreamsEventResponse> {
    private final KinesisBatchHandler<Order> handler;

    /** For Lambda: clients from the Lambda environment, tables and queue from environment variables. */
    public OrderHandler() {
        this(DynamoDbClient.create(),
                SqsFailureSink.builder().client(SqsClient.create()).queueUrl(System.getenv("PARKING_QUEUE_URL")).build(),
                System.getenv("TOTALS_TABLE"), System.getenv("DEDUP_TABLE"));
    }

    /** For tests: your clients, sink and tables (e.g. the testkit's local emulators). */
    public OrderHandler(DynamoDbClient dynamoDb, FailureSink parking, String totalsTable, String dedupTable) {
        this.handler = KinesisBatchHandler.builder(new OrderTotals(dynamoDb, totalsTable))
                .decoder(KinesisDecoders.json(Order.class))     // a malformed record is parked, not fatal
                .config(ProcessingConfig.builder("order-totals")
                        .dedupStore(DynamoDbDedupStore.builder(dynamoDb, dedupTable).build())
                        .failureSink(parking)                   // poison records, with their payload
                        .build())
                .build();                                       // checks the dedup table: fails at init if wrong
    }

    @Override
    public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
        return handler.handleRequest(event, context);
    }
}
